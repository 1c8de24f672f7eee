package api

import (
	"net/http"
	"strings"

	"dangjian/internal/party"
)

// route is one entry of the route table: the pattern, the handler and who may use it.
type route struct {
	pattern string
	handler handlerFunc
	rule    rule
}

// Route describes a registered API route: its pattern and who may use it.
type Route struct {
	Pattern string
	Access  string
}

// table is the whole API: every route, the file that serves it, and who may use it.
func (a *API) table() []route {
	return append(a.baseRoutes(), a.eventRoutes()...) // routes_events.go: events, compliance, topics
}

// baseRoutes are the routes of organizations and members.
func (a *API) baseRoutes() []route {
	return []route{
		// Organizations (orgs.go).
		{"GET /api/v1/orgs", a.listOrgs, anywhere(party.ActOrgRead)},
		{"POST /api/v1/orgs", a.createOrg, anywhere(party.ActOrgWrite)},
		{"GET /api/v1/orgs/{id}", a.getOrg, onOrg(party.ActOrgRead)},
		{"PATCH /api/v1/orgs/{id}", a.updateOrg, onOrg(party.ActOrgWrite)},
		{"POST /api/v1/orgs/{id}/move", a.moveOrg, onOrg(party.ActOrgWrite)},
		{"POST /api/v1/orgs/{id}/dissolve", a.dissolveOrg, onOrg(party.ActOrgWrite)},
		{"GET /api/v1/orgs/{id}/officers", a.orgOfficers, onOrg(party.ActOrgRead)},
		{"GET /api/v1/orgs/{id}/stats", a.orgStats, onOrg(party.ActOrgRead)},
		{"POST /api/v1/orgs/{id}/attachments", a.attachMember, onOrg(party.ActMemberWrite)},
		{"POST /api/v1/attachments/{id}/end", a.endAttachment, onAttachment(party.ActMemberWrite)},

		// Members (members.go).
		{"GET /api/v1/members", a.listMembers, anywhere(party.ActMemberRead)},
		{"POST /api/v1/members", a.createMember, anywhere(party.ActMemberWrite)},
		{"GET /api/v1/members/{id}", a.getMember, onMember(party.ActMemberRead)},
		{"POST /api/v1/members/{id}/unmask", a.unmaskMember, onMember(party.ActMemberUnmask)},
		{"PUT /api/v1/members/{id}", a.updateMember, onMember(party.ActMemberWrite)},
		{"POST /api/v1/members/{id}/transfer-out", a.transferOut, onMember(party.ActMemberWrite)},
		{"POST /api/v1/members/{id}/move", a.moveMember, onMember(party.ActMemberWrite)},
		{"POST /api/v1/members/{id}/positions", a.addPosition, onMember(party.ActMemberWrite)},
		{"POST /api/v1/positions/{id}/end", a.endPosition, onPosition(party.ActMemberWrite)},
	}
}

// catchAll answers every other path under /api/v1/ in JSON.
const catchAll = "/api/v1/"

// Register adds every /api/v1 route to mux, each behind its rule.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range a.table() {
		mux.Handle(rt.pattern, a.handle(rt.rule, rt.handler))
	}
	// Anything else under /api/v1/ answers JSON too: 405 for a known path, else 404.
	mux.Handle(catchAll, a.handle(signedIn, unknownRoute(mux)))
}

// Routes lists every route Register adds, with who may use it.
func (a *API) Routes() []Route {
	var out []Route
	for _, rt := range a.table() {
		out = append(out, Route{Pattern: rt.pattern, Access: rt.rule.String()})
	}
	return append(out, Route{Pattern: catchAll, Access: signedIn.String()})
}

// unknownRoute answers a request no route matched: 405 with Allow when the path exists with
// other methods, else 404.
func unknownRoute(mux *http.ServeMux) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if m == r.Method {
				continue
			}
			probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != catchAll {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			return notFound("请求的接口不存在")
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return &requestError{status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed,
			message: "该接口不支持 " + r.Method + " 方法，可用：" + strings.Join(allow, ", ")}
	}
}
