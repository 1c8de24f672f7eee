package auth

import (
	"context"
	"strings"

	"dangjian/internal/party"
)

// Forbidden is the refusal of an action on a record the principal may see but not change.
func Forbidden() error {
	return party.Errorf(party.EFORBIDDEN, "您的账户没有进行此操作的权限。如需调整权限，请联系安全管理员。")
}

// readActionOf returns the action that lets a principal see the record of action a, which
// decides between EFORBIDDEN (seen, not allowed) and ENOTFOUND (not seen).
func readActionOf(a party.Action) party.Action {
	if strings.HasPrefix(string(a), "org.") {
		return party.ActOrgRead
	}
	if strings.HasPrefix(string(a), "event.") {
		return party.ActEventRead
	}
	return party.ActMemberRead
}

// Allow decides action a on target t for p with party.Principal.Can: nil when allowed,
// EFORBIDDEN when p may see the record but not do a, and otherwise ENOTFOUND with the message
// of a missing record, so an id of another subtree tells nothing.
func Allow(p *party.Principal, a party.Action, t party.Target, missing string) error {
	if p.Can(a, t) {
		return nil
	}
	if p.Can(readActionOf(a), t) {
		return Forbidden()
	}
	return party.Errorf(party.ENOTFOUND, "%s", missing)
}

// Messages of missing records, shared by a refusal and a true absence.
const (
	missingOrg        = "组织不存在"
	missingMember     = "党员不存在"
	missingPosition   = "任职记录不存在"
	missingAttachment = "编入记录不存在"
	missingEvent      = "活动不存在"
)

// OrgTarget returns the target of organization id.
func (s *Service) OrgTarget(ctx context.Context, id int64) (party.Target, error) {
	o, err := s.db.FindOrg(ctx, id)
	if err != nil {
		return party.Target{}, err
	}
	return party.Target{OrgPath: o.Path}, nil
}

// MemberTarget returns the target of member m: the path of its party group, or of its branch
// when it has none.
func (s *Service) MemberTarget(ctx context.Context, m *party.Member) (party.Target, error) {
	org := m.OrgID
	if m.GroupID != 0 {
		org = m.GroupID
	}
	t, err := s.OrgTarget(ctx, org)
	t.MemberID = m.ID
	return t, err
}

// AllowOrg checks action a of p on organization id.
func (s *Service) AllowOrg(ctx context.Context, p *party.Principal, a party.Action, id int64) error {
	t, err := s.OrgTarget(ctx, id)
	if err != nil {
		return err
	}
	return Allow(p, a, t, missingOrg)
}

// AllowMember checks action a of p on member id.
func (s *Service) AllowMember(ctx context.Context, p *party.Principal, a party.Action, id int64) error {
	m, err := s.db.FindMember(ctx, id)
	if err != nil {
		return err
	}
	t, err := s.MemberTarget(ctx, m)
	if err != nil {
		return err
	}
	return Allow(p, a, t, missingMember)
}

// AllowPosition checks action a of p on post record id, by the organization the post is held in.
func (s *Service) AllowPosition(ctx context.Context, p *party.Principal, a party.Action, id int64) error {
	pos, err := s.db.FindPosition(ctx, id)
	if err != nil {
		return err
	}
	t, err := s.OrgTarget(ctx, pos.OrgID)
	if err != nil {
		return err
	}
	return Allow(p, a, t, missingPosition)
}

// AllowAttachment checks action a of p on temporary-branch attachment id, by that branch.
func (s *Service) AllowAttachment(ctx context.Context, p *party.Principal, a party.Action, id int64) error {
	at, err := s.db.FindAttachment(ctx, id)
	if err != nil {
		return err
	}
	t, err := s.OrgTarget(ctx, at.OrgID)
	if err != nil {
		return err
	}
	return Allow(p, a, t, missingAttachment)
}

// AllowParent checks action a of p under organization id, where 0 means a new top-level
// organization, which needs a grant on the whole installation.
func (s *Service) AllowParent(ctx context.Context, p *party.Principal, a party.Action, id int64) error {
	if id == 0 {
		if p.Can(a, party.Target{OrgPath: party.RootPath}) {
			return nil
		}
		return party.Errorf(party.EFORBIDDEN, "只有负责全系统的党建管理员可以新建顶级组织")
	}
	return s.AllowOrg(ctx, p, a, id)
}

// EventTarget returns the target of event e: the path of its organization, and, when p holds
// a 党员 grant whose member is among the event's expected attendees (store.ExpectsMember: its
// attendance row, or for a planned meeting the audience it will have), that member, so a
// member sees (and signs in to) the meetings it is expected at, planned or held, and no others.
func (s *Service) EventTarget(ctx context.Context, p *party.Principal, e *party.Event) (party.Target, error) {
	t, err := s.OrgTarget(ctx, e.OrgID)
	if err != nil || p == nil {
		return t, err
	}
	for _, g := range p.Grants {
		if g.Role.Scope() != party.ScopeOwn || g.MemberID == 0 {
			continue
		}
		expected, err := s.db.ExpectsMember(ctx, e, g.MemberID)
		if err != nil {
			return t, err
		}
		if expected {
			t.MemberID = g.MemberID
			return t, nil
		}
	}
	return t, nil
}

// AllowEvent checks action a of p on event id.
func (s *Service) AllowEvent(ctx context.Context, p *party.Principal, a party.Action, id int64) error {
	e, err := s.db.FindEvent(ctx, id)
	if err != nil {
		return err
	}
	t, err := s.EventTarget(ctx, p, e)
	if err != nil {
		return err
	}
	return Allow(p, a, t, missingEvent)
}
