package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Account is a demo account as the console prints it once: the username, its random password,
// and the role with its scope.
type Account struct {
	Username string
	Password string
	Role     party.Role
	Scope    string
}

// accountSpec is one demo account: a role granted on the organization with code (none for the
// whole installation or the 三员), or linked to a member of that branch.
type accountSpec struct {
	username string
	role     party.Role
	code     string
	member   bool
}

// demoAccounts gives every role one account, scoped the way a bureau running its own
// installation would: the party office on the whole installation (so it also keeps the shared
// catalogues: event types, the 第一议题 ledger, rules for every organization), the branch
// officers on the 机关党支部, a member of it, the integrity officer and the leader on the 党组,
// and the 三员.
func demoAccounts() []accountSpec {
	return []accountSpec{
		{"dj-admin", party.RolePartyAdmin, "", false},
		{"dj-shuji", party.RoleSecretary, TopCode + "-JG", false},
		{"dj-zuzhi", party.RoleOrganizer, TopCode + "-JG", false},
		{"dj-dangyuan", party.RoleMember, TopCode + "-JG", true},
		{"dj-jijian", party.RoleDiscipline, TopCode, false},
		{"dj-lingdao", party.RoleLeader, TopCode, false},
		{"dj-xitong", party.RoleSysAdmin, "", false},
		{"dj-anquan", party.RoleSecAdmin, "", false},
		{"dj-shenji", party.RoleAuditAdmin, "", false},
	}
}

// LoadAccounts creates the demo accounts, one per role, each with a fresh random password that
// is returned once for the console and stored only as a hash. There is never a default
// password. It refuses when any account exists.
func LoadAccounts(ctx context.Context, db *store.DB, a *auth.Service) ([]Account, error) {
	n, err := db.CountUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return nil, party.Errorf(party.ECONFLICT, "数据库中已有账户，演示账户只能在没有账户时创建")
	}
	var out []Account
	for _, spec := range demoAccounts() {
		g := party.Grant{Role: spec.role}
		scope := "三员，不查阅党建数据"
		if spec.role == party.RolePartyAdmin && spec.code == "" {
			scope = "全系统"
		}
		if spec.code != "" {
			o, err := db.FindOrgByCode(ctx, spec.code)
			if err != nil {
				return nil, fmt.Errorf("demo: account %s: %w", spec.username, err)
			}
			g.OrgID, scope = o.ID, o.Name
			if spec.member {
				list, _, err := db.ListMembers(ctx, store.MemberFilter{OrgID: o.ID, Limit: 1})
				if err != nil || len(list) == 0 {
					return nil, fmt.Errorf("demo: account %s: no member in %s (%v)", spec.username, o.Name, err)
				}
				g.OrgID, g.MemberID, scope = 0, list[0].ID, "本人党员记录（"+list[0].Name+"，"+o.Name+"）"
			}
		}
		password, err := randomPassword()
		if err != nil {
			return nil, err
		}
		_, err = a.CreateUser(ctx, auth.NewUser{Username: spec.username, DisplayName: "演示" + string(spec.role),
			Password: password, Grants: []party.Grant{g}})
		if err != nil {
			return nil, fmt.Errorf("demo: account %s: %w", spec.username, err)
		}
		out = append(out, Account{Username: spec.username, Password: password, Role: spec.role, Scope: scope})
	}
	return out, nil
}

// Alphabets of the random passwords, without characters people confuse (I l 1 O 0).
const (
	upperChars = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	lowerChars = "abcdefghijkmnopqrstuvwxyz"
	digitChars = "23456789"
)

// randomPassword returns a password of four groups of four characters joined by "-", with
// upper- and lower-case letters and digits in every group: about 67 bits, easy to type.
func randomPassword() (string, error) {
	var groups []string
	for range 4 {
		b := make([]byte, 4)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("demo: random password: %w", err)
		}
		groups = append(groups, string([]byte{
			upperChars[int(b[0])%len(upperChars)], lowerChars[int(b[1])%len(lowerChars)],
			lowerChars[int(b[2])%len(lowerChars)], digitChars[int(b[3])%len(digitChars)]}))
	}
	return strings.Join(groups, "-"), nil
}
