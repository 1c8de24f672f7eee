package api

import (
	"net/http"
	"strings"
)

// Register adds every /api/v1 route to mux; this table is the whole API.
func (a *API) Register(mux *http.ServeMux) {
	// Organizations (orgs.go).
	mux.Handle("GET /api/v1/orgs", a.handle(a.listOrgs))
	mux.Handle("POST /api/v1/orgs", a.handle(a.createOrg))
	mux.Handle("GET /api/v1/orgs/{id}", a.handle(a.getOrg))
	mux.Handle("PATCH /api/v1/orgs/{id}", a.handle(a.updateOrg))
	mux.Handle("POST /api/v1/orgs/{id}/move", a.handle(a.moveOrg))
	mux.Handle("POST /api/v1/orgs/{id}/dissolve", a.handle(a.dissolveOrg))
	mux.Handle("GET /api/v1/orgs/{id}/officers", a.handle(a.orgOfficers))
	mux.Handle("GET /api/v1/orgs/{id}/stats", a.handle(a.orgStats))
	mux.Handle("POST /api/v1/orgs/{id}/attachments", a.handle(a.attachMember))
	mux.Handle("POST /api/v1/attachments/{id}/end", a.handle(a.endAttachment))

	// Members (members.go).
	mux.Handle("GET /api/v1/members", a.handle(a.listMembers))
	mux.Handle("POST /api/v1/members", a.handle(a.createMember))
	mux.Handle("GET /api/v1/members/{id}", a.handle(a.getMember))
	mux.Handle("PUT /api/v1/members/{id}", a.handle(a.updateMember))
	mux.Handle("POST /api/v1/members/{id}/transfer-out", a.handle(a.transferOut))
	mux.Handle("POST /api/v1/members/{id}/move", a.handle(a.moveMember))
	mux.Handle("POST /api/v1/members/{id}/positions", a.handle(a.addPosition))
	mux.Handle("POST /api/v1/positions/{id}/end", a.handle(a.endPosition))

	// Anything else under /api/v1/ answers JSON too: 405 for a known path, else 404.
	mux.Handle("/api/v1/", a.handle(unknownRoute(mux)))
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
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/v1/" {
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
