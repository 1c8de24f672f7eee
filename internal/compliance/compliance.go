// Package compliance is the rule engine's I/O side: it loads the organizations of a subtree,
// the rules and the held events, and lets party.Evaluate say, per organization and rule, what
// was required, held and missed; it also gathers the study statistics and the reminder lists
// built on those figures. Handlers and commands call it and only format what it returns.
package compliance

import (
	"context"
	"fmt"
	"sort"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Report is the compliance of one subtree over a span of days.
type Report struct {
	Root *party.Org
	// Period is the calendar period asked for; zero when the span is not one.
	Period party.Period
	Span   party.Span
	Today  party.Date
	Rows   []party.ComplianceRow
}

// ForPeriod computes the compliance of the subtree of root for a calendar period, judging
// periods not over by today as pending.
func ForPeriod(ctx context.Context, db *store.DB, root int64, p party.Period, today party.Date) (*Report, error) {
	r, err := Compute(ctx, db, root, p.Span(), today)
	if err != nil {
		return nil, err
	}
	r.Period = p
	return r, nil
}

// Compute computes the compliance of the subtree of root over span.
func Compute(ctx context.Context, db *store.DB, root int64, span party.Span, today party.Date) (*Report, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return nil, err
	}
	orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: root, IncludeDissolved: true})
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	rules, err := db.Rules(ctx)
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	events, err := heldEvents(ctx, db, root, span, rules)
	if err != nil {
		return nil, err
	}
	rows := party.Evaluate(party.ComplianceInput{Orgs: orgs, Rules: rules, Events: events, Span: span, Today: today})
	return &Report{Root: o, Span: span, Today: today, Rows: rows}, nil
}

// heldEvents loads the held events the rules need to judge span: for each event type, over
// the span widened to its rules' periods (a yearly rule looks at the whole year, a monthly one
// only at the span's months), so a half-year reads half a year of most events.
func heldEvents(ctx context.Context, db *store.DB, root int64, span party.Span, rules []*party.Rule) ([]party.HeldEvent, error) {
	need := map[party.EventTypeCode]party.Span{}
	for _, r := range rules {
		s := party.EvaluationSpan(span, []*party.Rule{r})
		if old, ok := need[r.Type]; ok {
			if old.From.Before(s.From) {
				s.From = old.From
			}
			if old.To.After(s.To) {
				s.To = old.To
			}
		}
		need[r.Type] = s
	}
	bySpan := map[party.Span][]party.EventTypeCode{}
	var spans []party.Span
	for t, s := range need {
		if _, ok := bySpan[s]; !ok {
			spans = append(spans, s)
		}
		bySpan[s] = append(bySpan[s], t)
	}
	sort.Slice(spans, func(i, j int) bool {
		return spans[i].From.Before(spans[j].From) || spans[i].From == spans[j].From && spans[i].To.Before(spans[j].To)
	})
	var out []party.HeldEvent
	for _, s := range spans {
		types := bySpan[s]
		sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
		list, err := db.HeldEvents(ctx, root, s, types...)
		if err != nil {
			return nil, fmt.Errorf("compliance: %w", err)
		}
		out = append(out, list...)
	}
	return out, nil
}

// Totals sums the rows of r.
func (r *Report) Totals() (required, held, missing, pending int) {
	for _, row := range r.Rows {
		required += row.Required
		held += row.Held
		missing += row.Missing
		pending += row.Pending
	}
	return
}

// Counted is how many held events count toward what was required: per rule period at most
// the required number, so that Counted + missing + pending = required (a branch that held two
// 党课 where one is required counts one).
func (r *Report) Counted() int {
	n := 0
	for _, row := range r.Rows {
		for _, s := range row.Slots {
			n += min(s.Held, s.Required)
		}
	}
	return n
}

// Label names the report's span: the period in Chinese, or its first and last day.
func (r *Report) Label() string {
	if !r.Period.IsZero() {
		return r.Period.Chinese()
	}
	return r.Span.From.Chinese() + "至" + r.Span.Last().Chinese()
}

// Row is one compliance row as the API and the command line print it.
type Row struct {
	OrgID          int64    `json:"org_id"`
	OrgCode        string   `json:"org_code"`
	OrgName        string   `json:"org_name"`
	OrgKind        string   `json:"org_kind"`
	EventType      string   `json:"event_type"`
	EventTypeCode  string   `json:"event_type_code"`
	Rule           string   `json:"rule"`
	Source         string   `json:"source"`
	Required       int      `json:"required"`
	Held           int      `json:"held"`
	Missing        int      `json:"missing"`
	Pending        int      `json:"pending"`
	Dates          []string `json:"dates"`
	MissingPeriods []string `json:"missing_periods"`
}

// PrintableRows returns the rows of r in their printable form; rows that require nothing and saw
// nothing held are left out.
func (r *Report) PrintableRows() []Row {
	out := make([]Row, 0, len(r.Rows))
	for _, x := range r.Rows {
		if x.Required == 0 && x.Held == 0 {
			continue
		}
		row := Row{OrgID: x.OrgID, OrgCode: x.OrgCode, OrgName: x.OrgName, OrgKind: string(x.OrgKind), EventType: x.TypeName,
			EventTypeCode: string(x.Type), Rule: x.Rule, Source: x.Source, Required: x.Required, Held: x.Held,
			Missing: x.Missing, Pending: x.Pending, Dates: []string{}, MissingPeriods: []string{}}
		for _, d := range x.Dates {
			row.Dates = append(row.Dates, d.String())
		}
		for _, p := range x.MissingPeriods() {
			row.MissingPeriods = append(row.MissingPeriods, p.String())
		}
		out = append(out, row)
	}
	return out
}

// Item is one open or overdue obligation: a rule period of one organization with events still
// to hold.
type Item struct {
	OrgID    int64
	OrgCode  string
	OrgName  string
	Type     party.EventTypeCode
	TypeName string
	Rule     string
	Period   party.Period
	// Deadline is the last day of the period.
	Deadline party.Date
	Required int
	Held     int
	// Short is how many events are still lacking.
	Short   int
	Overdue bool
}

// items lists the slots of rows in the given state, for periods accepted by keep.
func items(rows []party.ComplianceRow, state party.SlotState, keep func(s party.Slot) bool) []Item {
	var out []Item
	for _, r := range rows {
		for _, s := range r.Slots {
			if s.State != state || !keep(s) {
				continue
			}
			out = append(out, Item{OrgID: r.OrgID, OrgCode: r.OrgCode, OrgName: r.OrgName, Type: r.Type, TypeName: r.TypeName,
				Rule: r.Rule, Period: s.Period, Deadline: s.Span.Last(), Required: s.Required, Held: s.Held,
				Short: s.Required - s.Held, Overdue: state == party.SlotMissing})
		}
	}
	return out
}

// Due lists what the subtree of root must still hold in the rule periods that contain today
// and end by day until: "due this month" with until the month's last day, the coming week's
// deadlines with until a week ahead. Items come by deadline.
func Due(ctx context.Context, db *store.DB, root int64, today, until party.Date) ([]Item, error) {
	span := party.Span{From: today, To: today.AddDays(1)}
	r, err := Compute(ctx, db, root, span, today)
	if err != nil {
		return nil, err
	}
	out := items(r.Rows, party.SlotPending, func(s party.Slot) bool {
		return s.Span.Contains(today) && !s.Span.Last().After(until)
	})
	sortItems(out)
	return out, nil
}

// DueThisMonth lists what the subtree of root (a branch and its party groups, say) must still
// hold in periods ending this month.
func DueThisMonth(ctx context.Context, db *store.DB, root int64, today party.Date) ([]Item, error) {
	return Due(ctx, db, root, today, party.PeriodOf(party.Monthly, today).Span().Last())
}

// OverdueMonths is how far back Overdue looks.
const OverdueMonths = 12

// Overdue lists the rule periods of the subtree of root that ended in the last OverdueMonths
// months (the current month included) with events lacking, latest deadline first; periods
// that began before the installation's ledger start (store.DB.LedgerStart) are left out.
func Overdue(ctx context.Context, db *store.DB, root int64, today party.Date) ([]Item, error) {
	_, overdue, err := DueAndOverdue(ctx, db, root, today, today)
	return overdue, err
}

// DueAndOverdue returns what Due(today, until) and Overdue(today) return, from one computation
// over the overdue months: the reminders need both, and at city scale each computation of the
// whole subtree takes a second or more.
func DueAndOverdue(ctx context.Context, db *store.DB, root int64, today, until party.Date) (due, overdue []Item, err error) {
	month := party.PeriodOf(party.Monthly, today).Span().From
	from := party.DateOf(month.Time().AddDate(0, -(OverdueMonths - 1), 0))
	since, err := db.LedgerStart(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, err := Compute(ctx, db, root, party.Span{From: from, To: today.AddDays(1)}, today)
	if err != nil {
		return nil, nil, err
	}
	overdue = items(r.Rows, party.SlotMissing, func(s party.Slot) bool {
		return !s.Span.To.Before(from) && !s.Span.From.Before(since)
	})
	sort.SliceStable(overdue, func(i, j int) bool {
		if overdue[i].Deadline != overdue[j].Deadline {
			return overdue[i].Deadline.After(overdue[j].Deadline)
		}
		return overdue[i].OrgCode < overdue[j].OrgCode
	})
	due = items(r.Rows, party.SlotPending, func(s party.Slot) bool {
		return s.Span.Contains(today) && !s.Span.Last().After(until)
	})
	sortItems(due)
	return due, overdue, nil
}

func sortItems(list []Item) {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Deadline != list[j].Deadline {
			return list[i].Deadline.Before(list[j].Deadline)
		}
		return list[i].OrgCode < list[j].OrgCode
	})
}
