package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// matrixRoles are the principals of the permission matrix: anonymous, and one account per role.
// The subtree roles hold their grant on the bureau's 党组 (党建管理员, 纪检, 领导) or on its
// 机关党支部 (支部书记, 组织委员); the 党员 is linked to 李四 of that branch.
var matrixRoles = []string{"anon", "admin", "sec", "org", "mem", "jj", "ld", "sys", "safe", "aud"}

// cell is one row of the permission matrix: a registered route, a request to it about a record
// of the principals' own subtree and one about a record of another bureau, and the status every
// principal must get for each.
type cell struct {
	pattern string
	// own and other are the paths, with {placeholders}; other is empty for a route that names no
	// record of a subtree.
	own, other string
	// form is the web form sent with a POST; json is the API body (default {}).
	form url.Values
	json string
	// wantOwn and wantOther say who gets which status: "anon=303 admin,sec=200 *=404".
	wantOwn, wantOther string
	// fresh signs the principal in again first, for a route that ends the session.
	fresh bool
	// revealed marks the answers that show full numbers (unmask).
	revealed bool
}

// The usual expectations.
const (
	webReaders = "admin,sec,org,jj,ld"
	webNone    = "mem,sys,safe,aud"
)

// matrix is the scenario table: every route of the web and the API, by principal.
func matrix() []cell {
	out := baseMatrix()
	for _, rows := range matrixExtraRows {
		out = append(out, rows()...)
	}
	return out
}

// matrixExtraRows and matrixExtraRecords let the test files of each area add their routes'
// rows and the records (placeholders) those rows name, from an init function.
var (
	matrixExtraRows    []func() []cell
	matrixExtraRecords []func(t *testing.T, fx *fixture, vars map[string]string)
)

// baseMatrix is the rows of the foundation's and the accounts' routes.
func baseMatrix() []cell {
	empty := url.Values{}
	mismatch := url.Values{"password": {"Aa1-aaaaaa"}, "password2": {"Bb2-bbbbbb"}}
	return []cell{
		// The routes without a session.
		{pattern: "GET /static/{path...}", own: "/static/app.css", wantOwn: "*=200"},
		{pattern: "GET /healthz", own: "/healthz", wantOwn: "*=200"},
		{pattern: "GET /signin", own: "/signin", wantOwn: "anon=200 *=303"},
		{pattern: "POST /signin", own: "/signin", form: empty, wantOwn: "*=401"},
		{pattern: "GET /setup", own: "/setup", wantOwn: "*=404"},
		{pattern: "POST /setup", own: "/setup", form: empty, wantOwn: "*=404"},
		{pattern: "POST /signout", own: "/signout", form: empty, wantOwn: "anon=401 *=303", fresh: true},
		{pattern: "GET /{$}", own: "/", wantOwn: "*=303"},

		// One's own account.
		{pattern: "GET /account", own: "/account", wantOwn: "anon=303 *=200"},
		{pattern: "GET /account/password", own: "/account/password", wantOwn: "anon=303 *=200"},
		{pattern: "POST /account/password", own: "/account/password", form: mismatch, wantOwn: "anon=401 *=422"},
		{pattern: "GET /account/2fa", own: "/account/2fa", wantOwn: "anon=303 *=200"},
		{pattern: "POST /account/2fa", own: "/account/2fa", form: empty, wantOwn: "anon=401 *=422"},
		{pattern: "POST /account/2fa/disable", own: "/account/2fa/disable", form: empty, wantOwn: "anon=401 *=422"},
		{pattern: "POST /account/sessions/end", own: "/account/sessions/end", form: empty, wantOwn: "anon=401 *=303"},
		{pattern: "POST /account/tokens", own: "/account/tokens", form: empty, wantOwn: "anon=401 *=422"},
		{pattern: "POST /account/tokens/{tid}/revoke", own: "/account/tokens/{mytoken}/revoke", form: empty,
			wantOwn: "anon=401 *=303", other: "/account/tokens/{usertoken}/revoke", wantOther: "anon=401 *=404"},

		// Organizations.
		{pattern: "GET /orgs", own: "/orgs", wantOwn: "anon=303 " + webReaders + "=200 *=403"},
		{pattern: "GET /orgs/{id}", own: "/orgs/{org}", wantOwn: "anon=303 " + webReaders + "=200 *=404",
			other: "/orgs/{otherorg}", wantOther: "anon=303 *=404"},
		{pattern: "GET /orgs/new", own: "/orgs/new?parent={org}", wantOwn: "anon=303 admin=200 sec,org,jj,ld=403 *=404",
			other: "/orgs/new?parent={otherorg}", wantOther: "anon=303 *=404"},
		{pattern: "POST /orgs", own: "/orgs", form: url.Values{"parent_id": {"{org}"}},
			wantOwn: "anon=401 admin=422 sec,org,jj,ld=403 *=404",
			other:   "/orgs?other=1", wantOther: "anon=401 *=404"},
		{pattern: "GET /orgs/{id}/edit", own: "/orgs/{org}/edit", wantOwn: "anon=303 admin=200 sec,org,jj,ld=403 *=404",
			other: "/orgs/{otherorg}/edit", wantOther: "anon=303 *=404"},
		{pattern: "POST /orgs/{id}/edit", own: "/orgs/{org}/edit", form: empty, wantOwn: "anon=401 admin=422 sec,org,jj,ld=403 *=404",
			other: "/orgs/{otherorg}/edit", wantOther: "anon=401 *=404"},
		{pattern: "GET /orgs/{id}/move", own: "/orgs/{org}/move", wantOwn: "anon=303 admin=200 sec,org,jj,ld=403 *=404",
			other: "/orgs/{otherorg}/move", wantOther: "anon=303 *=404"},
		{pattern: "POST /orgs/{id}/move", own: "/orgs/{org}/move", form: empty, wantOwn: "anon=401 admin=422 sec,org,jj,ld=403 *=404",
			other: "/orgs/{otherorg}/move", wantOther: "anon=401 *=404"},
		{pattern: "GET /orgs/{id}/dissolve", own: "/orgs/{org}/dissolve", wantOwn: "anon=303 admin=200 sec,org,jj,ld=403 *=404",
			other: "/orgs/{otherorg}/dissolve", wantOther: "anon=303 *=404"},
		{pattern: "POST /orgs/{id}/dissolve", own: "/orgs/{org}/dissolve", form: empty,
			wantOwn: "anon=401 admin=422 sec,org,jj,ld=403 *=404", other: "/orgs/{otherorg}/dissolve", wantOther: "anon=401 *=404"},

		// Spreadsheets and imports.
		{pattern: "GET /orgs/{id}/members.xlsx", own: "/orgs/{org}/members.xlsx", wantOwn: "anon=303 " + webReaders + "=200 *=404",
			other: "/orgs/{otherorg}/members.xlsx", wantOther: "anon=303 *=404"},
		{pattern: "GET /orgs/{id}/template.xlsx", own: "/orgs/{org}/template.xlsx", wantOwn: "anon=303 admin,sec,org=200 jj,ld=403 *=404",
			other: "/orgs/{otherorg}/template.xlsx", wantOther: "anon=303 *=404"},
		{pattern: "GET /orgs/template.xlsx", own: "/orgs/template.xlsx", wantOwn: "anon=303 admin=200 *=403"},
		{pattern: "GET /orgs/{id}/import", own: "/orgs/{org}/import", wantOwn: "anon=303 admin,sec,org=200 jj,ld=403 *=404",
			other: "/orgs/{otherorg}/import", wantOther: "anon=303 *=404"},
		{pattern: "POST /orgs/{id}/import", own: "/orgs/{org}/import", form: empty, wantOwn: "anon=401 admin,sec,org=422 jj,ld=403 *=404",
			other: "/orgs/{otherorg}/import", wantOther: "anon=401 *=404"},
		{pattern: "POST /orgs/{id}/import/{token}", own: "/orgs/{org}/import/{token}", form: empty,
			wantOwn: "anon=401 admin,sec,org=410 jj,ld=403 *=404", other: "/orgs/{otherorg}/import/{token}", wantOther: "anon=401 *=404"},
		{pattern: "GET /orgs/import", own: "/orgs/import", wantOwn: "anon=303 admin=200 *=403"},
		{pattern: "POST /orgs/import", own: "/orgs/import", form: empty, wantOwn: "anon=401 admin=422 *=403"},
		{pattern: "POST /orgs/import/confirm/{token}", own: "/orgs/import/confirm/{token}?parent={org}", form: empty,
			wantOwn: "anon=401 admin=410 *=403", other: "/orgs/import/confirm/{token}?parent={otherorg}", wantOther: "anon=401 admin=404 *=403"},

		// Members.
		{pattern: "GET /orgs/{id}/members/new", own: "/orgs/{org}/members/new", wantOwn: "anon=303 admin,sec,org=200 jj,ld=403 *=404",
			other: "/orgs/{otherorg}/members/new", wantOther: "anon=303 *=404"},
		{pattern: "POST /orgs/{id}/members", own: "/orgs/{org}/members", form: empty, wantOwn: "anon=401 admin,sec,org=422 jj,ld=403 *=404",
			other: "/orgs/{otherorg}/members", wantOther: "anon=401 *=404"},
		{pattern: "GET /members/{id}", own: "/members/{member}", wantOwn: "anon=303 " + webReaders + ",mem=200 *=404",
			other: "/members/{othermember}", wantOther: "anon=303 *=404"},
		{pattern: "POST /members/{id}/unmask", own: "/members/{member}/unmask", form: empty, revealed: true,
			wantOwn: "anon=401 admin,sec,org,mem=200 jj,ld=403 *=404", other: "/members/{othermember}/unmask", wantOther: "anon=401 *=404"},
		{pattern: "GET /members/{id}/edit", own: "/members/{member}/edit", wantOwn: "anon=303 admin,sec,org=200 jj,ld,mem=403 *=404",
			other: "/members/{othermember}/edit", wantOther: "anon=303 *=404"},
		{pattern: "POST /members/{id}/edit", own: "/members/{member}/edit", form: empty,
			wantOwn: "anon=401 admin,sec,org=422 jj,ld,mem=403 *=404", other: "/members/{othermember}/edit", wantOther: "anon=401 *=404"},
		{pattern: "GET /members/{id}/transfer", own: "/members/{member}/transfer", wantOwn: "anon=303 admin,sec,org=200 jj,ld,mem=403 *=404",
			other: "/members/{othermember}/transfer", wantOther: "anon=303 *=404"},
		{pattern: "POST /members/{id}/transfer", own: "/members/{member}/transfer", form: empty,
			wantOwn: "anon=401 admin,sec,org=422 jj,ld,mem=403 *=404", other: "/members/{othermember}/transfer", wantOther: "anon=401 *=404"},
		{pattern: "GET /members/{id}/move", own: "/members/{member}/move", wantOwn: "anon=303 admin,sec,org=200 jj,ld,mem=403 *=404",
			other: "/members/{othermember}/move", wantOther: "anon=303 *=404"},
		{pattern: "POST /members/{id}/move", own: "/members/{member}/move", form: url.Values{"org_id": {"{otherorg}"}, "on": {"2026-11-01"}},
			wantOwn: "anon=401 admin,sec,org=422 jj,ld,mem=403 *=404", other: "/members/{othermember}/move", wantOther: "anon=401 *=404"},
		{pattern: "GET /members/{id}/positions/new", own: "/members/{member}/positions/new",
			wantOwn: "anon=303 admin,sec,org=200 jj,ld,mem=403 *=404", other: "/members/{othermember}/positions/new", wantOther: "anon=303 *=404"},
		{pattern: "POST /members/{id}/positions", own: "/members/{member}/positions", form: url.Values{"org_id": {"{otherorg}"},
			"title": {"委员"}, "start_on": {"2026-01-01"}}, wantOwn: "anon=401 admin,sec,org=422 jj,ld,mem=403 *=404",
			other: "/members/{othermember}/positions", wantOther: "anon=401 *=404"},
		{pattern: "POST /members/{id}/positions/{pid}/end", own: "/members/{member}/positions/{pos}/end", form: empty,
			wantOwn: "anon=401 admin,sec,org=422 jj,ld,mem=403 *=404", other: "/members/{othermember}/positions/{otherpos}/end", wantOther: "anon=401 *=404"},
		{pattern: "GET /members/{id}/attach", own: "/members/{member}/attach", wantOwn: "anon=303 admin=200 sec,org=409 jj,ld,mem=403 *=404",
			other: "/members/{othermember}/attach", wantOther: "anon=303 *=404"},
		{pattern: "POST /members/{id}/attach", own: "/members/{member}/attach", form: url.Values{"org_id": {"{othertemp}"}},
			wantOwn: "anon=401 admin=422 sec,org=409 jj,ld,mem=403 *=404", other: "/members/{othermember}/attach", wantOther: "anon=401 *=404"},
		{pattern: "POST /members/{id}/attachments/{aid}/end", own: "/members/{member}/attachments/{att}/end", form: empty,
			wantOwn: "anon=401 admin,sec,org=422 jj,ld,mem=403 *=404", other: "/members/{othermember}/attachments/{otheratt}/end", wantOther: "anon=401 *=404"},

		// Accounts, grants and policy: the 三员. These name no party record, so there is no other subtree.
		{pattern: "GET /admin/users", own: "/admin/users", wantOwn: "anon=303 sys,safe=200 *=403"},
		{pattern: "GET /admin/users/new", own: "/admin/users/new", wantOwn: "anon=303 sys=200 *=403"},
		{pattern: "POST /admin/users", own: "/admin/users", form: empty, wantOwn: "anon=401 sys=422 *=403"},
		{pattern: "GET /admin/users/{uid}", own: "/admin/users/{user}", wantOwn: "anon=303 sys,safe=200 *=403"},
		{pattern: "POST /admin/users/{uid}/disable", own: "/admin/users/{user}/disable", form: empty, wantOwn: "anon=401 sys=303 *=403"},
		{pattern: "POST /admin/users/{uid}/enable", own: "/admin/users/{user}/enable", form: empty, wantOwn: "anon=401 sys=303 *=403"},
		{pattern: "POST /admin/users/{uid}/unlock", own: "/admin/users/{user}/unlock", form: empty, wantOwn: "anon=401 sys=303 *=403"},
		{pattern: "POST /admin/users/{uid}/password", own: "/admin/users/{user}/password", form: mismatch, wantOwn: "anon=401 sys=422 *=403"},
		{pattern: "POST /admin/users/{uid}/2fa/reset", own: "/admin/users/{user}/2fa/reset", form: empty, wantOwn: "anon=401 sys=303 *=403"},
		{pattern: "POST /admin/users/{uid}/sessions/end", own: "/admin/users/{user}/sessions/end", form: empty, wantOwn: "anon=401 sys=303 *=403"},
		{pattern: "POST /admin/users/{uid}/tokens/{tid}/revoke", own: "/admin/users/{user}/tokens/{usertoken}/revoke", form: empty,
			wantOwn: "anon=401 sys=303 *=403"},
		{pattern: "POST /admin/users/{uid}/grants", own: "/admin/users/{user}/grants", form: empty, wantOwn: "anon=401 safe=422 *=403"},
		{pattern: "POST /admin/users/{uid}/grants/{gid}/revoke", own: "/admin/users/{user}/grants/{grant}/revoke", form: empty,
			wantOwn: "anon=401 safe=303 *=403"},
		{pattern: "GET /admin/policy", own: "/admin/policy", wantOwn: "anon=303 safe=200 *=403"},
		{pattern: "POST /admin/policy", own: "/admin/policy", form: empty, wantOwn: "anon=401 safe=422 *=403"},
		{pattern: "GET /audit", own: "/audit", wantOwn: "anon=303 aud=200 *=403"},
		{pattern: "GET /audit.xlsx", own: "/audit.xlsx", wantOwn: "anon=303 aud=200 *=403"},

		// The JSON API: a token instead of a session, 401 without one.
		{pattern: "GET /api/v1/orgs", own: "/api/v1/orgs?root={org}", wantOwn: "anon=401 " + webReaders + "=200 *=403",
			other: "/api/v1/orgs?root={otherorg}", wantOther: "anon=401 " + webReaders + "=404 *=403"},
		{pattern: "POST /api/v1/orgs", own: "/api/v1/orgs", json: `{"parent_id": {org}}`, wantOwn: "anon=401 admin=400 *=403",
			other: "/api/v1/orgs?other=1", wantOther: "anon=401 admin=400 *=403"},
		{pattern: "GET /api/v1/orgs/{id}", own: "/api/v1/orgs/{org}", wantOwn: "anon=401 " + webReaders + "=200 *=404",
			other: "/api/v1/orgs/{otherorg}", wantOther: "anon=401 *=404"},
		{pattern: "PATCH /api/v1/orgs/{id}", own: "/api/v1/orgs/{org}", wantOwn: "anon=401 admin=200 sec,org,jj,ld=403 *=404",
			other: "/api/v1/orgs/{otherorg}", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/orgs/{id}/move", own: "/api/v1/orgs/{org}/move", wantOwn: "anon=401 admin=400 sec,org,jj,ld=403 *=404",
			other: "/api/v1/orgs/{otherorg}/move", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/orgs/{id}/dissolve", own: "/api/v1/orgs/{org}/dissolve", wantOwn: "anon=401 admin=400 sec,org,jj,ld=403 *=404",
			other: "/api/v1/orgs/{otherorg}/dissolve", wantOther: "anon=401 *=404"},
		{pattern: "GET /api/v1/orgs/{id}/officers", own: "/api/v1/orgs/{org}/officers", wantOwn: "anon=401 " + webReaders + "=200 *=404",
			other: "/api/v1/orgs/{otherorg}/officers", wantOther: "anon=401 *=404"},
		{pattern: "GET /api/v1/orgs/{id}/stats", own: "/api/v1/orgs/{org}/stats", wantOwn: "anon=401 " + webReaders + "=200 *=404",
			other: "/api/v1/orgs/{otherorg}/stats", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/orgs/{id}/attachments", own: "/api/v1/orgs/{temp}/attachments",
			wantOwn: "anon=401 admin=400 jj,ld=403 *=404", other: "/api/v1/orgs/{othertemp}/attachments", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/attachments/{id}/end", own: "/api/v1/attachments/{att}/end",
			wantOwn: "anon=401 admin=400 jj,ld=403 *=404", other: "/api/v1/attachments/{otheratt}/end", wantOther: "anon=401 *=404"},
		{pattern: "GET /api/v1/members", own: "/api/v1/members?org={org}", wantOwn: "anon=401 " + webReaders + "=200 mem=404 *=403",
			other: "/api/v1/members?org={otherorg}", wantOther: "anon=401 " + webReaders + ",mem=404 *=403"},
		{pattern: "POST /api/v1/members", own: "/api/v1/members", wantOwn: "anon=401 admin,sec,org=400 *=403",
			other: "/api/v1/members?other=1", json: `{"org_id": {otherorg}}`, wantOther: "anon=401 admin,sec,org=400 *=403"},
		{pattern: "GET /api/v1/members/{id}", own: "/api/v1/members/{member}", wantOwn: "anon=401 " + webReaders + ",mem=200 *=404",
			other: "/api/v1/members/{othermember}", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/members/{id}/unmask", own: "/api/v1/members/{member}/unmask", revealed: true,
			wantOwn: "anon=401 admin,sec,org,mem=200 jj,ld=403 *=404", other: "/api/v1/members/{othermember}/unmask", wantOther: "anon=401 *=404"},
		{pattern: "PUT /api/v1/members/{id}", own: "/api/v1/members/{member}", wantOwn: "anon=401 admin,sec,org=400 jj,ld,mem=403 *=404",
			other: "/api/v1/members/{othermember}", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/members/{id}/transfer-out", own: "/api/v1/members/{member}/transfer-out",
			wantOwn: "anon=401 admin,sec,org=400 jj,ld,mem=403 *=404", other: "/api/v1/members/{othermember}/transfer-out", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/members/{id}/move", own: "/api/v1/members/{member}/move", json: `{"org_id": {otherorg}, "on": "2026-11-01"}`,
			wantOwn: "anon=401 admin,sec,org=400 jj,ld,mem=403 *=404", other: "/api/v1/members/{othermember}/move", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/members/{id}/positions", own: "/api/v1/members/{member}/positions",
			json:    `{"org_id": {otherorg}, "title": "委员", "start_on": "2026-01-01"}`,
			wantOwn: "anon=401 admin,sec,org=400 jj,ld,mem=403 *=404", other: "/api/v1/members/{othermember}/positions", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/positions/{id}/end", own: "/api/v1/positions/{pos}/end",
			wantOwn: "anon=401 admin,sec,org=400 jj,ld=403 *=404", other: "/api/v1/positions/{otherpos}/end", wantOther: "anon=401 *=404"},
		{pattern: "/api/v1/", own: "/api/v1/nothing", wantOwn: "anon=401 *=404"},
	}
}

// matrixActor is a principal of the matrix: its session, API token and own records.
type matrixActor struct {
	name   string
	cookie *http.Cookie
	token  string
	vars   map[string]string
}

// expectations parses "anon=303 admin,sec=200 *=404" into a status per principal.
func expectations(t *testing.T, spec string) map[string]int {
	t.Helper()
	out := map[string]int{}
	rest := 0
	for _, part := range strings.Fields(spec) {
		keys, code, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(code)
		if !ok || err != nil {
			t.Fatalf("bad expectation %q", part)
		}
		for _, k := range strings.Split(keys, ",") {
			if k == "*" {
				rest = n
			} else if _, dup := out[k]; dup {
				t.Fatalf("%s named twice in %q", k, spec)
			} else {
				out[k] = n
			}
		}
	}
	for _, r := range matrixRoles {
		if _, ok := out[r]; !ok {
			if rest == 0 {
				t.Fatalf("%q says nothing about %s", spec, r)
			}
			out[r] = rest
		}
	}
	return out
}

// TestPermissionMatrix sends every registered route, as every role and anonymously, a request
// about a record of the principal's own subtree and one about a record of another bureau, and
// checks each status. A route without a row fails the test, so no route goes unchecked.
func TestPermissionMatrix(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		vars := matrixRecords(t, fx)
		actors := map[string]*matrixActor{"anon": {name: "anon", vars: map[string]string{"mytoken": "1"}}}
		grants := map[string]party.Grant{
			"admin": {Role: party.RolePartyAdmin, OrgID: fx.top.ID},
			"sec":   {Role: party.RoleSecretary, OrgID: fx.branch.ID},
			"org":   {Role: party.RoleOrganizer, OrgID: fx.branch.ID},
			"mem":   {Role: party.RoleMember, MemberID: fx.members[1].ID},
			"jj":    {Role: party.RoleDiscipline, OrgID: fx.top.ID},
			"ld":    {Role: party.RoleLeader, OrgID: fx.top.ID},
			"sys":   {Role: party.RoleSysAdmin},
			"safe":  {Role: party.RoleSecAdmin},
			"aud":   {Role: party.RoleAuditAdmin},
		}
		for _, name := range matrixRoles[1:] {
			a := &matrixActor{name: name, cookie: fx.account(t, "m-"+name, grants[name]), vars: map[string]string{}}
			u, err := db.FindUserByName(ctx, "m-"+name)
			storetest.MustDo(t, "find "+name, err)
			a.token, _, err = fx.auth.CreateToken(ctx, u.ID, "矩阵", time.Time{})
			storetest.MustDo(t, "token", err)
			_, spare, err := fx.auth.CreateToken(ctx, u.ID, "备用", time.Time{})
			storetest.MustDo(t, "spare token", err)
			a.vars["mytoken"] = strconv.FormatInt(spare.ID, 10)
			actors[name] = a
		}

		registered := map[string]bool{}
		for _, r := range fx.srv.Routes() {
			registered[r.Pattern] = true
		}
		rows := map[string]bool{}
		for _, c := range matrix() {
			if !registered[c.pattern] {
				t.Errorf("the matrix has a row for %q, which is no registered route", c.pattern)
			}
			rows[c.pattern] = true
		}
		var missing []string
		for p := range registered {
			if !rows[p] {
				missing = append(missing, p)
			}
		}
		sort.Strings(missing)
		for _, p := range missing {
			t.Errorf("route %q has no row in the permission matrix (matrix_test.go): say who may use it", p)
		}

		for _, c := range matrix() {
			t.Run(c.pattern, func(t *testing.T) {
				cases := []struct{ kind, path, want string }{{"own", c.own, c.wantOwn}}
				if c.other != "" {
					cases = append(cases, struct{ kind, path, want string }{"other", c.other, c.wantOther})
				}
				for _, cs := range cases {
					want := expectations(t, cs.want)
					for _, name := range matrixRoles {
						a := actors[name]
						if c.fresh && a.cookie != nil {
							// A session of its own, so the principal's main one survives the request.
							fresh := *a
							fresh.cookie = fx.signIn(t, "m-"+name, testPassword)
							a = &fresh
						}
						got, body := matrixRequest(t, fx, c, cs.kind, cs.path, a, vars)
						if got != want[name] {
							t.Errorf("%s: %s (%s subtree) as %s: status %d, want %d\n%s", c.pattern, fill(cs.path, vars, a.vars),
								cs.kind, name, got, want[name], excerpt(body))
						}
					}
				}
			})
		}
	})
}

// matrixRecords adds a second bureau beside the fixture's, with a branch, a temporary branch
// and a member holding a post and an attachment, and gives 李四 of the fixture the same; it
// returns the placeholders of the matrix.
func matrixRecords(t *testing.T, fx *fixture) map[string]string {
	t.Helper()
	ctx := context.Background()
	db := fx.db
	mk := func(o *party.Org) *party.Org {
		storetest.MustDo(t, "create "+o.Name, db.CreateOrg(ctx, o))
		return o
	}
	otherTop := mk(&party.Org{Name: "中共另一局党组", Code: "Y", Kind: party.KindLeadingGroup})
	otherBranch := mk(&party.Org{Name: "另一局机关党支部", Code: "Y-JG", Kind: party.KindBranch, ParentID: otherTop.ID})
	otherTemp := mk(&party.Org{Name: "另一局临时党支部", Code: "Y-LS", Kind: party.KindTempBranch, ParentID: otherTop.ID,
		StartOn: day("2026-03-01")})
	id := idFor("1980-05-05", true, 77)
	other := &party.Member{Name: "外局党员", Gender: party.Male, Ethnicity: "汉族", BirthDate: day("1980-05-05"),
		IDNumber: party.IDNumber(id), Education: "大学本科", JoinedOn: day("2005-07-01"), FullOn: day("2006-07-01"),
		Category: party.Full, OrgID: otherBranch.ID}
	storetest.MustDo(t, "create other member", db.CreateMember(ctx, other))
	fx.ids = append(fx.ids, id)
	li := fx.members[1]
	pos := &party.Position{MemberID: li.ID, OrgID: fx.branch.ID, Title: "委员", StartOn: day("2025-01-01")}
	storetest.MustDo(t, "position", db.AddPosition(ctx, pos))
	otherPos := &party.Position{MemberID: other.ID, OrgID: otherBranch.ID, Title: "委员", StartOn: day("2025-01-01")}
	storetest.MustDo(t, "other position", db.AddPosition(ctx, otherPos))
	att := &party.TempAttachment{MemberID: li.ID, OrgID: fx.temp.ID}
	storetest.MustDo(t, "attach", db.Attach(ctx, att))
	otherAtt := &party.TempAttachment{MemberID: other.ID, OrgID: otherTemp.ID}
	storetest.MustDo(t, "other attach", db.Attach(ctx, otherAtt))

	target, err := fx.auth.CreateUser(ctx, auth.NewUser{Username: "target", Password: testPassword,
		Grants: []party.Grant{{Role: party.RoleLeader, OrgID: fx.top.ID}}})
	storetest.MustDo(t, "target account", err)
	_, tok, err := fx.auth.CreateToken(ctx, target.ID, "目标", time.Time{})
	storetest.MustDo(t, "target token", err)
	// An event of the fixture's branch at which 李四 (the 党员 principal) is expected, and one of
	// the other bureau.
	ev := &party.Event{OrgID: fx.branch.ID, Type: party.TypeBranchAssembly, Title: "支部党员大会",
		StartAt: time.Date(2026, 6, 10, 14, 30, 0, 0, party.Zone), EndAt: time.Date(2026, 6, 10, 16, 0, 0, 0, party.Zone)}
	storetest.MustDo(t, "event", db.RecordEvent(ctx, ev, nil))
	otherEv := &party.Event{OrgID: otherBranch.ID, Type: party.TypeBranchAssembly, Title: "外局支部党员大会",
		StartAt: time.Date(2026, 6, 11, 14, 30, 0, 0, party.Zone), EndAt: time.Date(2026, 6, 11, 16, 0, 0, 0, party.Zone)}
	storetest.MustDo(t, "other event", db.RecordEvent(ctx, otherEv, nil))
	n := func(id int64) string { return strconv.FormatInt(id, 10) }
	vars := map[string]string{"event": n(ev.ID), "otherevent": n(otherEv.ID), "otherroot": n(otherTop.ID)}
	for _, extra := range matrixExtraRecords {
		extra(t, fx, vars)
	}
	for k, v := range map[string]string{
		"org": n(fx.branch.ID), "member": n(li.ID), "pos": n(pos.ID), "att": n(att.ID), "temp": n(fx.temp.ID),
		"otherorg": n(otherBranch.ID), "othermember": n(other.ID), "otherpos": n(otherPos.ID), "otheratt": n(otherAtt.ID),
		"othertemp": n(otherTemp.ID), "user": n(target.ID), "usertoken": n(tok.ID), "grant": n(target.Grants[0].ID),
		"token": strings.Repeat("ab", 16),
	} {
		vars[k] = v
	}
	return vars
}

// fill replaces {placeholders} from the shared and the principal's own variables.
func fill(s string, vars ...map[string]string) string {
	for _, v := range vars {
		for k, x := range v {
			s = strings.ReplaceAll(s, "{"+k+"}", x)
		}
	}
	return s
}

// matrixRequest sends one cell's request as principal a and returns the status and body.
func matrixRequest(t *testing.T, fx *fixture, c cell, kind, path string, a *matrixActor, vars map[string]string) (int, string) {
	t.Helper()
	method, _, _ := strings.Cut(c.pattern, " ")
	if !strings.Contains(c.pattern, " ") {
		method = http.MethodGet
	}
	target := fill(path, vars, a.vars)
	var body string
	contentType := ""
	switch {
	case strings.HasPrefix(path, "/api/"):
		if method != http.MethodGet {
			body, contentType = "{}", "application/json"
			if c.json != "" {
				body = fill(c.json, vars)
			}
			if kind == "other" && c.pattern == "POST /api/v1/orgs" {
				body = fill(`{"parent_id": {otherorg}}`, vars)
			}
		}
	case method == http.MethodPost:
		form := url.Values{}
		for k, vs := range c.form {
			for _, v := range vs {
				form.Add(k, fill(v, vars))
			}
		}
		if kind == "other" && c.pattern == "POST /orgs" {
			form.Set("parent_id", vars["otherorg"])
		}
		body, contentType = form.Encode(), "application/x-www-form-urlencoded"
	}
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.RemoteAddr = "127.0.0.1:40000"
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if a.cookie != nil {
		r.AddCookie(a.cookie)
	}
	if a.token != "" && strings.HasPrefix(path, "/api/") {
		r.Header.Set("Authorization", "Bearer "+a.token)
	}
	w := httptest.NewRecorder()
	fx.h.ServeHTTP(w, r)
	if !c.revealed {
		fx.checkNoFullIDs(t, request{method: method, path: target}, w)
	}
	return w.Code, w.Body.String()
}
