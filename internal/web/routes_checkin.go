package web

import "dangjian/internal/party"

// checkinRoutes are the routes of meeting sign-in by QR code and the per-user calendar feed.
func (s *Server) checkinRoutes() []route {
	return []route{
		// checkin.go: the recorder projects the QR code; a member scans it and signs in.
		{"GET /events/{id}/checkin", s.checkinShow, onEvent(party.ActEventWrite), 0},
		{"GET /events/{id}/checkin.png", s.checkinImage, onEvent(party.ActEventWrite), 0},
		{"GET /c/{token}", s.checkinForm, signedIn, 0},
		{"POST /c/{token}", s.checkinSubmit, signedIn, maxFormBody},

		// calendar_feed.go: the token in the path is the credential (…/{token}.ics).
		{"GET /feeds/{file}", s.calendarFeed, anyone, 0},
		{"POST /account/feed", s.feedCreate, signedIn, maxFormBody},
		{"POST /account/feed/revoke", s.feedRevoke, signedIn, maxFormBody},
	}
}
