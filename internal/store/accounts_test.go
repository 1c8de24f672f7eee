package store_test

import (
	"context"
	"strings"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// hash stands for a PHC string; the store keeps whatever internal/auth gives it.
const hash = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"

func TestAccountsInTheStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fixedClock(db)
		ctx := context.Background()
		tr := mkTree(t, db)
		zhang := member("张三", tr.branch.ID, 1)
		storetest.MustDo(t, "member", db.CreateMember(ctx, zhang))
		u := &party.User{Username: " Wang.Wu ", DisplayName: "王五", Grants: []party.Grant{{Role: party.RoleSecretary, OrgID: tr.branch.ID}}}
		storetest.MustDo(t, "create", db.CreateUser(ctx, u, hash, false))
		if u.Username != "wang.wu" || u.Grants[0].OrgPath != tr.branch.Path || u.Grants[0].ID == 0 {
			t.Fatalf("created %+v", u)
		}
		t.Run("CreateIsAllOrNothing", func(t *testing.T) {
			bad := &party.User{Username: "half", Grants: []party.Grant{{Role: party.RoleSecretary, OrgID: tr.top.ID}}}
			if err := db.CreateUser(ctx, bad, hash, false); party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("a 支部书记 on a 党组: %v", err)
			}
			if _, err := db.FindUserByName(ctx, "half"); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatal("the account of a refused grant was kept")
			}
		})
		t.Run("OnlyFirst", func(t *testing.T) {
			if err := db.CreateUser(ctx, &party.User{Username: "second"}, hash, true); party.ErrorCode(err) != party.ECONFLICT {
				t.Fatalf("setup with an account present: %v", err)
			}
		})
		t.Run("MemberLinkedOnce", func(t *testing.T) {
			a := &party.User{Username: "zhangsan", Grants: []party.Grant{{Role: party.RoleMember, MemberID: zhang.ID}}}
			storetest.MustDo(t, "link", db.CreateUser(ctx, a, hash, false))
			if a.Grants[0].OrgName != "机关党支部" || a.Grants[0].MemberName != "张三" {
				t.Fatalf("linked grant %+v", a.Grants[0])
			}
			b := &party.User{Username: "other", Grants: []party.Grant{{Role: party.RoleMember, MemberID: zhang.ID}}}
			if err := db.CreateUser(ctx, b, hash, false); party.ErrorCode(err) != party.ECONFLICT {
				t.Fatalf("a member record linked twice: %v", err)
			}
		})
		t.Run("GrantAndRevoke", func(t *testing.T) {
			g := party.Grant{UserID: u.ID, Role: party.RoleLeader}
			storetest.MustDo(t, "grant everywhere", db.AddGrant(ctx, &g))
			got, err := db.FindUser(ctx, u.ID)
			storetest.MustDo(t, "find", err)
			if len(got.Grants) != 2 || got.Grants[1].OrgPath != party.RootPath {
				t.Fatalf("grants %+v", got.Grants)
			}
			storetest.MustDo(t, "revoke", db.RevokeGrant(ctx, u.ID, g.ID))
			if err := db.RevokeGrant(ctx, u.ID, g.ID); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("revoking twice: %v", err)
			}
			if err := db.AddGrant(ctx, &party.Grant{UserID: u.ID, Role: party.RoleLeader, OrgID: 99999}); party.ErrorField(err) != "org" {
				t.Fatalf("a grant on a missing organization: %v", err)
			}
		})
		t.Run("PasswordHistoryKeepsTheNewest", func(t *testing.T) {
			for i := range 7 {
				storetest.MustDo(t, "set", db.SetPassword(ctx, store.PasswordChange{UserID: u.ID, Hash: hash + strings.Repeat("x", i+1), History: 5}))
			}
			h, err := db.PasswordHistory(ctx, u.ID, 10)
			storetest.MustDo(t, "history", err)
			if len(h) != 5 || h[0] != hash+strings.Repeat("x", 7) {
				t.Fatalf("history of %d, newest %q", len(h), h[0][len(hash):])
			}
		})
		t.Run("PolicyRoundTripAudited", func(t *testing.T) {
			p := party.DefaultPolicy()
			p.MinLength, p.RequireSecondFactor = 12, true
			storetest.MustDo(t, "set policy", db.SetSecurityPolicy(ctx, p))
			got, err := db.SecurityPolicy(ctx)
			storetest.MustDo(t, "read policy", err)
			if got != p {
				t.Fatalf("policy %+v", got)
			}
			p.MinLength = 4
			if err := db.SetSecurityPolicy(ctx, p); party.ErrorField(err) != "min_length" {
				t.Fatalf("a 4-character minimum: %v", err)
			}
			rows, _, err := db.SearchAudit(ctx, store.AuditFilter{ObjectType: store.ObjSettings})
			storetest.MustDo(t, "audit", err)
			if len(rows) != 1 || !strings.Contains(rows[0].Detail, "min_length") {
				t.Fatalf("policy audit rows %+v", rows)
			}
		})
		t.Run("FailedSignInIsAuditedAsFailure", func(t *testing.T) {
			actx := party.WithActor(ctx, party.Actor{Username: "nobody", Source: "web 192.0.2.1"})
			locked, err := db.RecordSignInFailure(actx, store.SignInFailure{Reason: "unknown_user", Threshold: 5})
			storetest.MustDo(t, "record", err)
			rows, _, err := db.SearchAudit(ctx, store.AuditFilter{Action: store.ActSignIn})
			storetest.MustDo(t, "audit", err)
			if locked || len(rows) != 1 || rows[0].OK || rows[0].Username != "nobody" {
				t.Fatalf("failed sign-in rows %+v", rows)
			}
		})
	})
}
