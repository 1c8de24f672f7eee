package web

import (
	"net/http"

	"dangjian/internal/party"
)

// Request body limits: forms are small; an upload carries one workbook plus multipart framing.
const (
	maxFormBody   = 1 << 20
	maxUploadFile = 20 << 20
	maxUploadBody = maxUploadFile + 1<<20
)

// route is one entry of the route table: the pattern, the handler, who may use it (checked
// by guard before the handler runs) and the largest body it reads.
type route struct {
	pattern string
	handler http.HandlerFunc
	rule    rule
	body    int64
}

// Route describes a registered route: its pattern and who may use it.
type Route struct {
	Pattern string
	Access  string
}

// table is the whole route table: every page of the program, the file that serves it, and
// who may use it. The JSON API (internal/api) registers its own table beside it.
func (s *Server) table() []route {
	t := s.baseRoutes()
	t = append(t, s.eventRoutes()...)      // routes_events.go: calendars, events, plans, files
	t = append(t, s.complianceRoutes()...) // routes_compliance.go: compliance, reminders, ledgers
	t = append(t, s.topicRoutes()...)      // routes_topics.go: 第一议题, rules, event types, channels
	t = append(t, s.checkinRoutes()...)    // routes_checkin.go: QR sign-in, calendar feeds
	return t
}

// baseRoutes are the routes of the foundation and accounts: sign-in, organizations, members,
// administration and the audit trail.
func (s *Server) baseRoutes() []route {
	return []route{
		// static.go, signin.go: the only routes without a session.
		{"GET /static/{path...}", s.static, anyone, 0},
		{"GET /healthz", s.health, anyone, 0},
		{"GET /signin", s.signInForm, anyone, 0},
		{"POST /signin", s.signIn, anyone, maxFormBody},
		{"GET /setup", s.setupForm, setupOnly, 0},
		{"POST /setup", s.setup, setupOnly, maxFormBody},
		{"POST /signout", s.signOut, self, maxFormBody},
		{"GET /{$}", s.home, signedIn, 0},

		// account.go: one's own account.
		{"GET /account", s.account, signedIn, 0},
		{"GET /account/password", s.passwordForm, self, 0},
		{"POST /account/password", s.passwordChange, self, maxFormBody},
		{"GET /account/2fa", s.totpForm, self, 0},
		{"POST /account/2fa", s.totpEnable, self, maxFormBody},
		{"POST /account/2fa/disable", s.totpDisable, signedIn, maxFormBody},
		{"POST /account/sessions/end", s.endOtherSessions, signedIn, maxFormBody},
		{"POST /account/tokens", s.tokenCreate, signedIn, maxFormBody},
		{"POST /account/tokens/{tid}/revoke", s.tokenRevoke, signedIn, maxFormBody},

		// orgs.go: the tree and one organization with its members.
		{"GET /orgs", s.orgTree, anywhere(party.ActOrgRead), 0},
		{"GET /orgs/{id}", s.orgShow, onOrg(party.ActOrgRead), 0},

		// org_forms.go: create, edit, move, dissolve.
		{"GET /orgs/new", s.orgNew, onParent(party.ActOrgWrite), 0},
		{"POST /orgs", s.orgCreate, onParent(party.ActOrgWrite), maxFormBody},
		{"GET /orgs/{id}/edit", s.orgEdit, onOrg(party.ActOrgWrite), 0},
		{"POST /orgs/{id}/edit", s.orgUpdate, onOrg(party.ActOrgWrite), maxFormBody},
		{"GET /orgs/{id}/move", s.orgMoveForm, onOrg(party.ActOrgWrite), 0},
		{"POST /orgs/{id}/move", s.orgMove, onOrg(party.ActOrgWrite), maxFormBody},
		{"GET /orgs/{id}/dissolve", s.orgDissolveForm, onOrg(party.ActOrgWrite), 0},
		{"POST /orgs/{id}/dissolve", s.orgDissolve, onOrg(party.ActOrgWrite), maxFormBody},

		// exports.go: spreadsheets.
		{"GET /orgs/{id}/members.xlsx", s.membersExport, onOrg(party.ActMemberExport), 0},
		{"GET /orgs/{id}/template.xlsx", s.membersTemplate, onOrg(party.ActMemberImport), 0},
		{"GET /orgs/template.xlsx", s.orgsTemplate, anywhere(party.ActOrgWrite), 0},

		// imports.go: roster and organization sheet, previewed before they are imported.
		{"GET /orgs/{id}/import", s.memberImportForm, onOrg(party.ActMemberImport), 0},
		{"POST /orgs/{id}/import", s.memberImportPreview, onOrg(party.ActMemberImport), maxUploadBody},
		{"POST /orgs/{id}/import/{token}", s.memberImportConfirm, onOrg(party.ActMemberImport), maxFormBody},
		{"GET /orgs/import", s.orgImportForm, anywhere(party.ActOrgWrite), 0},
		{"POST /orgs/import", s.orgImportPreview, anywhere(party.ActOrgWrite), maxUploadBody},
		{"POST /orgs/import/confirm/{token}", s.orgImportConfirm, anywhere(party.ActOrgWrite), maxFormBody},

		// members.go: one member, and the forms that change a member.
		{"GET /orgs/{id}/members/new", s.memberNew, onOrg(party.ActMemberWrite), 0},
		{"POST /orgs/{id}/members", s.memberCreate, onOrg(party.ActMemberWrite), maxFormBody},
		{"GET /members/{id}", s.memberShow, onMember(party.ActMemberRead), 0},
		{"POST /members/{id}/unmask", s.memberUnmask, onMember(party.ActMemberUnmask), maxFormBody},
		{"GET /members/{id}/edit", s.memberEdit, onMember(party.ActMemberWrite), 0},
		{"POST /members/{id}/edit", s.memberUpdate, onMember(party.ActMemberWrite), maxFormBody},

		// member_records.go: transfers, positions, temporary-branch attachments.
		{"GET /members/{id}/transfer", s.memberTransferForm, onMember(party.ActMemberWrite), 0},
		{"POST /members/{id}/transfer", s.memberTransfer, onMember(party.ActMemberWrite), maxFormBody},
		{"GET /members/{id}/move", s.memberMoveForm, onMember(party.ActMemberWrite), 0},
		{"POST /members/{id}/move", s.memberMove, onMember(party.ActMemberWrite), maxFormBody},
		{"GET /members/{id}/positions/new", s.positionNew, onMember(party.ActMemberWrite), 0},
		{"POST /members/{id}/positions", s.positionCreate, onMember(party.ActMemberWrite), maxFormBody},
		{"POST /members/{id}/positions/{pid}/end", s.positionEnd, onMember(party.ActMemberWrite), maxFormBody},
		{"GET /members/{id}/attach", s.attachNew, onMember(party.ActMemberWrite), 0},
		{"POST /members/{id}/attach", s.attachCreate, onMember(party.ActMemberWrite), maxFormBody},
		{"POST /members/{id}/attachments/{aid}/end", s.attachEnd, onMember(party.ActMemberWrite), maxFormBody},

		// admin.go: accounts (系统管理员), role grants and the security policy (安全管理员).
		{"GET /admin/users", s.userList, anywhere(party.ActAccountRead), 0},
		{"GET /admin/users/new", s.userNew, anywhere(party.ActAccountAdmin), 0},
		{"POST /admin/users", s.userCreate, anywhere(party.ActAccountAdmin), maxFormBody},
		{"GET /admin/users/{uid}", s.userShow, anywhere(party.ActAccountRead), 0},
		{"POST /admin/users/{uid}/disable", s.userDisable, anywhere(party.ActAccountAdmin), maxFormBody},
		{"POST /admin/users/{uid}/enable", s.userEnable, anywhere(party.ActAccountAdmin), maxFormBody},
		{"POST /admin/users/{uid}/unlock", s.userUnlock, anywhere(party.ActAccountAdmin), maxFormBody},
		{"POST /admin/users/{uid}/password", s.userResetPassword, anywhere(party.ActAccountAdmin), maxFormBody},
		{"POST /admin/users/{uid}/2fa/reset", s.userResetTOTP, anywhere(party.ActAccountAdmin), maxFormBody},
		{"POST /admin/users/{uid}/sessions/end", s.userEndSessions, anywhere(party.ActAccountAdmin), maxFormBody},
		{"POST /admin/users/{uid}/tokens/{tid}/revoke", s.userRevokeToken, anywhere(party.ActAccountAdmin), maxFormBody},
		{"POST /admin/users/{uid}/grants", s.grantCreate, anywhere(party.ActRoleGrant), maxFormBody},
		{"POST /admin/users/{uid}/grants/{gid}/revoke", s.grantRevoke, anywhere(party.ActRoleGrant), maxFormBody},
		{"GET /admin/policy", s.policyForm, anywhere(party.ActPolicyAdmin), 0},
		{"POST /admin/policy", s.policySave, anywhere(party.ActPolicyAdmin), maxFormBody},

		// auditlog.go: the audit trail, for the 审计管理员.
		{"GET /audit", s.auditSearch, anywhere(party.ActAuditRead), 0},
		{"GET /audit.xlsx", s.auditExport, anywhere(party.ActAuditRead), 0},
	}
}

// register adds the route table and the JSON API's to a new mux, each route behind its guard
// and body limit.
func (s *Server) register() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range s.table() {
		h := s.guard(rt)
		if rt.body > 0 {
			// The limit wraps the guard, which may read a form to find the record it checks.
			h = http.MaxBytesHandler(h, rt.body)
		}
		mux.Handle(rt.pattern, h)
	}
	s.api.Register(mux)
	return mux
}

// Routes lists every registered route with who may use it, the JSON API's included, so a
// test can check that each one is covered by the permission matrix.
func (s *Server) Routes() []Route {
	var out []Route
	for _, rt := range s.table() {
		out = append(out, Route{Pattern: rt.pattern, Access: rt.rule.String()})
	}
	for _, rt := range s.api.Routes() {
		out = append(out, Route{Pattern: rt.Pattern, Access: rt.Access})
	}
	return out
}
