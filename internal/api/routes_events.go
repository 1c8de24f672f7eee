package api

// eventRoutes are the routes of organizational life and study: events, compliance, first topics.
func (a *API) eventRoutes() []route {
	return nil
}
