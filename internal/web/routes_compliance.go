package web

// complianceRoutes are the routes of the compliance matrix, due and overdue lists, reminders, study statistics, ledgers and the event import.
func (s *Server) complianceRoutes() []route {
	return nil
}
