package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// cheap are argon2id parameters that keep these tests fast; BenchmarkSignIn measures the
// production ones.
var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1}

const goodPassword = "Dangjian-2026"

// env is a database with one organization, a controllable clock and the service over it.
type env struct {
	db    *store.DB
	svc   *auth.Service
	now   time.Time
	org   *party.Org
	audit func(action string, ok bool) int
}

func newEnv(t *testing.T, db *store.DB, o auth.Options) *env {
	t.Helper()
	e := &env{db: db, now: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return e.now }
	if o.Params == (auth.Params{}) {
		o.Params = cheap
	}
	e.svc = auth.New(db, o)
	e.org = &party.Org{Name: "中共测试局党组", Code: "T", Kind: party.KindLeadingGroup}
	storetest.MustDo(t, "create org", db.CreateOrg(context.Background(), e.org))
	e.audit = func(action string, ok bool) int {
		var n int
		storetest.MustDo(t, "count audit", db.RawQueryRow(context.Background(),
			`SELECT count(*) FROM audit_log WHERE action = $1 AND ok = $2`, action, ok).Scan(&n))
		return n
	}
	return e
}

func (e *env) user(t *testing.T, name string, mustChange bool, grants ...party.Grant) *party.User {
	t.Helper()
	u, err := e.svc.CreateUser(context.Background(), auth.NewUser{Username: name, Password: goodPassword,
		MustChange: mustChange, Grants: grants})
	storetest.MustDo(t, "create user "+name, err)
	return u
}

func (e *env) signIn(name, password string) (*auth.SignedIn, error) {
	return e.svc.SignIn(context.Background(), auth.SignInRequest{Username: name, Password: password,
		Source: "192.0.2.7", UserAgent: "test"})
}

func TestSignIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, auth.Options{})
		ctx := context.Background()
		u := e.user(t, "Zhang.San", false, party.Grant{Role: party.RoleLeader, OrgID: e.org.ID})
		t.Run("Success", func(t *testing.T) {
			s, err := e.signIn("ZHANG.SAN ", goodPassword)
			storetest.MustDo(t, "sign in", err)
			if len(s.Token) < 43 || s.Principal.UserID != u.ID || s.Principal.Restricted() {
				t.Fatalf("signed in: %+v", s.Principal)
			}
			if !s.Principal.Can(party.ActMemberRead, party.Target{OrgPath: e.org.Path}) {
				t.Fatal("the principal lacks its grant")
			}
			p, sess, err := e.svc.Authenticate(ctx, s.Token)
			storetest.MustDo(t, "authenticate", err)
			if p.UserID != u.ID || sess.ID != s.Session.ID || sess.Source != "192.0.2.7" {
				t.Fatalf("session %+v", sess)
			}
			var stored string
			storetest.MustDo(t, "read hash", db.RawQueryRow(ctx, `SELECT token_hash FROM sessions WHERE id = $1`, sess.ID).Scan(&stored))
			if stored == s.Token || strings.Contains(stored, s.Token) {
				t.Fatal("the session table holds the token itself")
			}
			if e.audit(store.ActSignIn, true) != 1 {
				t.Fatal("no audit row for the sign-in")
			}
		})
		t.Run("RefusalsLookAlike", func(t *testing.T) {
			_, wrong := e.signIn("zhang.san", "Wrong-pass-1")
			_, unknown := e.signIn("nobody", goodPassword)
			_, invalid := e.signIn("x'; DROP TABLE users;--", goodPassword)
			for _, err := range []error{wrong, unknown, invalid} {
				if party.ErrorCode(err) != party.EUNAUTHORIZED || party.ErrorMessage(err) != party.ErrorMessage(wrong) {
					t.Fatalf("refusals differ: %v / %v", wrong, err)
				}
			}
			if got := e.audit(store.ActSignIn, false); got != 3 {
				t.Fatalf("%d failed sign-ins in the audit trail, want 3", got)
			}
			var n int
			storetest.MustDo(t, "count users", db.RawQueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n))
			if n != 1 {
				t.Fatal("SQL in a username reached the database")
			}
		})
		t.Run("SignOutEndsTheSession", func(t *testing.T) {
			s, err := e.signIn("zhang.san", goodPassword)
			storetest.MustDo(t, "sign in", err)
			storetest.MustDo(t, "sign out", e.svc.SignOut(ctx, s.Session.ID))
			if _, _, err := e.svc.Authenticate(ctx, s.Token); party.ErrorCode(err) != party.EUNAUTHORIZED {
				t.Fatalf("a signed-out session still works: %v", err)
			}
			if e.audit(store.ActSignOut, true) < 1 {
				t.Fatal("no audit row for the sign-out")
			}
		})
		t.Run("DisabledAccountRefusedAndSessionsEnd", func(t *testing.T) {
			s, err := e.signIn("zhang.san", goodPassword)
			storetest.MustDo(t, "sign in", err)
			storetest.MustDo(t, "disable", db.SetDisabled(ctx, u.ID, true))
			if _, _, err := e.svc.Authenticate(ctx, s.Token); err == nil {
				t.Fatal("a disabled account's session still works")
			}
			if _, err := e.signIn("zhang.san", goodPassword); party.ErrorCode(err) != party.EUNAUTHORIZED {
				t.Fatalf("a disabled account signed in: %v", err)
			}
			storetest.MustDo(t, "enable", db.SetDisabled(ctx, u.ID, false))
			if _, err := e.signIn("zhang.san", goodPassword); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("AnUnknownTokenIsRefused", func(t *testing.T) {
			for _, tok := range []string{"", "abc", strings.Repeat("x", 500)} {
				if _, _, err := e.svc.Authenticate(ctx, tok); party.ErrorCode(err) != party.EUNAUTHORIZED {
					t.Fatalf("%q: %v", tok, err)
				}
			}
		})
	})
}

func TestLockout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, auth.Options{})
		u := e.user(t, "lisi", false)
		fail := func(n int) {
			for range n {
				if _, err := e.signIn("lisi", "Wrong-pass-1"); party.ErrorCode(err) != party.EUNAUTHORIZED {
					t.Fatalf("wrong password: %v", err)
				}
			}
		}
		fail(4)
		e.now = e.now.Add(16 * time.Minute) // the first failures leave the 15-minute window
		fail(4)
		if _, err := e.signIn("lisi", goodPassword); err != nil {
			t.Fatalf("locked after 4 failures in 15 minutes: %v", err)
		}
		// A success clears the count; now 5 in a row lock.
		fail(5)
		if e.audit(store.ActLockout, true) != 1 {
			t.Fatal("no lockout audit row")
		}
		_, err := e.signIn("lisi", goodPassword)
		if party.ErrorCode(err) != party.EUNAUTHORIZED {
			t.Fatalf("the right password opened a locked account: %v", err)
		}
		if _, wrong := e.signIn("nobody", "x"); party.ErrorMessage(err) != party.ErrorMessage(wrong) {
			t.Fatal("the lockout message differs from an unknown username's")
		}
		e.now = e.now.Add(29 * time.Minute)
		if _, err := e.signIn("lisi", goodPassword); err == nil {
			t.Fatal("the lockout ended before 30 minutes")
		}
		e.now = e.now.Add(2 * time.Minute)
		if _, err := e.signIn("lisi", goodPassword); err != nil {
			t.Fatalf("still locked after 30 minutes: %v", err)
		}
		t.Run("AdministratorUnlocks", func(t *testing.T) {
			fail(5)
			storetest.MustDo(t, "unlock", db.Unlock(context.Background(), u.ID))
			if _, err := e.signIn("lisi", goodPassword); err != nil {
				t.Fatalf("unlocked account refused: %v", err)
			}
		})
		t.Run("PolicyIsConfigurable", func(t *testing.T) {
			p := party.DefaultPolicy()
			p.LockoutThreshold, p.LockoutMinutes = 3, 5
			storetest.MustDo(t, "set policy", db.SetSecurityPolicy(context.Background(), p))
			fail(3)
			if _, err := e.signIn("lisi", goodPassword); err == nil {
				t.Fatal("3 failures did not lock under a threshold of 3")
			}
			e.now = e.now.Add(6 * time.Minute)
			if _, err := e.signIn("lisi", goodPassword); err != nil {
				t.Fatalf("locked longer than 5 minutes: %v", err)
			}
		})
	})
}

func TestRateLimitPerSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, auth.Options{FailureBurst: 3, FailureRefill: time.Minute})
		e.user(t, "wangwu", false)
		for i := range 3 {
			if _, err := e.signIn(party.NormalizeUsername("guess"+string(rune('a'+i))), "x"); auth.IsRateLimited(err) {
				t.Fatalf("attempt %d rate-limited", i+1)
			}
		}
		_, err := e.signIn("wangwu", goodPassword)
		if !auth.IsRateLimited(err) {
			t.Fatalf("the 4th attempt from one source: %v", err)
		}
		other, err := e.svc.SignIn(context.Background(), auth.SignInRequest{Username: "wangwu", Password: goodPassword, Source: "192.0.2.8"})
		if err != nil || other == nil {
			t.Fatalf("another source was limited too: %v", err)
		}
		e.now = e.now.Add(time.Minute)
		if _, err := e.signIn("wangwu", goodPassword); err != nil {
			t.Fatalf("still limited after the refill: %v", err)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, auth.Options{})
		ctx := context.Background()
		e.user(t, "zhaoliu", false)
		t.Run("Idle", func(t *testing.T) {
			s, err := e.signIn("zhaoliu", goodPassword)
			storetest.MustDo(t, "sign in", err)
			for range 3 { // used every 20 minutes: stays open
				e.now = e.now.Add(20 * time.Minute)
				if _, _, err := e.svc.Authenticate(ctx, s.Token); err != nil {
					t.Fatalf("a session used every 20 minutes ended: %v", err)
				}
			}
			e.now = e.now.Add(30 * time.Minute)
			if _, _, err := e.svc.Authenticate(ctx, s.Token); party.ErrorCode(err) != party.EUNAUTHORIZED {
				t.Fatalf("a session idle for 30 minutes still works: %v", err)
			}
			var n int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM sessions WHERE id = $1`, s.Session.ID).Scan(&n))
			if n != 0 {
				t.Fatal("the timed-out session was not deleted")
			}
		})
		t.Run("Absolute", func(t *testing.T) {
			s, err := e.signIn("zhaoliu", goodPassword)
			storetest.MustDo(t, "sign in", err)
			for range 11*4 + 3 { // every 15 minutes for 11 h 45 min
				e.now = e.now.Add(15 * time.Minute)
				if _, _, err := e.svc.Authenticate(ctx, s.Token); err != nil {
					t.Fatalf("ended before 12 hours: %v", err)
				}
			}
			e.now = e.now.Add(15 * time.Minute)
			if _, _, err := e.svc.Authenticate(ctx, s.Token); party.ErrorCode(err) != party.EUNAUTHORIZED {
				t.Fatalf("a session 12 hours old still works: %v", err)
			}
		})
	})
}

func TestPasswordChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, auth.Options{})
		ctx := context.Background()
		u := e.user(t, "sunqi", true)
		a, err := e.signIn("sunqi", goodPassword)
		storetest.MustDo(t, "sign in", err)
		if !a.Principal.MustChangePassword {
			t.Fatal("a password set by an administrator need not be changed")
		}
		b, err := e.signIn("sunqi", goodPassword)
		storetest.MustDo(t, "second sign in", err)
		if err := e.svc.ChangePassword(ctx, u.ID, "Wrong-pass-1", "Another-2026", a.Session.ID, "x"); party.ErrorField(err) != "current" {
			t.Fatalf("wrong current password: %v", err)
		}
		if err := e.svc.ChangePassword(ctx, u.ID, goodPassword, "short", a.Session.ID, "x"); party.ErrorField(err) != "password" {
			t.Fatalf("weak password: %v", err)
		}
		storetest.MustDo(t, "change", e.svc.ChangePassword(ctx, u.ID, goodPassword, "Another-2026", a.Session.ID, "x"))
		p, _, err := e.svc.Authenticate(ctx, a.Token)
		if err != nil || p.MustChangePassword {
			t.Fatalf("the changing session: %v %+v", err, p)
		}
		if _, _, err := e.svc.Authenticate(ctx, b.Token); err == nil {
			t.Fatal("the other session survived the password change")
		}
		if _, err := e.signIn("sunqi", goodPassword); err == nil {
			t.Fatal("the old password still works")
		}
		t.Run("LastFiveNotReused", func(t *testing.T) {
			cur := "Another-2026"
			for _, next := range []string{"Third-pass-3", "Fourth-pass-4", "Fifth-pass-5", "Sixth-pass-6"} {
				storetest.MustDo(t, "change to "+next, e.svc.ChangePassword(ctx, u.ID, cur, next, 0, "x"))
				cur = next
			}
			// History now: Sixth, Fifth, Fourth, Third, Another (5); Dangjian-2026 fell out.
			for _, old := range []string{"Another-2026", "Third-pass-3", "Fifth-pass-5"} {
				if err := e.svc.ChangePassword(ctx, u.ID, cur, old, 0, "x"); party.ErrorField(err) != "password" ||
					!strings.Contains(party.ErrorMessage(err), "最近5次") {
					t.Fatalf("reusing %s: %v", old, err)
				}
			}
			storetest.MustDo(t, "reuse the sixth-newest", e.svc.ChangePassword(ctx, u.ID, cur, goodPassword, 0, "x"))
		})
		t.Run("ResetForcesChange", func(t *testing.T) {
			s, err := e.signIn("sunqi", goodPassword)
			storetest.MustDo(t, "sign in", err)
			storetest.MustDo(t, "reset", e.svc.ResetPassword(ctx, u.ID, "Reset-by-admin-1"))
			if _, _, err := e.svc.Authenticate(ctx, s.Token); err == nil {
				t.Fatal("a reset kept the user's sessions")
			}
			s, err = e.signIn("sunqi", "Reset-by-admin-1")
			if err != nil || !s.Principal.MustChangePassword {
				t.Fatalf("after a reset: %v", err)
			}
		})
		t.Run("ExpiresAfter90Days", func(t *testing.T) {
			storetest.MustDo(t, "change", e.svc.ChangePassword(ctx, u.ID, "Reset-by-admin-1", "Fresh-pass-7", 0, "x"))
			e.now = e.now.AddDate(0, 0, 89)
			s, err := e.signIn("sunqi", "Fresh-pass-7")
			if err != nil || s.Principal.MustChangePassword {
				t.Fatalf("day 89: %v", err)
			}
			e.now = e.now.AddDate(0, 0, 1)
			s, err = e.signIn("sunqi", "Fresh-pass-7")
			if err != nil || !s.Principal.MustChangePassword {
				t.Fatalf("day 90: the password did not expire (%v)", err)
			}
		})
		if e.audit(store.ActPassword, true) < 6 {
			t.Fatal("password changes are missing from the audit trail")
		}
	})
}

func TestSecondFactor(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, auth.Options{RequireSecondFactor: true})
		ctx := context.Background()
		admin := e.user(t, "admin1", false, party.Grant{Role: party.RolePartyAdmin, OrgID: e.org.ID})
		e.user(t, "reader", false, party.Grant{Role: party.RoleLeader, OrgID: e.org.ID})
		s, err := e.signIn("admin1", goodPassword)
		storetest.MustDo(t, "sign in", err)
		if !s.Principal.NeedsSecondFactor {
			t.Fatal("an administrator without TOTP is not sent to set it up under --require-2fa")
		}
		if r, _ := e.signIn("reader", goodPassword); r.Principal.NeedsSecondFactor {
			t.Fatal("a read-only role must set up TOTP")
		}
		en, err := auth.NewEnrollment("admin1")
		storetest.MustDo(t, "enroll", err)
		if !strings.HasPrefix(en.QR, "data:image/png;base64,") || !strings.Contains(en.URL, "secret=") {
			t.Fatalf("enrollment %+v", en.URL)
		}
		if err := e.svc.EnableSecondFactor(ctx, admin.ID, en.Secret, "000000"); party.ErrorField(err) != "code" {
			t.Fatalf("wrong code enabled TOTP: %v", err)
		}
		code := func(at time.Time) string {
			c, err := totp.GenerateCode(en.Secret, at)
			storetest.MustDo(t, "code", err)
			return c
		}
		storetest.MustDo(t, "enable", e.svc.EnableSecondFactor(ctx, admin.ID, en.Secret, code(e.now)))
		p, _, err := e.svc.Authenticate(ctx, s.Token)
		if err != nil || p.NeedsSecondFactor {
			t.Fatalf("after enabling: %v", err)
		}
		signIn := func(c string) error {
			_, err := e.svc.SignIn(ctx, auth.SignInRequest{Username: "admin1", Password: goodPassword, Code: c, Source: "s"})
			return err
		}
		if err := signIn(""); party.ErrorCode(err) != party.EUNAUTHORIZED {
			t.Fatalf("password alone opened an account with TOTP: %v", err)
		}
		e.now = e.now.Add(time.Minute)
		if err := signIn(code(e.now)); err != nil {
			t.Fatalf("password and code: %v", err)
		}
		if err := signIn(code(e.now)); err == nil {
			t.Fatal("the same code worked twice")
		}
		e.now = e.now.Add(30 * time.Second)
		if err := signIn(code(e.now.Add(-30 * time.Second))); err == nil {
			t.Fatal("an older code than the last one used worked")
		}
		if err := signIn(code(e.now)); err != nil {
			t.Fatalf("the next code: %v", err)
		}
		resumed, err := auth.ResumeEnrollment("admin1", en.Secret)
		if err != nil || resumed.Secret != en.Secret {
			t.Fatalf("resume: %v", err)
		}
		if _, err := auth.ResumeEnrollment("admin1", "not base32!"); err == nil {
			t.Fatal("a bad secret resumed")
		}
		if e.audit(store.ActSecondFactor, true) != 1 {
			t.Fatal("enabling TOTP left no audit row")
		}
		e.now = e.now.Add(time.Minute)
		storetest.MustDo(t, "disable", e.svc.DisableSecondFactor(ctx, admin.ID, code(e.now)))
		if err := signIn(""); err != nil {
			t.Fatalf("after disabling: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, auth.Options{})
		ctx := context.Background()
		u := e.user(t, "api-user", true, party.Grant{Role: party.RoleLeader, OrgID: e.org.ID})
		tok, rec, err := e.svc.CreateToken(ctx, u.ID, "数据交换", e.now.AddDate(0, 0, 90))
		storetest.MustDo(t, "create token", err)
		if !strings.HasPrefix(tok, auth.TokenPrefix) || !strings.HasPrefix(tok, rec.Prefix) {
			t.Fatalf("token %q prefix %q", tok[:6], rec.Prefix)
		}
		p, err := e.svc.TokenPrincipal(ctx, tok)
		storetest.MustDo(t, "use token", err)
		if p.UserID != u.ID || p.Restricted() || !p.Can(party.ActMemberRead, party.Target{OrgPath: e.org.Path}) ||
			p.Can(party.ActMemberWrite, party.Target{OrgPath: e.org.Path}) {
			t.Fatalf("token principal %+v", p)
		}
		for _, bad := range []string{"", "dj_", tok + "x", strings.TrimPrefix(tok, auth.TokenPrefix)} {
			if _, err := e.svc.TokenPrincipal(ctx, bad); party.ErrorCode(err) != party.EUNAUTHORIZED {
				t.Fatalf("token %q: %v", bad, err)
			}
		}
		e.now = e.now.AddDate(0, 0, 90)
		if _, err := e.svc.TokenPrincipal(ctx, tok); party.ErrorCode(err) != party.EUNAUTHORIZED {
			t.Fatalf("an expired token works: %v", err)
		}
		tok2, rec2, err := e.svc.CreateToken(ctx, u.ID, "无期限", time.Time{})
		storetest.MustDo(t, "create token", err)
		storetest.MustDo(t, "revoke", db.RevokeToken(ctx, rec2.ID))
		if _, err := e.svc.TokenPrincipal(ctx, tok2); party.ErrorCode(err) != party.EUNAUTHORIZED {
			t.Fatalf("a revoked token works: %v", err)
		}
		if err := db.RevokeToken(ctx, rec2.ID); party.ErrorCode(err) != party.ECONFLICT {
			t.Fatalf("revoking twice: %v", err)
		}
		if _, _, err := e.svc.CreateToken(ctx, u.ID, "过去", e.now.Add(-time.Hour)); party.ErrorField(err) != "expires" {
			t.Fatalf("a token expiring in the past: %v", err)
		}
		var hashes int
		storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = $1 OR token_hash = $2`,
			tok, tok2).Scan(&hashes))
		if hashes != 0 {
			t.Fatal("a token is stored in the clear")
		}
	})
}

func TestPHCString(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, auth.Options{Params: auth.DefaultParams()})
		u := e.user(t, "phc", false)
		var hash string
		storetest.MustDo(t, "read", db.RawQueryRow(context.Background(), `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash))
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=2,p=2$") || len(strings.Split(hash, "$")) != 6 {
			t.Fatalf("stored hash %q is not an argon2id PHC string with the default parameters", hash)
		}
		if _, err := e.signIn("phc", goodPassword); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkSignIn measures one whole sign-in with the production argon2id parameters on
// SQLite: the hash check, the session and its audit row. The target is 50-150 ms.
func BenchmarkSignIn(b *testing.B) {
	db := storetest.OpenSQLite(b)
	svc := auth.New(db, auth.Options{})
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, auth.NewUser{Username: "bench", Password: goodPassword}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.SignIn(ctx, auth.SignInRequest{Username: "bench", Password: goodPassword, Source: "b"}); err != nil {
			b.Fatal(err)
		}
	}
}
