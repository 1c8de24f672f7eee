package web

import "dangjian/internal/party"

// complianceRoutes are the routes of the compliance matrix, due and overdue lists, reminders, study statistics, ledgers and the event import.
func (s *Server) complianceRoutes() []route {
	return []route{
		// compliance.go: required vs held, per organization and event type, with drill-down.
		{"GET /compliance", s.complianceHome, anywhere(party.ActComplianceRead), 0},
		{"GET /orgs/{id}/compliance", s.complianceMatrix, onOrg(party.ActComplianceRead), 0},
		{"GET /orgs/{id}/compliance/detail", s.complianceDetail, onOrg(party.ActComplianceRead), 0},

		// reminders.go: what is due and overdue in the user's subtrees.
		{"GET /reminders", s.reminders, anywhere(party.ActComplianceRead), 0},

		// study.go: study statistics and attendance per organization.
		{"GET /orgs/{id}/study", s.studyStats, onOrg(party.ActComplianceRead), 0},

		// ledgers.go: the 组织生活台账 and the compliance matrix as workbooks.
		{"GET /orgs/{id}/ledger.xlsx", s.ledgerExport, onOrg(party.ActComplianceRead), 0},
		{"GET /orgs/{id}/compliance.xlsx", s.complianceExport, onOrg(party.ActComplianceRead), 0},

		// event_import.go: an event ledger, previewed before it is imported.
		{"GET /orgs/{id}/events/import", s.eventImportForm, onOrg(party.ActEventWrite), 0},
		{"GET /orgs/{id}/events/template.xlsx", s.eventTemplate, onOrg(party.ActEventWrite), 0},
		{"POST /orgs/{id}/events/import", s.eventImportPreview, onOrg(party.ActEventWrite), maxUploadBody},
		{"POST /orgs/{id}/events/import/{token}", s.eventImportConfirm, onOrg(party.ActEventWrite), maxFormBody},
	}
}
