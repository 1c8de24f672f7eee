package web

// checkinRoutes are the routes of meeting sign-in by QR code and the per-user calendar feed.
func (s *Server) checkinRoutes() []route {
	return nil
}
