package compliance

import (
	"context"
	"fmt"
	"slices"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Study is the study statistics of a subtree over a span: sessions of the 中心组 and the 夜校,
// 第一议题 items studied, events by type and attendance per organization.
type Study struct {
	Span          party.Span
	CenterGroup   int
	NightSchool   int
	TopicsStudied int
	ByType        map[party.EventTypeCode]int
	// Orgs holds each organization's attendance over its held events, in tree order.
	Orgs []store.OrgAttendance
	// Expected and Present sum Orgs, for the subtree's overall attendance rate.
	Expected int
	Present  int
}

// Rate returns the subtree's attendance rate.
func (s *Study) Rate() float64 { return party.AttendanceRate(s.Expected, s.Present) }

// StudyStats gathers the study statistics of the subtree of root over span.
func StudyStats(ctx context.Context, db *store.DB, root int64, span party.Span) (*Study, error) {
	by, err := db.EventCounts(ctx, root, span)
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	topics, err := db.TopicsStudied(ctx, root, span)
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	orgs, err := db.OrgAttendances(ctx, root, span)
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	s := &Study{Span: span, CenterGroup: by[party.TypeCenterGroup], NightSchool: by[party.TypeNightSchool],
		TopicsStudied: topics, ByType: by, Orgs: orgs}
	for _, o := range orgs {
		s.Expected += o.Expected
		s.Present += o.Present
	}
	return s, nil
}

// MemberRecord is one member's own attendance over a span: what their page shows them, never
// set against anyone else's.
type MemberRecord struct {
	Events  []store.MemberEvent
	Present int
	Leave   int
	Absent  int
}

// Rate returns the member's attendance rate.
func (m *MemberRecord) Rate() float64 { return party.AttendanceRate(len(m.Events), m.Present) }

// MemberStudy returns member memberID's attendance over span.
func MemberStudy(ctx context.Context, db *store.DB, memberID int64, span party.Span) (*MemberRecord, error) {
	list, err := db.MemberAttendance(ctx, memberID, span)
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	r := &MemberRecord{Events: list}
	r.count()
	return r, nil
}

// count sums the statuses of r's events.
func (m *MemberRecord) count() {
	m.Present, m.Leave, m.Absent = 0, 0, 0
	for _, e := range m.Events {
		switch e.Status {
		case party.Present:
			m.Present++
		case party.Leave:
			m.Leave++
		case party.Absent:
			m.Absent++
		}
	}
}

// Keep keeps the events keep accepts, counts them again and returns how many it dropped: a
// viewer other than the member sees only the events of organizations it may read.
func (m *MemberRecord) Keep(keep func(store.MemberEvent) bool) int {
	n := len(m.Events)
	m.Events = slices.DeleteFunc(m.Events, func(e store.MemberEvent) bool { return !keep(e) })
	m.count()
	return n - len(m.Events)
}

// TopicOrg is one organization's study of a 第一议题 item.
type TopicOrg struct {
	store.TopicStudy
	// DaysAfter counts the days from the item's issue to the first study; -1 when the issue
	// date is unknown.
	DaysAfter int
}

// Coverage says, for one 第一议题 item, which organizations of a subtree studied it, when and
// how long after its issue, and which have not yet.
type Coverage struct {
	Topic   *party.FirstTopic
	Studied []TopicOrg
	// NotYet are the organizations expected to study (党委, 党组, 党总支 and branches existing
	// today) that have not.
	NotYet []*party.Org
}

// TopicCoverage computes the coverage of item topicID in the subtree of root on day today.
func TopicCoverage(ctx context.Context, db *store.DB, topicID, root int64, today party.Date) (*Coverage, error) {
	t, err := db.FindFirstTopic(ctx, topicID)
	if err != nil {
		return nil, err
	}
	studies, err := db.TopicStudies(ctx, topicID, root)
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: root, Kinds: []party.OrgKind{party.KindCommittee,
		party.KindLeadingGroup, party.KindGeneralBranch, party.KindBranch, party.KindTempBranch}})
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	c := &Coverage{Topic: t}
	done := map[int64]bool{}
	for _, s := range studies {
		days := -1
		if !t.IssuedOn.IsZero() {
			days = int(s.FirstOn.Time().Sub(t.IssuedOn.Time()).Hours() / 24)
		}
		c.Studied = append(c.Studied, TopicOrg{TopicStudy: s, DaysAfter: days})
		done[s.OrgID] = true
	}
	for _, o := range orgs {
		if !done[o.ID] && o.ActiveOn(today) {
			c.NotYet = append(c.NotYet, o)
		}
	}
	return c, nil
}

// LedgerEvent is one line of the 组织生活台账.
type LedgerEvent struct {
	*party.Event
	Topics []string
}

// Ledger returns the events of the subtree of root that started in span (held and cancelled
// ones; planned ones are not yet in a ledger), in time order, with their 第一议题 titles.
func Ledger(ctx context.Context, db *store.DB, root int64, span party.Span) ([]LedgerEvent, error) {
	var all []*party.Event
	for offset := 0; ; {
		page, total, err := db.ListEvents(ctx, store.EventFilter{Root: root, From: span.From, To: span.To, Offset: offset, Limit: 2000})
		if err != nil {
			return nil, fmt.Errorf("compliance: %w", err)
		}
		all = append(all, page...)
		offset += len(page)
		if len(page) == 0 || offset >= total {
			break
		}
	}
	var ids []int64
	var out []LedgerEvent
	for _, e := range all {
		if e.Status == party.EventPlanned {
			continue
		}
		ids = append(ids, e.ID)
		out = append(out, LedgerEvent{Event: e})
	}
	titles, err := db.EventTopicTitles(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	for i := range out {
		out[i].Topics = titles[out[i].ID]
	}
	return out, nil
}
