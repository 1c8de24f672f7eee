package web_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/xuri/excelize/v2"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
	"dangjian/internal/web"
)

// auditCount counts the audit rows of action with outcome ok.
func auditCount(t *testing.T, db *store.DB, action string, ok bool) int {
	t.Helper()
	var n int
	storetest.MustDo(t, "count audit", db.RawQueryRow(context.Background(),
		`SELECT count(*) FROM audit_log WHERE action = $1 AND ok = $2`, action, ok).Scan(&n))
	return n
}

func TestSignInPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.account(t, "reader", party.Grant{Role: party.RoleLeader, OrgID: fx.top.ID})
		signIn := func(user, password, next string) *httptest.ResponseRecorder {
			return fx.do(t, request{method: "POST", path: "/signin", anonymous: true,
				form: url.Values{"username": {user}, "password": {password}, "next": {next}}})
		}
		t.Run("CookieIsHttpOnlyLaxAndNew", func(t *testing.T) {
			w := signIn("reader", testPassword, "")
			c := w.Result().Cookies()
			if len(c) != 1 || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode || c[0].Secure || c[0].Path != "/" {
				t.Fatalf("cookie %+v", c)
			}
			if c[0].Value == fx.cookie.Value || len(c[0].Value) < 43 {
				t.Fatal("a sign-in did not get a fresh 256-bit token")
			}
			if loc := w.Header().Get("Location"); loc != "/reminders" {
				t.Fatalf("went to %q, want the reminders", loc)
			}
		})
		t.Run("SecureCookieUnderTLS", func(t *testing.T) {
			r := httptest.NewRequest("POST", "/signin", strings.NewReader(url.Values{"username": {"reader"}, "password": {testPassword}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.TLS = &tls.ConnectionState{}
			r.RemoteAddr = "192.0.2.9:1234"
			w := httptest.NewRecorder()
			fx.h.ServeHTTP(w, r)
			c := w.Result().Cookies()
			if w.Code != http.StatusSeeOther || len(c) != 1 || !c[0].Secure {
				t.Fatalf("under TLS: status %d cookie %+v", w.Code, c)
			}
			if hsts := w.Header().Get("Strict-Transport-Security"); hsts == "" {
				t.Error("no Strict-Transport-Security under TLS")
			}
		})
		t.Run("NextStaysOnThisSite", func(t *testing.T) {
			for next, want := range map[string]string{
				path("/orgs/%d", fx.branch.ID): path("/orgs/%d", fx.branch.ID),
				"//evil.example/x":             "/reminders",
				"https://evil.example/":        "/reminders",
				"/\\evil.example":              "/reminders",
			} {
				if loc := signIn("reader", testPassword, next).Header().Get("Location"); loc != want {
					t.Errorf("next=%q went to %q, want %q", next, loc, want)
				}
			}
		})
		t.Run("RefusalSaysNothingAboutTheAccount", func(t *testing.T) {
			wrong := signIn("reader", "Wrong-pass-1", "")
			unknown := signIn("nobody", testPassword, "")
			sqlish := signIn(`' OR '1'='1`, `' OR '1'='1`, "")
			markup := signIn(`<script>alert(1)</script>`, "x", "")
			for _, w := range []*httptest.ResponseRecorder{wrong, unknown, sqlish, markup} {
				if w.Code != http.StatusUnauthorized || len(w.Result().Cookies()) != 0 {
					t.Fatalf("refused sign-in: status %d", w.Code)
				}
				if !strings.Contains(w.Body.String(), "用户名、密码或动态验证码不正确") {
					t.Fatalf("refusal message missing\n%s", excerpt(w.Body.String()))
				}
			}
			if strings.Contains(markup.Body.String(), "<script>alert") {
				t.Fatal("a typed username came back unescaped")
			}
			if strings.Contains(wrong.Body.String(), testPassword) || strings.Contains(wrong.Body.String(), "Wrong-pass-1") {
				t.Fatal("the sign-in page repeats a password")
			}
		})
		t.Run("LockoutAfterFiveFailures", func(t *testing.T) {
			fx.account(t, "victim")
			for range 5 {
				signIn("victim", "Wrong-pass-1", "")
			}
			w := signIn("victim", testPassword, "")
			if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "连续失败5次将锁定30分钟") {
				t.Fatalf("the right password opened a locked account: %d", w.Code)
			}
			if auditCount(t, db, store.ActLockout, true) != 1 {
				t.Fatal("the lockout is not in the audit trail")
			}
			db.Now = func() time.Time { return now().Add(31 * time.Minute) }
			defer func() { db.Now = now }()
			if w := signIn("victim", testPassword, ""); w.Code != http.StatusSeeOther {
				t.Fatalf("still locked after 30 minutes: %d", w.Code)
			}
		})
		t.Run("RateLimitPerSource", func(t *testing.T) {
			var last *httptest.ResponseRecorder
			for range 25 {
				last = fx.do(t, request{method: "POST", path: "/signin", anonymous: true, remote: "198.51.100.4:999",
					form: url.Values{"username": {"nobody"}, "password": {"x"}}})
			}
			if last.Code != http.StatusTooManyRequests || !strings.Contains(last.Body.String(), "登录失败次数过多") {
				t.Fatalf("25 failures from one address: status %d", last.Code)
			}
			if w := signIn("reader", testPassword, ""); w.Code != http.StatusSeeOther {
				t.Fatalf("another address was limited too: %d", w.Code)
			}
		})
		if auditCount(t, db, store.ActSignIn, false) == 0 || auditCount(t, db, store.ActSignIn, true) == 0 {
			t.Fatal("sign-ins are missing from the audit trail")
		}
	})
}

func TestSessionLifetime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		clock := now()
		db.Now = func() time.Time { return clock }
		c := fx.signIn(t, "admin", testPassword)
		get := func() int {
			return fx.do(t, request{method: "GET", path: "/orgs", cookie: c}).Code
		}
		clock = clock.Add(29 * time.Minute)
		if get() != http.StatusOK {
			t.Fatal("a session used within 30 minutes ended")
		}
		clock = clock.Add(30 * time.Minute)
		if code := get(); code != http.StatusSeeOther {
			t.Fatalf("a session idle for 30 minutes: %d, want the sign-in page", code)
		}
		t.Run("SignOutDeletesTheSession", func(t *testing.T) {
			c := fx.signIn(t, "admin", testPassword)
			w := fx.do(t, request{method: "POST", path: "/signout", cookie: c, form: url.Values{}})
			if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/signin") {
				t.Fatalf("sign-out: %d", w.Code)
			}
			if cs := w.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
				t.Fatalf("sign-out did not clear the cookie: %+v", cs)
			}
			if code := fx.do(t, request{method: "GET", path: "/orgs", cookie: c}).Code; code != http.StatusSeeOther {
				t.Fatalf("the signed-out token still works: %d", code)
			}
		})
	})
}

func TestSubtreeIsolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		sec := fx.account(t, "shuji", party.Grant{Role: party.RoleSecretary, OrgID: fx.branch.ID})
		zhang, zhao := fx.members[0], fx.members[3]
		fx.run(t, []scenario{
			{name: "TreeShowsOnlyTheBranch", path: "/orgs", cookie: sec, status: http.StatusOK,
				want: []string{"机关党支部", "第一党小组"}, notWant: []string{"体校党支部", "中共测试局党组", "新建顶级组织"}},
			{name: "OwnBranch", path: path("/orgs/%d", fx.branch.ID), cookie: sec, status: http.StatusOK,
				want: []string{"张三", "添加党员"}, notWant: []string{"赵六", "调整隶属关系"}},
			{name: "ParentIsNotFound", path: path("/orgs/%d", fx.top.ID), cookie: sec, status: http.StatusNotFound,
				want: []string{"组织不存在"}},
			{name: "SiblingBranchIsNotFound", path: path("/orgs/%d", fx.other.ID), cookie: sec, status: http.StatusNotFound},
			{name: "SiblingMemberIsNotFound", path: path("/members/%d", zhao.ID), cookie: sec, status: http.StatusNotFound,
				want: []string{"党员不存在"}, notWant: []string{"赵六"}},
			{name: "SiblingExportIsNotFound", path: path("/orgs/%d/members.xlsx", fx.other.ID), cookie: sec, status: http.StatusNotFound},
			{name: "OwnMember", path: path("/members/%d", zhang.ID), cookie: sec, status: http.StatusOK,
				want: []string{"张三", "修改信息", "查看完整号码"}},
			{name: "MoveToASiblingRefused", method: "POST", path: path("/members/%d/move", zhang.ID), cookie: sec,
				form: url.Values{"org_id": {fmtID(fx.other.ID)}, "on": {"2026-11-01"}}, status: http.StatusUnprocessableEntity,
				want: []string{"转入党支部不存在"}},
			{name: "MoveFormOffersOnlyOwnBranches", path: path("/members/%d/move", zhang.ID), cookie: sec, status: http.StatusOK,
				notWant: []string{"体校党支部"}},
			{name: "CreateMemberInParentRefused", method: "POST", path: path("/orgs/%d/members", fx.top.ID), cookie: sec,
				form: url.Values{"name": {"x"}}, status: http.StatusNotFound},
			{name: "NavigationShowsOnlyTheBranch", path: path("/members/%d", zhang.ID), cookie: sec, status: http.StatusOK,
				notWant: []string{`href="/orgs/` + fmtID(fx.top.ID) + `"`}},
		})
		t.Run("MemberSeesOnlyOwnRecord", func(t *testing.T) {
			mem := fx.account(t, "zhangsan", party.Grant{Role: party.RoleMember, MemberID: zhang.ID})
			w := fx.do(t, request{method: "GET", path: "/", cookie: mem})
			if loc := w.Header().Get("Location"); loc != path("/members/%d", zhang.ID) {
				t.Fatalf("a 党员's start page is %q", loc)
			}
			fx.run(t, []scenario{
				{name: "Own", path: path("/members/%d", zhang.ID), cookie: mem, status: http.StatusOK,
					want: []string{"张三", "查看完整号码"}, notWant: []string{"修改信息", `href="/orgs/`}},
				{name: "Other", path: path("/members/%d", fx.members[1].ID), cookie: mem, status: http.StatusNotFound},
				{name: "Branch", path: path("/orgs/%d", fx.branch.ID), cookie: mem, status: http.StatusNotFound},
				{name: "Tree", path: "/orgs", cookie: mem, status: http.StatusForbidden},
			})
		})
		t.Run("TheThreeSeeNoPartyData", func(t *testing.T) {
			for i, role := range []party.Role{party.RoleSysAdmin, party.RoleSecAdmin, party.RoleAuditAdmin} {
				c := fx.account(t, "three-"+string(rune('a'+i)), party.Grant{Role: role})
				for _, p := range []string{"/orgs", path("/orgs/%d", fx.top.ID), path("/members/%d", zhang.ID),
					path("/orgs/%d/members.xlsx", fx.top.ID)} {
					w := fx.do(t, request{method: "GET", path: p, cookie: c})
					if w.Code == http.StatusOK || strings.Contains(w.Body.String(), "张三") {
						t.Errorf("%s reads %s: %d", role, p, w.Code)
					}
				}
			}
		})
	})
}

func TestUnmask(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		li := fx.members[1]
		page := fx.get(t, path("/members/%d", li.ID))
		if strings.Contains(page, string(li.IDNumber)) || !strings.Contains(page, "查看完整号码") {
			t.Fatal("the member page shows the full number, or no unmask button")
		}
		w := fx.do(t, request{method: "POST", path: path("/members/%d/unmask", li.ID), form: url.Values{}, revealed: true})
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, string(li.IDNumber)) || !strings.Contains(body, string(li.Phone)) {
			t.Fatalf("unmask: %d\n%s", w.Code, excerpt(body))
		}
		rows, err := db.AuditFor(context.Background(), store.ObjMember, li.ID, 10)
		storetest.MustDo(t, "audit", err)
		if len(rows) == 0 || rows[0].Action != store.ActUnmask || rows[0].Username != "admin" {
			t.Fatalf("no unmask audit row: %+v", rows)
		}
		if strings.Contains(rows[0].Detail, string(li.IDNumber)) {
			t.Fatal("the audit row holds the number")
		}
		t.Run("LeaderMayNot", func(t *testing.T) {
			c := fx.account(t, "leader", party.Grant{Role: party.RoleLeader, OrgID: fx.top.ID})
			if w := fx.do(t, request{method: "POST", path: path("/members/%d/unmask", li.ID), cookie: c, form: url.Values{}}); w.Code != http.StatusForbidden {
				t.Fatalf("a 领导 unmasked: %d", w.Code)
			}
			if strings.Contains(fx.do(t, request{method: "GET", path: path("/members/%d", li.ID), cookie: c}).Body.String(), "查看完整号码") {
				t.Fatal("a 领导 is offered the unmask button")
			}
		})
	})
}

func TestForcedPasswordChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		sys := fx.account(t, "sysadmin", party.Grant{Role: party.RoleSysAdmin})
		safe := fx.account(t, "secadmin", party.Grant{Role: party.RoleSecAdmin})
		w := fx.do(t, request{method: "POST", path: "/admin/users", cookie: sys, form: url.Values{"username": {"Wang.Wu"},
			"display_name": {"<b>王五</b>"}, "password": {"Initial-2026"}, "password2": {"Initial-2026"}}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("create account: %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		uid := strings.TrimPrefix(strings.Split(w.Header().Get("Location"), "?")[0], "/admin/users/")
		list := fx.do(t, request{method: "GET", path: "/admin/users", cookie: sys}).Body.String()
		if !strings.Contains(list, "wang.wu") || strings.Contains(list, "<b>王五</b>") || !strings.Contains(list, "&lt;b&gt;王五") {
			t.Fatal("the account list does not show the new account with its name escaped")
		}
		w = fx.do(t, request{method: "POST", path: "/admin/users/" + uid + "/grants", cookie: safe,
			form: url.Values{"role": {"领导"}, "org": {fmtID(fx.top.ID)}}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("grant: %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		w = fx.do(t, request{method: "POST", path: "/admin/users/" + uid + "/grants", cookie: safe,
			form: url.Values{"role": {"审计管理员"}, "org": {"0"}}})
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "三员") {
			t.Fatalf("a 三员 role beside a party role: %d", w.Code)
		}
		c := fx.signIn(t, "wang.wu", "Initial-2026")
		if w := fx.do(t, request{method: "GET", path: "/orgs", cookie: c}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account/password" {
			t.Fatalf("before the change: %d %s", w.Code, w.Header().Get("Location"))
		}
		if w := fx.do(t, request{method: "POST", path: path("/orgs/%d/edit", fx.top.ID), cookie: c, form: url.Values{}}); w.Code != http.StatusForbidden {
			t.Fatalf("a write before the change: %d", w.Code)
		}
		w = fx.do(t, request{method: "POST", path: "/account/password", cookie: c,
			form: url.Values{"current": {"Initial-2026"}, "password": {"wang.wu-2026"}, "password2": {"wang.wu-2026"}}})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "不能包含用户名") {
			t.Fatalf("a password with the username: %d", w.Code)
		}
		w = fx.do(t, request{method: "POST", path: "/account/password", cookie: c,
			form: url.Values{"current": {"Initial-2026"}, "password": {"Changed-2026"}, "password2": {"Changed-2026"}}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("change: %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		if w := fx.do(t, request{method: "GET", path: "/orgs", cookie: c}); w.Code != http.StatusOK {
			t.Fatalf("after the change: %d", w.Code)
		}
		t.Run("AdministratorsCannotTakeOverTheThree", func(t *testing.T) {
			u, err := db.FindUserByName(context.Background(), "secadmin")
			storetest.MustDo(t, "find", err)
			w := fx.do(t, request{method: "POST", path: path("/admin/users/%d/password", u.ID), cookie: sys,
				form: url.Values{"password": {"Taken-over-1"}, "password2": {"Taken-over-1"}}})
			if w.Code != http.StatusForbidden {
				t.Fatalf("a 系统管理员 reset the 安全管理员's password: %d", w.Code)
			}
		})
	})
}

func TestRequiredSecondFactor(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		strict := auth.New(db, auth.Options{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}, RequireSecondFactor: true})
		fx.h = web.New(web.Options{DB: db, Auth: strict, Logger: slog.New(slog.NewTextHandler(fx.logs, nil)), Now: now})
		c := fx.signIn(t, "admin", testPassword)
		if w := fx.do(t, request{method: "GET", path: "/orgs", cookie: c}); w.Header().Get("Location") != "/account/2fa" {
			t.Fatalf("an administrator without TOTP reached the tree: %d", w.Code)
		}
		page := fx.do(t, request{method: "GET", path: "/account/2fa", cookie: c}).Body.String()
		m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, `src="data:image/png;base64,`) {
			t.Fatalf("no enrollment on the page\n%s", excerpt(page))
		}
		code, err := totp.GenerateCode(m[1], now())
		storetest.MustDo(t, "code", err)
		w := fx.do(t, request{method: "POST", path: "/account/2fa", cookie: c, form: url.Values{"secret": {m[1]}, "code": {code}}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("enable: %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		if w := fx.do(t, request{method: "GET", path: "/orgs", cookie: c}); w.Code != http.StatusOK {
			t.Fatalf("after enabling: %d", w.Code)
		}
		if w := fx.do(t, request{method: "POST", path: "/signin", anonymous: true,
			form: url.Values{"username": {"admin"}, "password": {testPassword}}}); w.Code != http.StatusUnauthorized {
			t.Fatalf("the password alone signed in: %d", w.Code)
		}
	})
}

func TestAccountTokensAndAudit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		w := fx.do(t, request{method: "POST", path: "/account/tokens", form: url.Values{"name": {"数据交换"}, "days": {"90"}}})
		m := regexp.MustCompile(`id="new-token">(dj_[A-Za-z0-9_-]+)<`).FindStringSubmatch(w.Body.String())
		if w.Code != http.StatusOK || m == nil {
			t.Fatalf("token creation: %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		if strings.Contains(fx.get(t, "/account"), m[1]) {
			t.Fatal("the token is shown a second time")
		}
		api := func(token string) int {
			r := httptest.NewRequest("GET", "/api/v1/orgs", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			fx.h.ServeHTTP(rec, r)
			return rec.Code
		}
		if api(m[1]) != http.StatusOK {
			t.Fatal("the new token does not open the API")
		}
		tokens, err := db.Tokens(context.Background(), 1)
		storetest.MustDo(t, "tokens", err)
		if len(tokens) != 1 {
			t.Fatalf("%d tokens", len(tokens))
		}
		fx.do(t, request{method: "POST", path: path("/account/tokens/%d/revoke", tokens[0].ID), form: url.Values{}})
		if api(m[1]) != http.StatusUnauthorized {
			t.Fatal("a revoked token still opens the API")
		}

		aud := fx.account(t, "shenji", party.Grant{Role: party.RoleAuditAdmin})
		fx.do(t, request{method: "POST", path: "/signin", anonymous: true, form: url.Values{"username": {"admin"}, "password": {"nope"}}})
		page := fx.do(t, request{method: "GET", path: "/audit?action=signin", cookie: aud}).Body.String()
		if !strings.Contains(page, "失败") || !strings.Contains(page, "shenji") {
			t.Fatalf("the audit page lacks the sign-ins\n%s", excerpt(page))
		}
		if w := fx.do(t, request{method: "GET", path: "/audit?object_id=abc", cookie: aud}); w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a bad filter: %d", w.Code)
		}
		x := fx.do(t, request{method: "GET", path: "/audit.xlsx?action=signin", cookie: aud})
		f, err := excelize.OpenReader(bytes.NewReader(x.Body.Bytes()))
		storetest.MustDo(t, "open export", err)
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetName(0))
		storetest.MustDo(t, "read export", err)
		if len(rows) < 3 {
			t.Fatalf("the audit export has %d rows", len(rows))
		}
	})
}

func TestSetupPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		db.Now = now
		logs := &syncBuffer{}
		h := web.New(web.Options{DB: db, Auth: auth.New(db, auth.Options{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}}),
			Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: now})
		do := func(method, p, remote string, form url.Values) *httptest.ResponseRecorder {
			r := httptest.NewRequest(method, p, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.RemoteAddr = remote
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}
		if w := do("GET", "/setup", "192.0.2.1:1", nil); w.Code != http.StatusNotFound {
			t.Fatalf("setup from the network: %d", w.Code)
		}
		if w := do("GET", "/signin", "127.0.0.1:1", nil); !strings.Contains(w.Body.String(), `href="/setup"`) {
			t.Fatal("the sign-in page does not point to the setup on loopback")
		}
		if w := do("GET", "/setup", "127.0.0.1:1", nil); w.Code != http.StatusOK {
			t.Fatalf("setup on loopback: %d", w.Code)
		}
		weak := url.Values{"username": {"first"}, "role": {"party"}, "password": {"short"}, "password2": {"short"}}
		if w := do("POST", "/setup", "[::1]:1", weak); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "至少8个字符") {
			t.Fatalf("a weak password: %d", w.Code)
		}
		good := url.Values{"username": {"first"}, "role": {"party"}, "password": {"Setup-pass-1"}, "password2": {"Setup-pass-1"}}
		if w := do("POST", "/setup", "127.0.0.1:1", good); w.Code != http.StatusSeeOther {
			t.Fatalf("setup: %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		if w := do("GET", "/setup", "127.0.0.1:1", nil); w.Code != http.StatusNotFound {
			t.Fatalf("setup after the first account: %d", w.Code)
		}
		if w := do("POST", "/setup", "127.0.0.1:1", good); w.Code != http.StatusNotFound {
			t.Fatalf("a second setup: %d", w.Code)
		}
		u, err := db.FindUserByName(context.Background(), "first")
		if err != nil || len(u.Grants) != 1 || u.Grants[0].OrgPath != party.RootPath || u.MustChangePassword {
			t.Fatalf("first account %+v %v", u, err)
		}
		scanLogs(t, logs.String())
	})
}

func TestCrossOriginWritesRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		for name, h := range map[string]map[string]string{
			"SecFetchSite": {"Sec-Fetch-Site": "cross-site"},
			"Origin":       {"Origin": "https://evil.example"},
		} {
			t.Run(name, func(t *testing.T) {
				w := fx.do(t, request{method: "POST", path: path("/orgs/%d/edit", fx.other.ID), header: h,
					form: url.Values{"name": {"被篡改"}, "code": {"T-TX"}}})
				if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "跨站请求伪造") {
					t.Fatalf("cross-origin write: %d", w.Code)
				}
				o, err := db.FindOrg(context.Background(), fx.other.ID)
				storetest.MustDo(t, "find", err)
				if o.Name != "体校党支部" {
					t.Fatal("the cross-origin write went through")
				}
				w = fx.do(t, request{method: "POST", path: "/signin", anonymous: true, header: h,
					form: url.Values{"username": {"admin"}, "password": {testPassword}}})
				if w.Code != http.StatusForbidden || len(w.Result().Cookies()) != 0 {
					t.Fatalf("a cross-origin sign-in: %d", w.Code)
				}
			})
		}
	})
}

func TestBadAccountInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		sys := fx.account(t, "sysadmin", party.Grant{Role: party.RoleSysAdmin})
		for name, form := range map[string]url.Values{
			"LongUsername":    {"username": {strings.Repeat("a", 300)}, "password": {"Initial-2026"}, "password2": {"Initial-2026"}},
			"SQLInUsername":   {"username": {"a'; DROP TABLE users;--"}, "password": {"Initial-2026"}, "password2": {"Initial-2026"}},
			"InvalidUTF8":     {"username": {"bad"}, "display_name": {"\xff\xfe"}, "password": {"Initial-2026"}, "password2": {"Initial-2026"}},
			"ControlChar":     {"username": {"bad2"}, "display_name": {"a\x00b"}, "password": {"Initial-2026"}, "password2": {"Initial-2026"}},
			"LongName":        {"username": {"bad3"}, "display_name": {strings.Repeat("名", 51)}, "password": {"Initial-2026"}, "password2": {"Initial-2026"}},
			"LongPassword":    {"username": {"bad4"}, "password": {"Aa1" + strings.Repeat("x", 200)}, "password2": {"Aa1" + strings.Repeat("x", 200)}},
			"PasswordsDiffer": {"username": {"bad5"}, "password": {"Initial-2026"}, "password2": {"Initial-2027"}},
		} {
			t.Run(name, func(t *testing.T) {
				w := fx.do(t, request{method: "POST", path: "/admin/users", cookie: sys, form: form})
				if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `class="field-error"`) {
					t.Fatalf("status %d\n%s", w.Code, excerpt(w.Body.String()))
				}
			})
		}
		n, err := db.CountUsers(context.Background())
		storetest.MustDo(t, "count", err)
		if n != 2 {
			t.Fatalf("%d accounts after refused input, want 2", n)
		}
	})
}
