package party

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Frequency is the length of the periods a rule counts in, and the unit of a Period.
type Frequency string

// The frequencies.
const (
	Monthly   Frequency = "month"
	Quarterly Frequency = "quarter"
	HalfYear  Frequency = "half_year"
	Yearly    Frequency = "year"
)

// Frequencies lists the frequencies, shortest first.
var Frequencies = []Frequency{Monthly, Quarterly, HalfYear, Yearly}

// Months returns how many months one period of f lasts, or 0 for an unknown frequency.
func (f Frequency) Months() int {
	switch f {
	case Monthly:
		return 1
	case Quarterly:
		return 3
	case HalfYear:
		return 6
	case Yearly:
		return 12
	}
	return 0
}

// Label returns 每月, 每季度, 每半年 or 每年.
func (f Frequency) Label() string {
	switch f {
	case Monthly:
		return "每月"
	case Quarterly:
		return "每季度"
	case HalfYear:
		return "每半年"
	case Yearly:
		return "每年"
	}
	return string(f)
}

// ParseFrequency reads a frequency by its code or its Chinese label (每月, 月, ...).
func ParseFrequency(s string) (Frequency, error) {
	s = strings.TrimSpace(s)
	for _, f := range Frequencies {
		if s == string(f) || s == f.Label() || s == strings.TrimPrefix(f.Label(), "每") {
			return f, nil
		}
	}
	return "", FieldErrorf(EINVALID, "frequency", "频次“%s”无效，应为每月、每季度、每半年或每年", s)
}

// Span is a range of days [From, To): To is the first day after it.
type Span struct {
	From Date
	To   Date
}

// Days returns the number of days in s.
func (s Span) Days() int { return dayNumber(s.To) - dayNumber(s.From) }

// Contains reports whether day d lies in s.
func (s Span) Contains(d Date) bool { return !d.Before(s.From) && d.Before(s.To) }

// Last returns the last day of s.
func (s Span) Last() Date { return s.To.AddDays(-1) }

// Period is a calendar month, quarter, half-year or year.
type Period struct {
	Unit Frequency
	Year int
	// N is the month (1-12), quarter (1-4) or half (1-2); 1 for a year.
	N int
}

// PeriodOf returns the period of unit f that contains day d.
func PeriodOf(f Frequency, d Date) Period {
	n := (int(d.Month)-1)/f.Months() + 1
	return Period{Unit: f, Year: d.Year, N: n}
}

// Span returns the days of p.
func (p Period) Span() Span {
	m := p.Unit.Months()
	from := Date{p.Year, time.Month((p.N-1)*m + 1), 1}
	to := DateOf(from.Time().AddDate(0, m, 0))
	return Span{from, to}
}

// Next returns the period after p.
func (p Period) Next() Period { return PeriodOf(p.Unit, p.Span().To) }

// String returns the canonical form: 2026-03, 2026Q1, 2026H1 or 2026.
func (p Period) String() string {
	switch p.Unit {
	case Monthly:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarterly:
		return fmt.Sprintf("%04dQ%d", p.Year, p.N)
	case HalfYear:
		return fmt.Sprintf("%04dH%d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

var quarterNames = []string{"", "第一季度", "第二季度", "第三季度", "第四季度"}

// Chinese returns 2026年3月, 2026年第一季度, 2026年上半年 or 2026年.
func (p Period) Chinese() string {
	switch p.Unit {
	case Monthly:
		return fmt.Sprintf("%d年%d月", p.Year, p.N)
	case Quarterly:
		return fmt.Sprintf("%d年%s", p.Year, quarterNames[p.N])
	case HalfYear:
		return fmt.Sprintf("%d年%s", p.Year, map[int]string{1: "上半年", 2: "下半年"}[p.N])
	}
	return fmt.Sprintf("%d年", p.Year)
}

// IsZero reports whether p is unset.
func (p Period) IsZero() bool { return p.Unit == "" }

// MarshalText implements encoding.TextMarshaler with the canonical form.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

var (
	periodMonth   = regexp.MustCompile(`^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?$`)
	periodQuarter = regexp.MustCompile(`^(\d{4})\s*(?:[-]?[Qq]|年第?)\s*([1-4一二三四])\s*(?:季度)?$`)
	periodHalf    = regexp.MustCompile(`^(\d{4})\s*(?:[-]?[Hh]([12])|年?(上|下)半年)$`)
	periodYear    = regexp.MustCompile(`^(\d{4})\s*年?(?:度)?$`)
)

// ParsePeriod reads a period written 2026-03 / 2026年3月, 2026Q1 / 2026年第一季度,
// 2026H1 / 2026年上半年, or 2026 / 2026年.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := Errorf(EINVALID, "期间“%s”无效，应写作 2026-03、2026Q1、2026H1 或 2026", s)
	year := func(t string) (int, bool) {
		y, err := strconv.Atoi(t)
		return y, err == nil && y >= 1921 && y <= 2200
	}
	if g := periodMonth.FindStringSubmatch(s); g != nil {
		y, ok := year(g[1])
		m, _ := strconv.Atoi(g[2])
		if !ok || m < 1 || m > 12 {
			return Period{}, bad
		}
		return Period{Monthly, y, m}, nil
	}
	if g := periodQuarter.FindStringSubmatch(s); g != nil {
		y, ok := year(g[1])
		if !ok {
			return Period{}, bad
		}
		n := strings.Index("1234", g[2]) + 1
		if n == 0 {
			n = slices.Index([]string{"一", "二", "三", "四"}, g[2]) + 1
		}
		return Period{Quarterly, y, n}, nil
	}
	if g := periodHalf.FindStringSubmatch(s); g != nil {
		y, ok := year(g[1])
		if !ok {
			return Period{}, bad
		}
		n := 1
		if g[2] == "2" || g[3] == "下" {
			n = 2
		}
		return Period{HalfYear, y, n}, nil
	}
	if g := periodYear.FindStringSubmatch(s); g != nil {
		y, ok := year(g[1])
		if !ok {
			return Period{}, bad
		}
		return Period{Yearly, y, 1}, nil
	}
	return Period{}, bad
}

// Rule says how often organizations of some kinds (or of one subtree) must hold events of one
// type, from when to when, and on what authority. Rules are data: the office edits them, and
// past periods are judged by the rules in force then.
type Rule struct {
	ID   int64
	Type EventTypeCode
	// Kinds are the organization kinds the rule applies to.
	Kinds []OrgKind
	// RootOrgID limits the rule to one subtree; 0 applies it everywhere. Within its subtree a
	// rule replaces the wider rules of the same event type while it is in force.
	RootOrgID int64
	Frequency Frequency
	MinCount  int
	// EffectiveFrom and EffectiveTo (inclusive; zero: open-ended) bound when it is in force.
	EffectiveFrom Date
	EffectiveTo   Date
	Source        string // e.g. 《中国共产党支部工作条例（试行）》第十二条
	Note          string

	// Read-only, filled by queries.
	RootPath string
	RootName string
	TypeName string
	TypeSort int
}

// Validate checks r.
func (r *Rule) Validate() error {
	r.Source = strings.TrimSpace(r.Source)
	if r.Type == "" {
		return FieldErrorf(EINVALID, "type", "请选择活动类型")
	}
	if len(r.Kinds) == 0 {
		return FieldErrorf(EINVALID, "kinds", "请选择适用的组织类别")
	}
	for _, k := range r.Kinds {
		if !k.Valid() {
			return FieldErrorf(EINVALID, "kinds", "组织类别“%s”无效", k)
		}
	}
	if r.Frequency.Months() == 0 {
		return FieldErrorf(EINVALID, "frequency", "频次应为每月、每季度、每半年或每年")
	}
	if r.MinCount < 1 || r.MinCount > 100 {
		return FieldErrorf(EINVALID, "min_count", "最少次数应为1至100")
	}
	if r.EffectiveFrom.IsZero() {
		return FieldErrorf(EINVALID, "effective_from", "请填写生效日期")
	}
	if !r.EffectiveTo.IsZero() && r.EffectiveTo.Before(r.EffectiveFrom) {
		return FieldErrorf(EINVALID, "effective_to", "失效日期不能早于生效日期")
	}
	if err := checkText("source", "依据", r.Source, 500, true); err != nil {
		return err
	}
	return checkText("note", "备注", r.Note, MaxTextLen, false)
}

// Describe returns the requirement in words: 每季度至少1次.
func (r *Rule) Describe() string {
	return fmt.Sprintf("%s至少%d次", r.Frequency.Label(), r.MinCount)
}

// KindsText returns the kinds joined by 、.
func (r *Rule) KindsText() string {
	s := make([]string, len(r.Kinds))
	for i, k := range r.Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, "、")
}

// AppliesTo reports whether r concerns organization o (its kind and subtree), whatever the date.
func (r *Rule) AppliesTo(o *Org) bool {
	if !slices.Contains(r.Kinds, o.Kind) {
		return false
	}
	return r.RootOrgID == 0 || strings.HasPrefix(o.Path, r.RootPath)
}

// InForceOn reports whether r is in force on day d.
func (r *Rule) InForceOn(d Date) bool {
	return !d.Before(r.EffectiveFrom) && (r.EffectiveTo.IsZero() || !d.After(r.EffectiveTo))
}

// Conflicts reports whether r and s would both govern some organization on some day with the
// same scope: same event type and subtree, a kind in common and overlapping dates.
func (r *Rule) Conflicts(s *Rule) bool {
	if r.ID == s.ID && r.ID != 0 || r.Type != s.Type || r.RootOrgID != s.RootOrgID {
		return false
	}
	common := false
	for _, k := range r.Kinds {
		common = common || slices.Contains(s.Kinds, k)
	}
	if !common {
		return false
	}
	a, b := r.days(), s.days()
	return a.a < b.b && b.a < a.b
}

// days returns the days r is in force.
func (r *Rule) days() dayRange {
	end := maxDay
	if !r.EffectiveTo.IsZero() {
		end = dayNumber(r.EffectiveTo) + 1
	}
	return dayRange{dayNumber(r.EffectiveFrom), end}
}

// specificity orders rules for one organization: a subtree rule beats a wider one.
func (r *Rule) specificity() int { return len(r.RootPath) }

// HeldEvent is an event that counts as held, as compliance sees it.
type HeldEvent struct {
	ID    int64
	OrgID int64
	Type  EventTypeCode
	On    Date
}

// SlotState is the standing of one rule period of one organization.
type SlotState string

// The slot states.
const (
	// SlotOK: held at least the minimum.
	SlotOK SlotState = "ok"
	// SlotMissing: the period is over and fewer were held than required (缺).
	SlotMissing SlotState = "missing"
	// SlotPending: the period is not over yet and more are still to hold (待开).
	SlotPending SlotState = "pending"
	// SlotExempt: nothing is owed, the organization existing, or the rule being in force, for
	// no more than half of the period.
	SlotExempt SlotState = "exempt"
)

// Slot is one period of a rule's frequency for one organization.
type Slot struct {
	Period   Period
	Span     Span
	Required int
	Held     int
	State    SlotState
	Dates    []Date
}

// ComplianceRow is the standing of one organization under one rule over a span: how many
// events were required, held, missed and still to hold, with the dates.
type ComplianceRow struct {
	OrgID    int64
	OrgCode  string
	OrgName  string
	OrgKind  OrgKind
	RuleID   int64
	Type     EventTypeCode
	TypeName string
	TypeSort int
	Rule     string // 每月至少1次
	Source   string
	Required int
	Held     int
	// Missing counts the events lacking in periods that are over.
	Missing int
	// Pending counts the events still to hold in periods that are not over.
	Pending int
	// Dates are the days of the counted events, in order.
	Dates []Date
	Slots []Slot
}

// MissingPeriods returns the periods with a shortfall that are over, in order.
func (r *ComplianceRow) MissingPeriods() []Period {
	var out []Period
	for _, s := range r.Slots {
		if s.State == SlotMissing {
			out = append(out, s.Period)
		}
	}
	return out
}

// ComplianceInput is everything the computation needs; it reads nothing else.
type ComplianceInput struct {
	// Orgs are the organizations to judge, in the order rows should come (dissolved ones
	// included: they are judged for the days they existed).
	Orgs []*Org
	// Rules are every rule, in force or not: each period is judged by the rules in force then.
	Rules []*Rule
	// Events are the events that count as held, for the organizations and for every day of
	// the rule periods overlapping Span (those may reach outside it).
	Events []HeldEvent
	Span   Span
	// Today decides which periods are over.
	Today Date
}

// EvaluationSpan returns the days whose events Evaluate needs for span under rules: span
// widened to the bounds of every rule period overlapping it.
func EvaluationSpan(span Span, rules []*Rule) Span {
	out := span
	for _, r := range rules {
		for _, p := range periodsOverlapping(r.Frequency, span) {
			s := p.Span()
			if s.From.Before(out.From) {
				out.From = s.From
			}
			if s.To.After(out.To) {
				out.To = s.To
			}
		}
	}
	return out
}

// Evaluate computes, for every organization and every rule that concerns it during the span,
// what was required, held, missed and still to hold.
//
// Each rule period (month, quarter, ...) overlapping the span is judged whole: an annual rule
// looked at over a half-year counts the whole year's events, and is pending until the year is
// over. A period is owed only when, for more than half of its days, the organization existed
// and the rule was in force for it (a subtree rule replacing a wider one of the same type on
// the days both are in force); so a temporary branch from 1 March to 31 May owes three monthly
// 主题党日, and a change of rule judges each period by the rule in force for most of it.
func Evaluate(in ComplianceInput) []ComplianceRow {
	byKind := map[OrgKind][]*Rule{}
	for _, r := range in.Rules {
		for _, k := range r.Kinds {
			byKind[k] = append(byKind[k], r)
		}
	}
	type key struct {
		org int64
		t   EventTypeCode
	}
	type held struct {
		day int
		on  Date
	}
	events := map[key][]held{}
	for _, e := range in.Events {
		k := key{e.OrgID, e.Type}
		events[k] = append(events[k], held{dayNumber(e.On), e.On})
	}
	for _, list := range events {
		sort.Slice(list, func(i, j int) bool { return list[i].day < list[j].day })
	}
	// The periods of each frequency overlapping the span, computed once.
	type period struct {
		p    Period
		span Span
		days dayRange
	}
	periods := map[Frequency][]period{}
	for _, r := range in.Rules {
		if _, ok := periods[r.Frequency]; ok {
			continue
		}
		var list []period
		for _, p := range periodsOverlapping(r.Frequency, in.Span) {
			s := p.Span()
			list = append(list, period{p, s, dayRange{dayNumber(s.From), dayNumber(s.To)}})
		}
		periods[r.Frequency] = list
	}
	span := dayRange{dayNumber(in.Span.From), dayNumber(in.Span.To)}
	today := dayNumber(in.Today)
	var rows []ComplianceRow
	var applicable []*Rule
	for _, o := range in.Orgs {
		active := orgDays(o)
		if active.a >= active.b {
			continue
		}
		applicable = applicable[:0]
		for _, r := range byKind[o.Kind] {
			if r.AppliesTo(o) {
				applicable = append(applicable, r)
			}
		}
		sort.SliceStable(applicable, func(i, j int) bool {
			a, b := applicable[i], applicable[j]
			if a.TypeSort != b.TypeSort {
				return a.TypeSort < b.TypeSort
			}
			if a.Type != b.Type {
				return a.Type < b.Type
			}
			return a.days().a < b.days().a
		})
		for _, r := range applicable {
			effective := []dayRange{r.days()}
			for _, s := range applicable {
				if s.Type == r.Type && s.specificity() > r.specificity() {
					effective = subtract(effective, s.days())
				}
			}
			effective = intersect(effective, active)
			if len(effective) == 0 || !overlapsAny(effective, span) {
				continue
			}
			row := ComplianceRow{OrgID: o.ID, OrgCode: o.Code, OrgName: o.Name, OrgKind: o.Kind, RuleID: r.ID,
				Type: r.Type, TypeName: r.TypeName, TypeSort: r.TypeSort, Rule: r.Describe(), Source: r.Source}
			list := events[key{o.ID, r.Type}]
			ps := periods[r.Frequency]
			row.Slots = make([]Slot, 0, len(ps))
			for _, p := range ps {
				owedDays := overlapLen(effective, p.days)
				slot := Slot{Period: p.p, Span: p.span}
				lo := sort.Search(len(list), func(i int) bool { return list[i].day >= p.days.a })
				for i := lo; i < len(list) && list[i].day < p.days.b; i++ {
					slot.Dates = append(slot.Dates, list[i].on)
				}
				slot.Held = len(slot.Dates)
				switch {
				case owedDays*2 <= p.days.b-p.days.a:
					slot.State = SlotExempt
				case slot.Held >= r.MinCount:
					slot.Required, slot.State = r.MinCount, SlotOK
				case today >= min(p.days.b, active.b):
					// The period is over, or the organization is (a temporary branch that ended
					// in the middle of the year can no longer hold the year's 党课).
					slot.Required, slot.State = r.MinCount, SlotMissing
					row.Missing += r.MinCount - slot.Held
				default:
					slot.Required, slot.State = r.MinCount, SlotPending
					row.Pending += r.MinCount - slot.Held
				}
				row.Required += slot.Required
				row.Held += slot.Held
				row.Dates = append(row.Dates, slot.Dates...)
				row.Slots = append(row.Slots, slot)
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// periodsOverlapping returns the periods of unit f that share a day with span, in order.
func periodsOverlapping(f Frequency, span Span) []Period {
	if f.Months() == 0 || dayNumber(span.From) >= dayNumber(span.To) {
		return nil
	}
	var out []Period
	end := dayNumber(span.To)
	for p := PeriodOf(f, span.From); dayNumber(p.Span().From) < end; p = p.Next() {
		out = append(out, p)
	}
	return out
}

// orgDays returns the days organization o existed: from its founding (or a temporary
// branch's start) to the day before it was dissolved (or a temporary branch's end).
func orgDays(o *Org) dayRange {
	r := dayRange{minDay, maxDay}
	if !o.FoundedOn.IsZero() {
		r.a = dayNumber(o.FoundedOn)
	}
	if o.Kind == KindTempBranch {
		if !o.StartOn.IsZero() {
			r.a = max(r.a, dayNumber(o.StartOn))
		}
		if !o.EndOn.IsZero() {
			r.b = min(r.b, dayNumber(o.EndOn)+1)
		}
	}
	if o.Dissolved() {
		r.b = min(r.b, dayNumber(o.DissolvedOn))
	}
	return r
}

// dayRange is a range of day numbers [a, b).
type dayRange struct{ a, b int }

const (
	minDay = -1 << 30
	maxDay = 1 << 30
)

// dayNumber counts days since 1970-01-01.
func dayNumber(d Date) int { return int(d.Time().Unix() / 86400) }

// subtract removes cut from every range of list.
func subtract(list []dayRange, cut dayRange) []dayRange {
	var out []dayRange
	for _, r := range list {
		if cut.b <= r.a || cut.a >= r.b {
			out = append(out, r)
			continue
		}
		if r.a < cut.a {
			out = append(out, dayRange{r.a, cut.a})
		}
		if cut.b < r.b {
			out = append(out, dayRange{cut.b, r.b})
		}
	}
	return out
}

// intersect keeps the parts of list inside with.
func intersect(list []dayRange, with dayRange) []dayRange {
	var out []dayRange
	for _, r := range list {
		a, b := max(r.a, with.a), min(r.b, with.b)
		if a < b {
			out = append(out, dayRange{a, b})
		}
	}
	return out
}

// overlapLen counts the days of list inside with; the ranges of list do not overlap.
func overlapLen(list []dayRange, with dayRange) int {
	n := 0
	for _, r := range intersect(list, with) {
		n += r.b - r.a
	}
	return n
}

func overlapsAny(list []dayRange, with dayRange) bool { return overlapLen(list, with) > 0 }
