package web

import "dangjian/internal/party"

// eventRoutes are the routes of the organizational-life calendar, events with attendance, recurring plans and attachments.
func (s *Server) eventRoutes() []route {
	return []route{
		// events.go: the calendars and the page of one event.
		{"GET /events", s.eventsHome, anywhere(party.ActEventRead), 0},
		{"GET /orgs/{id}/calendar", s.calendar, onOrg(party.ActEventRead), 0},
		{"GET /events/{id}", s.eventShow, onEvent(party.ActEventRead), 0},

		// event_forms.go: plan or record an event, edit, complete, cancel, correct attendance.
		{"GET /orgs/{id}/events/new", s.eventNew, onOrg(party.ActEventWrite), 0},
		{"POST /orgs/{id}/events", s.eventCreate, onOrg(party.ActEventWrite), maxFormBody},
		{"GET /events/{id}/edit", s.eventEdit, onEvent(party.ActEventWrite), 0},
		{"POST /events/{id}/edit", s.eventUpdate, onEvent(party.ActEventWrite), maxFormBody},
		{"GET /events/{id}/complete", s.eventCompleteForm, onEvent(party.ActEventWrite), 0},
		{"POST /events/{id}/complete", s.eventComplete, onEvent(party.ActEventWrite), maxFormBody},
		{"POST /events/{id}/cancel", s.eventCancel, onEvent(party.ActEventWrite), maxFormBody},
		{"POST /events/{id}/attendance", s.eventAttendance, onEvent(party.ActEventWrite), maxFormBody},

		// event_files.go: attachments (photos, sign-in sheets, PDFs), served after the check.
		{"POST /events/{id}/files", s.eventFileUpload, onEvent(party.ActEventWrite), s.eventFileBody()},
		{"GET /events/{id}/files/{fid}", s.eventFileServe, onEvent(party.ActEventRead), 0},
		{"POST /events/{id}/files/{fid}/delete", s.eventFileDelete, onEvent(party.ActEventWrite), maxFormBody},

		// plans.go: recurring plans that create planned events.
		{"GET /orgs/{id}/plans/new", s.planNew, onOrg(party.ActEventWrite), 0},
		{"POST /orgs/{id}/plans", s.planCreate, onOrg(party.ActEventWrite), maxFormBody},
		{"POST /orgs/{id}/plans/{pid}/stop", s.planStop, onOrg(party.ActEventWrite), maxFormBody},
	}
}
