package party

import (
	"context"
	"strings"
)

// Role is what a grant lets its holder do; a grant scopes it to an organization subtree.
type Role string

// The roles. The last three are the 三员 of 等级保护 (separation of duties): they run the system
// and none of them reads party data.
const (
	RolePartyAdmin Role = "党建管理员"
	RoleSecretary  Role = "支部书记"
	RoleOrganizer  Role = "组织委员"
	RoleMember     Role = "党员"
	RoleDiscipline Role = "纪检"
	RoleLeader     Role = "领导"
	RoleSysAdmin   Role = "系统管理员"
	RoleSecAdmin   Role = "安全管理员"
	RoleAuditAdmin Role = "审计管理员"
)

// Roles lists every role in display order.
var Roles = []Role{RolePartyAdmin, RoleSecretary, RoleOrganizer, RoleMember, RoleDiscipline, RoleLeader,
	RoleSysAdmin, RoleSecAdmin, RoleAuditAdmin}

// Action is something a request does, checked against the principal's grants.
type Action string

// The actions. Record actions are checked against the organization of the record; system
// actions concern no party record.
const (
	ActOrgRead      Action = "org.read"
	ActOrgWrite     Action = "org.write"
	ActMemberRead   Action = "member.read"
	ActMemberWrite  Action = "member.write"
	ActMemberUnmask Action = "member.unmask"
	ActMemberImport Action = "member.import"
	ActMemberExport Action = "member.export"
	ActAccountRead  Action = "account.read"
	ActAccountAdmin Action = "account.manage"
	ActRoleGrant    Action = "role.grant"
	ActPolicyAdmin  Action = "policy.manage"
	ActAuditRead    Action = "audit.read"

	// Organizational life and study (组织生活与学习).
	// ActEventRead: see an event (a 党员: only the events it is expected at).
	ActEventRead Action = "event.read"
	// ActEventWrite: plan, record, complete, cancel events and their attachments and plans.
	ActEventWrite Action = "event.write"
	// ActEventSignIn: mark oneself present at an event (签到).
	ActEventSignIn Action = "event.signin"
	// ActComplianceRead: see what was required and held in a subtree, ledgers and statistics.
	ActComplianceRead Action = "compliance.read"
	// ActTopicWrite: keep the 第一议题 ledger.
	ActTopicWrite Action = "topic.write"
	// ActRuleAdmin: change the rules and the catalogue of event types.
	ActRuleAdmin Action = "rule.manage"
	// ActChannelAdmin: configure outgoing notification channels of a subtree. The reminders a
	// channel carries (organizations, meetings, overdue obligations) are party data, so the
	// party office that may read them decides where they go; the 系统管理员, one of the 三员
	// who read no party data, does not.
	ActChannelAdmin Action = "channel.manage"
)

// Scope says where a role's actions apply.
type Scope int

// The scopes.
const (
	// ScopeSubtree: records whose organization lies in the grant's subtree.
	ScopeSubtree Scope = iota
	// ScopeOwn: only the member record the grant is linked to.
	ScopeOwn
	// ScopeSystem: system functions that concern no party record.
	ScopeSystem
)

// roleSpec is one role's scope and actions.
type roleSpec struct {
	scope   Scope
	actions []Action
	// admin roles must have a second factor when the policy asks for it (等保 level 3).
	admin bool
	// separate roles (the 三员) are held alone: by nobody who holds any other role.
	separate bool
	// branchOnly roles are granted on a 党支部 or 临时党支部 only.
	branchOnly bool
}

// roleSpecs is the permission table of the program: every role, its scope and its actions.
var roleSpecs = map[Role]roleSpec{
	RolePartyAdmin: {scope: ScopeSubtree, admin: true, actions: []Action{ActOrgRead, ActOrgWrite, ActMemberRead,
		ActMemberWrite, ActMemberUnmask, ActMemberImport, ActMemberExport,
		ActEventRead, ActEventWrite, ActComplianceRead, ActTopicWrite, ActRuleAdmin, ActChannelAdmin}},
	RoleSecretary: {scope: ScopeSubtree, branchOnly: true, actions: []Action{ActOrgRead, ActMemberRead, ActMemberWrite,
		ActMemberUnmask, ActMemberImport, ActMemberExport, ActEventRead, ActEventWrite, ActComplianceRead}},
	RoleOrganizer: {scope: ScopeSubtree, branchOnly: true, actions: []Action{ActOrgRead, ActMemberRead, ActMemberWrite,
		ActMemberUnmask, ActMemberImport, ActMemberExport, ActEventRead, ActEventWrite, ActComplianceRead}},
	RoleMember: {scope: ScopeOwn, actions: []Action{ActMemberRead, ActMemberUnmask, ActEventRead, ActEventSignIn}},
	RoleDiscipline: {scope: ScopeSubtree, actions: []Action{ActOrgRead, ActMemberRead, ActMemberExport,
		ActEventRead, ActComplianceRead}},
	RoleLeader: {scope: ScopeSubtree, actions: []Action{ActOrgRead, ActMemberRead, ActMemberExport,
		ActEventRead, ActComplianceRead}},
	RoleSysAdmin: {scope: ScopeSystem, admin: true, separate: true, actions: []Action{ActAccountRead, ActAccountAdmin}},
	RoleSecAdmin: {scope: ScopeSystem, admin: true, separate: true, actions: []Action{ActAccountRead, ActRoleGrant,
		ActPolicyAdmin}},
	RoleAuditAdmin: {scope: ScopeSystem, admin: true, separate: true, actions: []Action{ActAuditRead}},
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleSpecs[r]; return ok }

// Scope returns where the role's actions apply.
func (r Role) Scope() Scope { return roleSpecs[r].scope }

// Admin reports whether the role administers something, so a second factor may be required.
func (r Role) Admin() bool { return roleSpecs[r].admin }

// Separate reports whether the role is one of the 三员, held by nobody with another role.
func (r Role) Separate() bool { return roleSpecs[r].separate }

// Allows reports whether the role includes action a, wherever it applies.
func (r Role) Allows(a Action) bool {
	for _, x := range roleSpecs[r].actions {
		if x == a {
			return true
		}
	}
	return false
}

// RootPath is the path that every organization's path starts with: a grant on it covers the
// whole installation, top-level organizations yet to be created included.
const RootPath = "/"

// Grant gives a user a role on an organization subtree (or the linked member record of a 党员,
// or the system for the 三员).
type Grant struct {
	ID     int64
	UserID int64
	Role   Role
	// OrgID is the organization of the subtree; 0 means the whole installation (subtree roles)
	// or none (system roles).
	OrgID   int64
	OrgName string
	// OrgPath is the organization's materialized path, or RootPath for the whole installation.
	OrgPath string
	// MemberID is the member record a 党员 grant is linked to.
	MemberID   int64
	MemberName string
}

// Target is the record an action touches: the path of its organization and, for a member
// record, the member.
type Target struct {
	OrgPath  string
	MemberID int64
}

// Principal is who makes a request: a signed-in user and their grants.
type Principal struct {
	UserID   int64
	Username string
	Grants   []Grant
	// MustChangePassword restricts a session to changing the password (first sign-in after an
	// administrator set it, or an expired password).
	MustChangePassword bool
	// NeedsSecondFactor restricts a session to setting up TOTP when the policy requires it.
	NeedsSecondFactor bool
}

// Can reports whether p may perform action a on target t: one of p's grants has a role that
// includes a, and the record lies in that grant's subtree (or is the grant's own member record).
// System actions ignore t. This is the one permission decision of the program.
func (p *Principal) Can(a Action, t Target) bool {
	if p == nil {
		return false
	}
	for i := range p.Grants {
		g := &p.Grants[i]
		if !g.Role.Allows(a) {
			continue
		}
		switch g.Role.Scope() {
		case ScopeSystem:
			return true
		case ScopeOwn:
			if t.MemberID != 0 && t.MemberID == g.MemberID {
				return true
			}
		default:
			if t.OrgPath != "" && strings.HasPrefix(t.OrgPath, g.OrgPath) {
				return true
			}
		}
	}
	return false
}

// CanAny reports whether p may perform action a on some record, so a page that then lists or
// checks the records itself may open.
func (p *Principal) CanAny(a Action) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Role.Allows(a) {
			return true
		}
	}
	return false
}

// Roots returns the paths of the subtrees in which p may perform a, without paths that lie
// inside another one, in grant order. A list for p is the union of these subtrees.
func (p *Principal) Roots(a Action) []string {
	if p == nil {
		return nil
	}
	var paths []string
	for _, g := range p.Grants {
		if g.Role.Scope() == ScopeSubtree && g.Role.Allows(a) {
			paths = append(paths, g.OrgPath)
		}
	}
	var out []string
	for i, x := range paths {
		covered := false
		for j, y := range paths {
			if i != j && strings.HasPrefix(x, y) && (x != y || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, x)
		}
	}
	return out
}

// Scopes returns where p may perform a: everywhere (a grant on the whole installation), or
// in the subtrees of the organizations orgIDs (none inside another).
func (p *Principal) Scopes(a Action) (everywhere bool, orgIDs []int64) {
	for _, path := range p.Roots(a) {
		if path == RootPath {
			return true, nil
		}
		for _, g := range p.Grants {
			if g.OrgPath == path && g.Role.Scope() == ScopeSubtree {
				orgIDs = append(orgIDs, g.OrgID)
				break
			}
		}
	}
	return false, orgIDs
}

// OwnMember returns the member record a 党员 grant links p to, or 0.
func (p *Principal) OwnMember() int64 {
	if p == nil {
		return 0
	}
	for _, g := range p.Grants {
		if g.Role.Scope() == ScopeOwn {
			return g.MemberID
		}
	}
	return 0
}

// HasAdminRole reports whether p holds a role for which the policy may require a second factor.
func (p *Principal) HasAdminRole() bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Role.Admin() {
			return true
		}
	}
	return false
}

// Restricted reports whether p may only finish setting up the account (password, second factor).
func (p *Principal) Restricted() bool {
	return p != nil && (p.MustChangePassword || p.NeedsSecondFactor)
}

// CheckGrant checks that g may be added to a user who holds existing: the role exists, its
// scope fits (a 党员 grant names a member; the 三员 have no organization; 支部书记 and 组织委员
// are granted on a branch, whose kind is orgKind), the 三员 are held alone, and the grant is
// not already held.
func CheckGrant(existing []Grant, g Grant, orgKind OrgKind) error {
	if !g.Role.Valid() {
		return FieldErrorf(EINVALID, "role", "角色“%s”无效", g.Role)
	}
	spec := roleSpecs[g.Role]
	switch spec.scope {
	case ScopeSystem:
		if g.OrgID != 0 || g.MemberID != 0 {
			return FieldErrorf(EINVALID, "org", "%s是系统角色，不能限定到组织", g.Role)
		}
	case ScopeOwn:
		if g.MemberID == 0 {
			return FieldErrorf(EINVALID, "member", "党员角色须关联本人的党员记录")
		}
	default:
		if g.MemberID != 0 {
			return FieldErrorf(EINVALID, "member", "只有党员角色关联党员记录")
		}
		if spec.branchOnly && (g.OrgID == 0 || !orgKind.IsBranchLike()) {
			return FieldErrorf(EINVALID, "org", "%s只能授予在党支部或临时党支部上", g.Role)
		}
	}
	for _, x := range existing {
		if spec.separate && x.Role != g.Role {
			return FieldErrorf(ECONFLICT, "role", "%s须单独设置：该账户已有“%s”角色（三员分立，互不兼任，也不兼任其他角色）", g.Role, x.Role)
		}
		if x.Role.Separate() && x.Role != g.Role {
			return FieldErrorf(ECONFLICT, "role", "该账户是%s，三员不兼任其他角色", x.Role)
		}
		if x.Role == g.Role && x.OrgID == g.OrgID && x.MemberID == g.MemberID {
			return FieldErrorf(ECONFLICT, "role", "该账户已有这一授权")
		}
		if x.Role == g.Role && spec.scope != ScopeSubtree {
			return FieldErrorf(ECONFLICT, "role", "该账户已有“%s”角色", g.Role)
		}
	}
	return nil
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx, or nil for an anonymous request.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
