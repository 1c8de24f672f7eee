package party_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"dangjian/internal/party"
)

// Paths of a small tree: the bureau's 党组 /1/ with 机关党支部 /1/2/ (and its 党小组 /1/2/3/)
// and 体校党支部 /1/4/; another bureau /9/ with a branch /9/10/.
const (
	top       = "/1/"
	branch    = "/1/2/"
	group     = "/1/2/3/"
	sibling   = "/1/4/"
	elsewhere = "/9/10/"
)

func principal(grants ...party.Grant) *party.Principal {
	return &party.Principal{UserID: 1, Username: "u", Grants: grants}
}

func TestCan(t *testing.T) {
	admin := principal(party.Grant{Role: party.RolePartyAdmin, OrgPath: top})
	everywhere := principal(party.Grant{Role: party.RolePartyAdmin, OrgPath: party.RootPath})
	secretary := principal(party.Grant{Role: party.RoleSecretary, OrgPath: branch})
	organizer := principal(party.Grant{Role: party.RoleOrganizer, OrgPath: branch})
	member := principal(party.Grant{Role: party.RoleMember, OrgPath: branch, MemberID: 7})
	discipline := principal(party.Grant{Role: party.RoleDiscipline, OrgPath: top})
	leader := principal(party.Grant{Role: party.RoleLeader, OrgPath: top})
	sys := principal(party.Grant{Role: party.RoleSysAdmin})
	sec := principal(party.Grant{Role: party.RoleSecAdmin})
	aud := principal(party.Grant{Role: party.RoleAuditAdmin})
	two := principal(party.Grant{Role: party.RoleLeader, OrgPath: sibling}, party.Grant{Role: party.RoleSecretary, OrgPath: branch})
	var anonymous *party.Principal

	at := func(path string) party.Target { return party.Target{OrgPath: path} }
	memberAt := func(path string, id int64) party.Target { return party.Target{OrgPath: path, MemberID: id} }
	for _, tc := range []struct {
		name   string
		p      *party.Principal
		action party.Action
		target party.Target
		want   bool
	}{
		{"AdminReadsOwnSubtree", admin, party.ActOrgRead, at(group), true},
		{"AdminWritesOwnSubtreeRoot", admin, party.ActOrgWrite, at(top), true},
		{"AdminNotElsewhere", admin, party.ActMemberRead, at(elsewhere), false},
		{"AdminCannotCreateTopLevel", admin, party.ActOrgWrite, at(party.RootPath), false},
		{"WholeInstallationAdminCreatesTopLevel", everywhere, party.ActOrgWrite, at(party.RootPath), true},
		{"WholeInstallationAdminReadsEverything", everywhere, party.ActMemberRead, at(elsewhere), true},
		{"AdminUnmasks", admin, party.ActMemberUnmask, memberAt(branch, 7), true},
		{"AdminHasNoAccountRights", admin, party.ActAccountAdmin, party.Target{}, false},
		{"SecretaryWritesMembersOfBranch", secretary, party.ActMemberWrite, memberAt(branch, 8), true},
		{"SecretaryWritesMembersOfItsGroup", secretary, party.ActMemberWrite, memberAt(group, 8), true},
		{"SecretaryNotSiblingBranch", secretary, party.ActMemberRead, memberAt(sibling, 9), false},
		{"SecretaryNotParent", secretary, party.ActOrgRead, at(top), false},
		{"SecretaryCannotChangeOrgs", secretary, party.ActOrgWrite, at(branch), false},
		{"SecretaryImports", secretary, party.ActMemberImport, at(branch), true},
		{"OrganizerLikeSecretary", organizer, party.ActMemberWrite, memberAt(group, 8), true},
		{"PathPrefixIsPerSegment", secretary, party.ActMemberRead, at("/1/23/"), false},
		{"MemberReadsOwnRecord", member, party.ActMemberRead, memberAt(branch, 7), true},
		{"MemberUnmasksOwnRecord", member, party.ActMemberUnmask, memberAt(branch, 7), true},
		{"MemberNotOtherMembers", member, party.ActMemberRead, memberAt(branch, 8), false},
		{"MemberCannotWriteOwnRecord", member, party.ActMemberWrite, memberAt(branch, 7), false},
		{"MemberNoOrgPages", member, party.ActOrgRead, at(branch), false},
		{"MemberOrgOnlyTargetIsNotOwn", member, party.ActMemberRead, at(branch), false},
		{"DisciplineReads", discipline, party.ActMemberRead, memberAt(sibling, 9), true},
		{"DisciplineCannotUnmask", discipline, party.ActMemberUnmask, memberAt(sibling, 9), false},
		{"DisciplineCannotWrite", discipline, party.ActMemberWrite, memberAt(sibling, 9), false},
		{"LeaderReadsAndExports", leader, party.ActMemberExport, at(top), true},
		{"LeaderCannotWrite", leader, party.ActOrgWrite, at(top), false},
		{"SysAdminManagesAccounts", sys, party.ActAccountAdmin, party.Target{}, true},
		{"SysAdminReadsNoPartyData", sys, party.ActMemberRead, memberAt(branch, 7), false},
		{"SysAdminCannotGrant", sys, party.ActRoleGrant, party.Target{}, false},
		// A channel sends its subtree's reminders out: party data, so not a 三员 setting.
		{"SysAdminConfiguresNoChannel", sys, party.ActChannelAdmin, at(top), false},
		{"AdminConfiguresChannelsOfSubtree", admin, party.ActChannelAdmin, at(branch), true},
		{"AdminNoChannelsElsewhere", admin, party.ActChannelAdmin, at(elsewhere), false},
		{"SecretaryConfiguresNoChannel", secretary, party.ActChannelAdmin, at(branch), false},
		{"SecAdminGrants", sec, party.ActRoleGrant, party.Target{}, true},
		{"SecAdminSetsPolicy", sec, party.ActPolicyAdmin, party.Target{}, true},
		{"SecAdminReadsNoPartyData", sec, party.ActOrgRead, at(top), false},
		{"SecAdminCannotReadAudit", sec, party.ActAuditRead, party.Target{}, false},
		{"AuditAdminReadsAudit", aud, party.ActAuditRead, party.Target{}, true},
		{"AuditAdminReadsNoPartyData", aud, party.ActMemberRead, memberAt(branch, 7), false},
		{"AuditAdminCannotManageAccounts", aud, party.ActAccountRead, party.Target{}, false},
		{"TwoGrantsReadBoth", two, party.ActMemberRead, memberAt(sibling, 9), true},
		{"TwoGrantsWriteOnlyWhereAllowed", two, party.ActMemberWrite, memberAt(sibling, 9), false},
		{"TwoGrantsWriteOwnBranch", two, party.ActMemberWrite, memberAt(branch, 8), true},
		{"AnonymousNothing", anonymous, party.ActOrgRead, at(top), false},
		{"EmptyTargetIsNoRecord", admin, party.ActOrgRead, party.Target{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Can(tc.action, tc.target); got != tc.want {
				t.Fatalf("Can(%s, %+v) = %v, want %v", tc.action, tc.target, got, tc.want)
			}
		})
	}
}

func TestRoots(t *testing.T) {
	p := principal(
		party.Grant{Role: party.RoleSecretary, OrgPath: branch},
		party.Grant{Role: party.RoleLeader, OrgPath: top},
		party.Grant{Role: party.RoleLeader, OrgPath: top},
		party.Grant{Role: party.RoleOrganizer, OrgPath: elsewhere},
		party.Grant{Role: party.RoleMember, OrgPath: sibling, MemberID: 3},
	)
	if got, want := strings.Join(p.Roots(party.ActMemberRead), " "), top+" "+elsewhere; got != want {
		t.Errorf("read roots %q, want %q", got, want)
	}
	if got, want := strings.Join(p.Roots(party.ActMemberWrite), " "), branch+" "+elsewhere; got != want {
		t.Errorf("write roots %q, want %q", got, want)
	}
	if got := p.Roots(party.ActOrgWrite); len(got) != 0 {
		t.Errorf("org write roots %q, want none", got)
	}
	if p.OwnMember() != 3 {
		t.Errorf("own member %d", p.OwnMember())
	}
}

func TestCheckGrant(t *testing.T) {
	sys := party.Grant{Role: party.RoleSysAdmin}
	for _, tc := range []struct {
		name     string
		existing []party.Grant
		g        party.Grant
		kind     party.OrgKind
		want     string // "" or a part of the message
	}{
		{"PartyAdminOnOrg", nil, party.Grant{Role: party.RolePartyAdmin, OrgID: 1}, party.KindLeadingGroup, ""},
		{"PartyAdminEverywhere", nil, party.Grant{Role: party.RolePartyAdmin}, "", ""},
		{"SecretaryOnBranch", nil, party.Grant{Role: party.RoleSecretary, OrgID: 2}, party.KindBranch, ""},
		{"SecretaryOnTempBranch", nil, party.Grant{Role: party.RoleSecretary, OrgID: 2}, party.KindTempBranch, ""},
		{"SecretaryNotOnLeadingGroup", nil, party.Grant{Role: party.RoleSecretary, OrgID: 1}, party.KindLeadingGroup, "只能授予在党支部"},
		{"SecretaryNeedsOrg", nil, party.Grant{Role: party.RoleOrganizer}, "", "只能授予在党支部"},
		{"MemberNeedsRecord", nil, party.Grant{Role: party.RoleMember, OrgID: 2}, party.KindBranch, "关联本人"},
		{"MemberWithRecord", nil, party.Grant{Role: party.RoleMember, OrgID: 2, MemberID: 5}, party.KindBranch, ""},
		{"RecordOnlyForMember", nil, party.Grant{Role: party.RoleLeader, OrgID: 1, MemberID: 5}, party.KindLeadingGroup, "只有党员角色"},
		{"SystemRoleNoOrg", nil, party.Grant{Role: party.RoleAuditAdmin, OrgID: 1}, party.KindLeadingGroup, "系统角色"},
		{"SysAdminAlone", nil, sys, "", ""},
		{"NoTwoOfTheThree", []party.Grant{sys}, party.Grant{Role: party.RoleAuditAdmin}, "", "三员"},
		{"NoPartyRoleForTheThree", []party.Grant{sys}, party.Grant{Role: party.RoleLeader, OrgID: 1}, party.KindLeadingGroup, "三员不兼任"},
		{"NoneOfTheThreeForPartyRoles", []party.Grant{{Role: party.RoleLeader, OrgID: 1}}, party.Grant{Role: party.RoleSecAdmin}, "", "三员"},
		{"Duplicate", []party.Grant{{Role: party.RoleLeader, OrgID: 1}}, party.Grant{Role: party.RoleLeader, OrgID: 1}, party.KindLeadingGroup, "已有这一授权"},
		{"SameRoleElsewhere", []party.Grant{{Role: party.RoleLeader, OrgID: 1}}, party.Grant{Role: party.RoleLeader, OrgID: 9}, party.KindLeadingGroup, ""},
		{"SysAdminTwice", []party.Grant{sys}, sys, "", "已有"},
		{"OneMemberRecord", []party.Grant{{Role: party.RoleMember, OrgID: 2, MemberID: 5}}, party.Grant{Role: party.RoleMember, OrgID: 2, MemberID: 6}, party.KindBranch, "已有"},
		{"UnknownRole", nil, party.Grant{Role: "超级用户"}, "", "无效"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := party.CheckGrant(tc.existing, tc.g, tc.kind)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(party.ErrorMessage(err), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestPasswordPolicy(t *testing.T) {
	p := party.DefaultPolicy()
	for _, tc := range []struct {
		name, username, password string
		want                     string
	}{
		{"Good", "zhangsan", "Dangjian2026", ""},
		{"GoodWithSymbols", "zhangsan", "党建-work7", ""},
		{"TooShort", "zhangsan", "Ab1!xyz", "至少8个字符"},
		{"TwoClasses", "zhangsan", "abcdefgh12", "至少3种"},
		{"IsTheUsername", "Zhang.San1", "zhang.san1", "用户名"},
		{"ContainsTheUsername", "wang", "Wang-2026!", "用户名"},
		{"ReversedUsername", "lisi9", "9isil", "至少8个字符"},
		{"ReversedLongUsername", "abcdef12", "21FEDCBA", "至少3种"},
		{"ReversedLongUsernameMixed", "Ab1cdefgh", "hgfedc1bA", "用户名"},
		{"ControlCharacter", "zhangsan", "Abc12345\x00", "控制字符"},
		{"InvalidUTF8", "zhangsan", "Abc12345\xff", "无效字符"},
		{"TooLong", "zhangsan", "Aa1" + strings.Repeat("x", party.MaxPasswordLen), "不能超过"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := p.CheckPassword(party.NormalizeUsername(tc.username), tc.password)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(party.ErrorMessage(err), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
	t.Run("Configurable", func(t *testing.T) {
		q := p
		q.MinLength, q.MinClasses = 12, 4
		if err := q.CheckPassword("u1", "Dangjian2026"); err == nil {
			t.Fatal("a 12-character password of 3 classes passed a 4-class policy")
		}
		if err := q.CheckPassword("u1", "Dangjian-2026"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		set := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if p.PasswordExpired(set, set.AddDate(0, 0, 89)) || !p.PasswordExpired(set, set.AddDate(0, 0, 90)) {
			t.Fatal("a password expires after 90 days")
		}
		q := p
		q.MaxAgeDays = 0
		if q.PasswordExpired(set, set.AddDate(10, 0, 0)) {
			t.Fatal("max age 0 turns expiry off")
		}
	})
	t.Run("ValidateRanges", func(t *testing.T) {
		q := p
		q.MinLength = 6
		if err := q.Validate(); party.ErrorField(err) != "min_length" {
			t.Fatalf("min length 6: %v", err)
		}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCheckUsername(t *testing.T) {
	for in, ok := range map[string]bool{"zhangsan": true, "li.si-2": true, "a": false, "-abc": false,
		"张三": false, "a b": false, "x'; drop table users;--": false, strings.Repeat("a", 33): false} {
		if err := party.CheckUsername(party.NormalizeUsername(in)); (err == nil) != ok {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// BenchmarkCan measures the permission decision every request makes, for a principal with a
// few grants checking a deep record (the budget is 20 µs per request).
func BenchmarkCan(b *testing.B) {
	p := principal(
		party.Grant{Role: party.RoleLeader, OrgPath: "/1/40/"},
		party.Grant{Role: party.RoleMember, OrgPath: "/1/2/", MemberID: 99},
		party.Grant{Role: party.RoleSecretary, OrgPath: "/1/2/"},
	)
	targets := make([]party.Target, 64)
	for i := range targets {
		targets[i] = party.Target{OrgPath: fmt.Sprintf("/1/2/%d/%d/", 100+i, 1000+i), MemberID: int64(i)}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if !p.Can(party.ActMemberWrite, targets[i%len(targets)]) {
			b.Fatal("denied")
		}
	}
}
