package api

import "dangjian/internal/party"

// eventRoutes are the routes of organizational life and study: events, compliance, first topics.
func (a *API) eventRoutes() []route {
	return []route{
		// Events with attendance (events.go).
		{"GET /api/v1/events", a.listEvents, anywhere(party.ActEventRead)},
		{"POST /api/v1/events", a.createEvent, anywhere(party.ActEventWrite)},
		{"POST /api/v1/orgs/{id}/events/import", a.importLedger, onOrg(party.ActEventWrite)},
		{"GET /api/v1/events/{id}", a.getEvent, onEvent(party.ActEventRead)},
		{"PATCH /api/v1/events/{id}", a.updateEvent, onEvent(party.ActEventWrite)},
		{"POST /api/v1/events/{id}/complete", a.completeEvent, onEvent(party.ActEventWrite)},
		{"POST /api/v1/events/{id}/cancel", a.cancelEvent, onEvent(party.ActEventWrite)},
		{"PUT /api/v1/events/{id}/attendance", a.setAttendance, onEvent(party.ActEventWrite)},
		{"GET /api/v1/event-types", a.listEventTypes, signedIn},

		// Recurring plans (周期计划) that create planned events (plans.go).
		{"GET /api/v1/orgs/{id}/plans", a.listPlans, onOrg(party.ActEventRead)},
		{"POST /api/v1/orgs/{id}/plans", a.createPlan, onOrg(party.ActEventWrite)},
		{"POST /api/v1/orgs/{id}/plans/{pid}/stop", a.stopPlan, onOrg(party.ActEventWrite)},

		// Compliance: required vs held per organization and event type (compliance.go).
		{"GET /api/v1/compliance", a.getCompliance, anywhere(party.ActComplianceRead)},

		// The 第一议题 ledger (topics.go).
		{"GET /api/v1/topics", a.listTopics, anywhere(party.ActComplianceRead)},
		{"POST /api/v1/topics", a.createTopic, installation(party.ActTopicWrite)},
		{"GET /api/v1/topics/{id}", a.getTopic, anywhere(party.ActComplianceRead)},
	}
}
