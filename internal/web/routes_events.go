package web

// eventRoutes are the routes of the organizational-life calendar, events with attendance, recurring plans and attachments.
func (s *Server) eventRoutes() []route {
	return nil
}
