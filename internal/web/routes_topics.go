package web

// topicRoutes are the routes of the 第一议题 ledger, the rules and the event-type catalogue, notification channels.
func (s *Server) topicRoutes() []route {
	return nil
}
