package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.run(t, []scenario{
			{name: "NoToken", method: "GET", url: "/api/v1/orgs", status: 401, reqHeader: map[string]string{"Authorization": ""},
				json: map[string]any{"error.code": "unauthorized"}, header: map[string]string{"WWW-Authenticate": `Bearer realm="dangjian"`},
				notContains: []string{"机关党支部"}},
			{name: "NotBearer", method: "GET", url: "/api/v1/orgs", status: 401,
				reqHeader: map[string]string{"Authorization": "Basic YWRtaW46eA=="}},
			{name: "UnknownToken", method: "GET", url: "/api/v1/orgs", status: 401,
				reqHeader: map[string]string{"Authorization": "Bearer dj_" + strings.Repeat("A", 43)}},
			{name: "SessionTokenIsNoAPIToken", method: "GET", url: "/api/v1/orgs", status: 401,
				reqHeader: map[string]string{"Authorization": "Bearer " + strings.Repeat("A", 43)}},
			{name: "UnknownRouteNeedsToken", method: "GET", url: "/api/v1/nothing", status: 401,
				reqHeader: map[string]string{"Authorization": ""}},
		})
		t.Run("RevokedAndExpired", func(t *testing.T) {
			ctx := context.Background()
			u, err := db.FindUserByName(ctx, "admin")
			storetest.MustDo(t, "find", err)
			tok, rec, err := e.auth.CreateToken(ctx, u.ID, "短期", db.Now().Add(time.Hour))
			storetest.MustDo(t, "token", err)
			e.vars["short"] = tok
			e.run(t, []scenario{{name: "Works", method: "GET", url: "/api/v1/orgs", status: 200,
				reqHeader: map[string]string{"Authorization": "Bearer {short}"}}})
			storetest.MustDo(t, "revoke", db.RevokeToken(ctx, rec.ID))
			e.run(t, []scenario{{name: "Revoked", method: "GET", url: "/api/v1/orgs", status: 401,
				reqHeader: map[string]string{"Authorization": "Bearer {short}"}}})
			tok, _, err = e.auth.CreateToken(ctx, u.ID, "短期", db.Now().Add(time.Hour))
			storetest.MustDo(t, "token", err)
			e.vars["short"] = tok
			later := db.Now().Add(2 * time.Hour)
			db.Now = func() time.Time { return later }
			e.run(t, []scenario{{name: "Expired", method: "GET", url: "/api/v1/orgs", status: 401,
				reqHeader: map[string]string{"Authorization": "Bearer {short}"}}})
		})
	})
}

func TestScopedTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := func(k string) int64 {
			var n int64
			for _, c := range e.vars[k] {
				n = n*10 + int64(c-'0')
			}
			return n
		}
		e.vars["leader"] = e.tokenFor(t, "leader", party.Grant{Role: party.RoleLeader, OrgID: id("branch")})
		e.vars["two"] = e.tokenFor(t, "two", party.Grant{Role: party.RoleLeader, OrgID: id("branch")},
			party.Grant{Role: party.RoleLeader, OrgID: id("other")})
		e.vars["shuji"] = e.tokenFor(t, "shuji", party.Grant{Role: party.RoleSecretary, OrgID: id("other")})
		e.vars["self"] = e.tokenFor(t, "self", party.Grant{Role: party.RoleMember, MemberID: id("zhang")})
		as := func(k string) map[string]string { return map[string]string{"Authorization": "Bearer {" + k + "}"} }
		e.run(t, []scenario{
			{name: "OrgListIsTheSubtree", method: "GET", url: "/api/v1/orgs", status: 200, reqHeader: as("leader"),
				json: map[string]any{"items.#": 2, "items.0.name": "机关党支部", "items.0.member_count": 5, "items.1.name": "第一党小组"}},
			{name: "ParentIsNotFound", method: "GET", url: "/api/v1/orgs/{top}", status: 404, reqHeader: as("leader"),
				json: map[string]any{"error.message": "组织不存在"}},
			{name: "MembersDefaultToTheOneSubtree", method: "GET", url: "/api/v1/members", status: 200, reqHeader: as("leader"),
				json: map[string]any{"total": 5}},
			{name: "TwoSubtreesNeedOrg", method: "GET", url: "/api/v1/members", status: 400, reqHeader: as("two"),
				json: map[string]any{"error.field": "org"}},
			{name: "TwoSubtreesListBoth", method: "GET", url: "/api/v1/orgs", status: 200, reqHeader: as("two"),
				json: map[string]any{"items.#": 3}},
			{name: "BranchFilterOutsideIsNotFound", method: "GET", url: "/api/v1/members?branch={branch}", status: 404,
				reqHeader: as("shuji")},
			{name: "IDNumberSearchStaysInTheSubtree", method: "GET", url: "/api/v1/members?q={id_wang}", status: 200,
				reqHeader: as("shuji"), json: map[string]any{"total": 0}},
			{name: "CreateInOtherSubtreeRefused", method: "POST", url: "/api/v1/members", status: 400, reqHeader: as("shuji"),
				body: memberBody(map[string]string{"org_id": "{branch}"}), json: map[string]any{"error.field": "org_id",
					"error.message": "所在党支部不存在"}},
			{name: "ReadOnlyRoleCannotWrite", method: "PATCH", url: "/api/v1/orgs/{branch}", status: 403, reqHeader: as("leader"),
				body: `{"name": "改名"}`, json: map[string]any{"error.code": "forbidden"}},
			{name: "MemberReadsOwnRecord", method: "GET", url: "/api/v1/members/{zhang}", status: 200, reqHeader: as("self")},
			{name: "MemberNotOthers", method: "GET", url: "/api/v1/members/{wang}", status: 404, reqHeader: as("self")},
			{name: "MemberListIsEmpty", method: "GET", url: "/api/v1/members", status: 200, reqHeader: as("self"),
				json: map[string]any{"items.#": 0}},
			{name: "LeaderCannotUnmask", method: "POST", url: "/api/v1/members/{wang}/unmask", status: 403, reqHeader: as("leader")},
			{name: "Unmask", method: "POST", url: "/api/v1/members/{wang}/unmask", status: 200, unmasked: true,
				json: map[string]any{"id_number": "{id_wang}", "name": "王五"}},
		})
		rows, err := db.AuditFor(context.Background(), store.ObjMember, id("wang"), 5)
		storetest.MustDo(t, "audit", err)
		if len(rows) == 0 || rows[0].Action != store.ActUnmask || rows[0].Username != "admin" || !strings.Contains(rows[0].Source, "api") {
			t.Fatalf("the unmask left no audit row: %+v", rows)
		}
	})
}

func TestLargeBodyWithoutTokenIsNotRead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := httptest.NewRequest("POST", "/api/v1/orgs", strings.NewReader(strings.Repeat("x", 2<<20)))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("status %d", w.Code)
		}
	})
}
