package demo_test

import (
	"context"
	"testing"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/demo"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestLoadAccounts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := setClock(db, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
		_, err := demo.Load(ctx, db, today)
		storetest.MustDo(t, "load", err)
		a := auth.New(db, auth.Options{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
		accounts, err := demo.LoadAccounts(ctx, db, a)
		storetest.MustDo(t, "accounts", err)
		roles := map[party.Role]bool{}
		passwords := map[string]bool{}
		policy := party.DefaultPolicy()
		for _, acc := range accounts {
			roles[acc.Role] = true
			if passwords[acc.Password] {
				t.Fatal("two demo accounts share a password")
			}
			passwords[acc.Password] = true
			if err := policy.CheckPassword(acc.Username, acc.Password); err != nil || len(acc.Password) < 16 {
				t.Fatalf("%s: weak password: %v", acc.Username, err)
			}
			s, err := a.SignIn(ctx, auth.SignInRequest{Username: acc.Username, Password: acc.Password, Source: "test"})
			if err != nil || s.Principal.Restricted() {
				t.Fatalf("%s cannot sign in with the printed password: %v", acc.Username, err)
			}
		}
		if len(roles) != len(party.Roles) {
			t.Fatalf("demo accounts cover %d of %d roles", len(roles), len(party.Roles))
		}
		u, err := db.FindUserByName(ctx, "dj-shuji")
		storetest.MustDo(t, "find", err)
		if len(u.Grants) != 1 || u.Grants[0].OrgName != "机关党支部" {
			t.Fatalf("the demo 支部书记 is not on the 机关党支部: %+v", u.Grants)
		}
		m, err := db.FindUserByName(ctx, "dj-dangyuan")
		storetest.MustDo(t, "find", err)
		if len(m.Grants) != 1 || m.Grants[0].MemberID == 0 {
			t.Fatalf("the demo 党员 is linked to no member: %+v", m.Grants)
		}
		if _, err := demo.LoadAccounts(ctx, db, a); party.ErrorCode(err) != party.ECONFLICT {
			t.Fatalf("a second load: %v", err)
		}
	})
}
