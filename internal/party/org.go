package party

import (
	"strings"
	"time"
	"unicode/utf8"
)

// OrgKind is the kind of a party organization (组织类别).
type OrgKind string

// The organization kinds.
const (
	KindCommittee     OrgKind = "党委"
	KindLeadingGroup  OrgKind = "党组"
	KindGeneralBranch OrgKind = "党总支"
	KindBranch        OrgKind = "党支部"
	KindGroup         OrgKind = "党小组"
	KindTempBranch    OrgKind = "临时党支部"
)

// OrgKinds lists every kind in display order.
var OrgKinds = []OrgKind{KindCommittee, KindLeadingGroup, KindGeneralBranch, KindBranch, KindGroup, KindTempBranch}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, x := range OrgKinds {
		if k == x {
			return true
		}
	}
	return false
}

// HoldsMembers reports whether members can have this organization as their own branch.
func (k OrgKind) HoldsMembers() bool { return k == KindBranch }

// IsBranchLike reports whether k is a branch or a temporary branch.
func (k OrgKind) IsBranchLike() bool { return k == KindBranch || k == KindTempBranch }

// Org is a party organization (党组织) in the tree.
type Org struct {
	ID       int64
	ParentID int64 // 0 for a top-level organization
	Code     string
	Name     string
	Kind     OrgKind
	// Path is the materialized path of ids, "/1/5/23/", so a subtree is one prefix range.
	Path        string
	Depth       int
	FoundedOn   Date
	DissolvedOn Date
	// DissolveNote says why it was dissolved (撤销原因), e.g. merged into another branch.
	DissolveNote string
	// StartOn and EndOn bound a temporary branch (临时党支部).
	StartOn   Date
	EndOn     Date
	Note      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Dissolved reports whether the organization has been dissolved.
func (o *Org) Dissolved() bool { return !o.DissolvedOn.IsZero() }

// ActiveOn reports whether the organization existed on day d.
func (o *Org) ActiveOn(d Date) bool {
	if !o.FoundedOn.IsZero() && d.Before(o.FoundedOn) {
		return false
	}
	if o.Dissolved() && !d.Before(o.DissolvedOn) {
		return false
	}
	if o.Kind == KindTempBranch {
		if !o.StartOn.IsZero() && d.Before(o.StartOn) {
			return false
		}
		if !o.EndOn.IsZero() && d.After(o.EndOn) {
			return false
		}
	}
	return true
}

// Limits on text fields.
const (
	MaxNameLen = 100
	MaxCodeLen = 40
	MaxTextLen = 2000
)

// NormalizeCode trims a code and upper-cases ASCII letters so codes match case-insensitively.
func NormalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Validate checks the fields of o that do not depend on other records.
func (o *Org) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	o.Code = NormalizeCode(o.Code)
	if err := checkText("name", "组织名称", o.Name, MaxNameLen, true); err != nil {
		return err
	}
	if o.Code == "" {
		return FieldErrorf(EINVALID, "code", "组织编码不能为空")
	}
	if utf8.RuneCountInString(o.Code) > MaxCodeLen {
		return FieldErrorf(EINVALID, "code", "组织编码不能超过%d个字符", MaxCodeLen)
	}
	for _, r := range o.Code {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.') {
			return FieldErrorf(EINVALID, "code", "组织编码只能包含字母、数字和 - _ .")
		}
	}
	if !o.Kind.Valid() {
		return FieldErrorf(EINVALID, "kind", "组织类别“%s”无效，应为党委、党组、党总支、党支部、党小组或临时党支部", o.Kind)
	}
	if o.Kind == KindTempBranch {
		if o.StartOn.IsZero() {
			return FieldErrorf(EINVALID, "start_on", "临时党支部须填写开始日期")
		}
		if !o.EndOn.IsZero() && o.EndOn.Before(o.StartOn) {
			return FieldErrorf(EINVALID, "end_on", "临时党支部的结束日期不能早于开始日期")
		}
	} else {
		o.StartOn, o.EndOn = Date{}, Date{}
	}
	if err := checkText("note", "备注", o.Note, MaxTextLen, false); err != nil {
		return err
	}
	return nil
}

// CheckParent reports whether an organization of kind child may sit under parent (nil: top level).
func CheckParent(child OrgKind, parent *Org) error {
	if parent == nil {
		if child == KindGroup {
			return FieldErrorf(EINVALID, "parent_id", "党小组必须隶属于某个党支部")
		}
		return nil
	}
	if parent.Dissolved() {
		return FieldErrorf(EINVALID, "parent_id", "上级组织“%s”已撤销", parent.Name)
	}
	switch parent.Kind {
	case KindGroup:
		return FieldErrorf(EINVALID, "parent_id", "党小组下不能再设组织")
	case KindBranch, KindTempBranch:
		if child != KindGroup {
			return FieldErrorf(EINVALID, "parent_id", "%s下只能设党小组", parent.Kind)
		}
	default:
		if child == KindGroup {
			return FieldErrorf(EINVALID, "parent_id", "党小组只能设在党支部或临时党支部下")
		}
	}
	return nil
}

// CheckText validates one free-text field: valid UTF-8, no control characters other than tab
// and line breaks, at most max characters, and not blank when required. field is the API
// name, label the Chinese one used in the message.
func CheckText(field, label, s string, max int, required bool) error {
	return checkText(field, label, s, max, required)
}

func checkText(field, label, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return FieldErrorf(EINVALID, field, "%s不能为空", label)
	}
	if !utf8.ValidString(s) {
		return FieldErrorf(EINVALID, field, "%s含有无效字符", label)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return FieldErrorf(EINVALID, field, "%s不能超过%d个字，现为%d个字", label, max, n)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return FieldErrorf(EINVALID, field, "%s含有控制字符", label)
		}
	}
	return nil
}
