package party_test

import (
	"strings"
	"testing"
	"time"

	"dangjian/internal/party"
)

func d(s string) party.Date {
	x, err := party.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in, canonical, chinese, from, to string
	}{
		{"2026-03", "2026-03", "2026年3月", "2026-03-01", "2026-04-01"},
		{"2026年12月", "2026-12", "2026年12月", "2026-12-01", "2027-01-01"},
		{"2026Q1", "2026Q1", "2026年第一季度", "2026-01-01", "2026-04-01"},
		{"2026年第四季度", "2026Q4", "2026年第四季度", "2026-10-01", "2027-01-01"},
		{"2026H1", "2026H1", "2026年上半年", "2026-01-01", "2026-07-01"},
		{"2026h2", "2026H2", "2026年下半年", "2026-07-01", "2027-01-01"},
		{"2026年上半年", "2026H1", "2026年上半年", "2026-01-01", "2026-07-01"},
		{"2026", "2026", "2026年", "2026-01-01", "2027-01-01"},
		{"2026年", "2026", "2026年", "2026-01-01", "2027-01-01"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, err := party.ParsePeriod(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			s := p.Span()
			if p.String() != tc.canonical || p.Chinese() != tc.chinese || s.From.String() != tc.from || s.To.String() != tc.to {
				t.Fatalf("got %s %s [%s, %s)", p, p.Chinese(), s.From, s.To)
			}
			again, err := party.ParsePeriod(p.String())
			if err != nil || again != p {
				t.Fatalf("round trip: %v %v", again, err)
			}
		})
	}
	for _, bad := range []string{"", "2026-13", "2026Q5", "2026H3", "26", "1800", "2026-03-01", "明年"} {
		t.Run("Err"+bad, func(t *testing.T) {
			if _, err := party.ParsePeriod(bad); party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("ParsePeriod(%q): got %v, want invalid", bad, err)
			}
		})
	}
}

// fixture builds a small tree with paths, the way the store returns it.
type fixture struct {
	top, branch, group, temp *party.Org
}

func newFixture() fixture {
	return fixture{
		top:    &party.Org{ID: 1, Code: "T", Name: "党组", Kind: party.KindLeadingGroup, Path: "/1/"},
		branch: &party.Org{ID: 2, Code: "B", Name: "机关党支部", Kind: party.KindBranch, Path: "/1/2/", FoundedOn: d("2001-01-01")},
		group:  &party.Org{ID: 3, Code: "G", Name: "第一党小组", Kind: party.KindGroup, Path: "/1/2/3/"},
		temp: &party.Org{ID: 4, Code: "L", Name: "临时党支部", Kind: party.KindTempBranch, Path: "/1/4/",
			FoundedOn: d("2026-03-01"), StartOn: d("2026-03-01"), EndOn: d("2026-05-31")},
	}
}

func monthly(id int64, typ party.EventTypeCode, kinds ...party.OrgKind) *party.Rule {
	return &party.Rule{ID: id, Type: typ, Kinds: kinds, Frequency: party.Monthly, MinCount: 1,
		EffectiveFrom: d("2018-10-28"), Source: "test", TypeName: string(typ)}
}

func held(org int64, typ party.EventTypeCode, days ...string) []party.HeldEvent {
	var out []party.HeldEvent
	for i, s := range days {
		out = append(out, party.HeldEvent{ID: int64(i + 1), OrgID: org, Type: typ, On: d(s)})
	}
	return out
}

func evaluate(t *testing.T, orgs []*party.Org, rules []*party.Rule, events []party.HeldEvent, period string, today string) []party.ComplianceRow {
	t.Helper()
	p, err := party.ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	return party.Evaluate(party.ComplianceInput{Orgs: orgs, Rules: rules, Events: events, Span: p.Span(), Today: d(today)})
}

func only(t *testing.T, rows []party.ComplianceRow) party.ComplianceRow {
	t.Helper()
	if len(rows) != 1 {
		t.Fatalf("got %d rows, want 1: %+v", len(rows), rows)
	}
	return rows[0]
}

func TestEvaluate(t *testing.T) {
	f := newFixture()
	themeDay := monthly(1, party.TypeThemeDay, party.KindBranch, party.KindTempBranch)

	t.Run("TempBranchOwesOnlyItsMonths", func(t *testing.T) {
		r := only(t, evaluate(t, []*party.Org{f.temp}, []*party.Rule{themeDay},
			held(4, party.TypeThemeDay, "2026-03-15", "2026-05-15"), "2026H1", "2026-11-26"))
		if r.Required != 3 || r.Held != 2 || r.Missing != 1 || r.Pending != 0 {
			t.Fatalf("required %d held %d missing %d pending %d", r.Required, r.Held, r.Missing, r.Pending)
		}
		if got := r.MissingPeriods(); len(got) != 1 || got[0].String() != "2026-04" {
			t.Fatalf("missing periods %v", got)
		}
	})

	t.Run("EndedTempBranchCannotStillHoldTheYears", func(t *testing.T) {
		long := *f.temp
		long.EndOn = d("2026-09-30") // 214 days of 365: the year's 党课 is owed
		lecture := &party.Rule{ID: 7, Type: party.TypePartyLecture, Kinds: []party.OrgKind{party.KindTempBranch},
			Frequency: party.Yearly, MinCount: 1, EffectiveFrom: d("2018-10-28"), Source: "test"}
		for _, c := range []struct {
			today            string
			missing, pending int
		}{{"2026-08-01", 0, 1}, {"2026-11-26", 1, 0}} {
			r := only(t, evaluate(t, []*party.Org{&long}, []*party.Rule{lecture}, nil, "2026", c.today))
			if r.Required != 1 || r.Missing != c.missing || r.Pending != c.pending {
				t.Errorf("on %s: required %d missing %d pending %d, want missing %d pending %d (the branch ended on 30 September)",
					c.today, r.Required, r.Missing, r.Pending, c.missing, c.pending)
			}
		}
	})

	t.Run("MonthsNotOverArePending", func(t *testing.T) {
		r := only(t, evaluate(t, []*party.Org{f.branch}, []*party.Rule{themeDay},
			held(2, party.TypeThemeDay, "2026-01-15", "2026-02-15"), "2026H1", "2026-03-20"))
		// Jan and Feb held, March not over yet, April to June still ahead.
		if r.Required != 6 || r.Held != 2 || r.Missing != 0 || r.Pending != 4 {
			t.Fatalf("required %d held %d missing %d pending %d", r.Required, r.Held, r.Missing, r.Pending)
		}
	})

	t.Run("TwoInOneMonthDoNotCoverAnother", func(t *testing.T) {
		r := only(t, evaluate(t, []*party.Org{f.branch}, []*party.Rule{themeDay},
			held(2, party.TypeThemeDay, "2026-01-05", "2026-01-25"), "2026Q1", "2026-11-26"))
		if r.Required != 3 || r.Held != 2 || r.Missing != 2 {
			t.Fatalf("required %d held %d missing %d", r.Required, r.Held, r.Missing)
		}
	})

	t.Run("FoundedMidMonthOwesFromMonthMostlyLived", func(t *testing.T) {
		late := *f.branch
		late.FoundedOn = d("2026-03-20") // 12 of 31 days: March not owed
		early := *f.branch
		early.ID, early.FoundedOn = 9, d("2026-03-10") // 22 of 31 days: owed
		rows := evaluate(t, []*party.Org{&late, &early}, []*party.Rule{themeDay}, nil, "2026Q1", "2026-11-26")
		if len(rows) != 2 || rows[0].Required != 0 || rows[1].Required != 1 {
			t.Fatalf("rows %+v", rows)
		}
	})

	t.Run("DissolvedJudgedUntilDissolution", func(t *testing.T) {
		gone := *f.branch
		gone.DissolvedOn = d("2026-04-16") // active 1-15 April: not more than half
		r := only(t, evaluate(t, []*party.Org{&gone}, []*party.Rule{themeDay}, nil, "2026H1", "2026-11-26"))
		if r.Required != 3 || r.Missing != 3 {
			t.Fatalf("required %d missing %d", r.Required, r.Missing)
		}
		r = only(t, evaluate(t, []*party.Org{&gone}, []*party.Rule{themeDay}, nil, "2025", "2026-11-26"))
		if r.Required != 12 {
			t.Fatalf("2025: required %d", r.Required)
		}
		if rows := evaluate(t, []*party.Org{&gone}, []*party.Rule{themeDay}, nil, "2026H2", "2026-11-26"); len(rows) != 0 {
			t.Fatalf("after dissolution: %+v", rows)
		}
	})

	t.Run("RuleChangeJudgesEachPeriodByRuleInForce", func(t *testing.T) {
		yearly := &party.Rule{ID: 1, Type: party.TypePartyLecture, Kinds: []party.OrgKind{party.KindBranch},
			Frequency: party.Yearly, MinCount: 1, EffectiveFrom: d("2018-10-28"), EffectiveTo: d("2026-03-31"), Source: "old"}
		quarterly := &party.Rule{ID: 2, Type: party.TypePartyLecture, Kinds: []party.OrgKind{party.KindBranch},
			Frequency: party.Quarterly, MinCount: 1, EffectiveFrom: d("2026-04-01"), Source: "new"}
		rows := evaluate(t, []*party.Org{f.branch}, []*party.Rule{yearly, quarterly},
			held(2, party.TypePartyLecture, "2026-05-10"), "2026H1", "2026-11-26")
		if len(rows) != 2 {
			t.Fatalf("rows: %+v", rows)
		}
		byRule := map[int64]party.ComplianceRow{rows[0].RuleID: rows[0], rows[1].RuleID: rows[1]}
		if r := byRule[1]; r.Required != 0 {
			t.Errorf("old yearly rule in force 90 days of 2026: required %d, want 0", r.Required)
		}
		if r := byRule[2]; r.Required != 1 || r.Held != 1 || r.Missing != 0 {
			t.Errorf("new quarterly rule: required %d held %d missing %d", r.Required, r.Held, r.Missing)
		}
		rows = evaluate(t, []*party.Org{f.branch}, []*party.Rule{yearly, quarterly}, nil, "2025", "2026-11-26")
		if r := only(t, rows); r.RuleID != 1 || r.Required != 1 || r.Missing != 1 {
			t.Errorf("2025 by the old rule: %+v", r)
		}
	})

	t.Run("SubtreeRuleReplacesWiderRule", func(t *testing.T) {
		other := &party.Org{ID: 7, Code: "O", Name: "其他支部", Kind: party.KindBranch, Path: "/6/7/"}
		local := &party.Rule{ID: 5, Type: party.TypeThemeDay, Kinds: []party.OrgKind{party.KindBranch}, RootOrgID: 1,
			RootPath: "/1/", Frequency: party.Quarterly, MinCount: 2, EffectiveFrom: d("2026-01-01"), Source: "local"}
		rows := evaluate(t, []*party.Org{f.branch, other}, []*party.Rule{themeDay, local}, nil, "2026H1", "2026-11-26")
		if len(rows) != 2 || rows[0].RuleID != 5 || rows[0].Required != 4 || rows[1].RuleID != 1 || rows[1].Required != 6 {
			t.Fatalf("rows: %+v", rows)
		}
	})

	t.Run("AnnualRuleOverHalfYearLooksAtWholeYear", func(t *testing.T) {
		orgLife := &party.Rule{ID: 3, Type: party.TypeOrgLife, Kinds: []party.OrgKind{party.KindBranch},
			Frequency: party.Yearly, MinCount: 1, EffectiveFrom: d("2018-10-28"), Source: "x"}
		r := only(t, evaluate(t, []*party.Org{f.branch}, []*party.Rule{orgLife}, nil, "2026H1", "2026-07-10"))
		if r.Required != 1 || r.Missing != 0 || r.Pending != 1 {
			t.Fatalf("required %d missing %d pending %d", r.Required, r.Missing, r.Pending)
		}
		r = only(t, evaluate(t, []*party.Org{f.branch}, []*party.Rule{orgLife},
			held(2, party.TypeOrgLife, "2026-12-20"), "2026H1", "2027-01-10"))
		if r.Held != 1 || r.Missing != 0 || r.Slots[0].State != party.SlotOK {
			t.Fatalf("held in December: %+v", r)
		}
		span := party.EvaluationSpan(party.Span{From: d("2026-01-01"), To: d("2026-07-01")}, []*party.Rule{orgLife})
		if span.To != d("2027-01-01") {
			t.Fatalf("evaluation span %v", span)
		}
	})

	t.Run("KindsAndOtherOrgsIgnored", func(t *testing.T) {
		group := monthly(8, party.TypeGroupMeeting, party.KindGroup)
		rows := evaluate(t, []*party.Org{f.top, f.branch, f.group}, []*party.Rule{group},
			append(held(3, party.TypeGroupMeeting, "2026-01-08"), held(2, party.TypeGroupMeeting, "2026-02-08")...), "2026Q1", "2026-11-26")
		r := only(t, rows)
		if r.OrgID != 3 || r.Held != 1 || r.Missing != 2 {
			t.Fatalf("%+v", r)
		}
	})
}

func TestRuleConflicts(t *testing.T) {
	a := monthly(1, party.TypeThemeDay, party.KindBranch)
	b := monthly(0, party.TypeThemeDay, party.KindBranch, party.KindTempBranch)
	if !a.Conflicts(b) {
		t.Error("same type, kind and open dates: want conflict")
	}
	b.EffectiveFrom = d("2026-01-01")
	a.EffectiveTo = d("2025-12-31")
	if a.Conflicts(b) {
		t.Error("consecutive dates: want no conflict")
	}
	c := monthly(0, party.TypeThemeDay, party.KindTempBranch)
	a.EffectiveTo = party.Date{}
	if a.Conflicts(c) {
		t.Error("no kind in common: want no conflict")
	}
}

func TestRuleValidate(t *testing.T) {
	ok := func() *party.Rule { return monthly(0, party.TypeThemeDay, party.KindBranch) }
	for name, change := range map[string]func(r *party.Rule){
		"ErrNoKinds":     func(r *party.Rule) { r.Kinds = nil },
		"ErrBadKind":     func(r *party.Rule) { r.Kinds = []party.OrgKind{"支部"} },
		"ErrZeroCount":   func(r *party.Rule) { r.MinCount = 0 },
		"ErrFrequency":   func(r *party.Rule) { r.Frequency = "week" },
		"ErrNoSource":    func(r *party.Rule) { r.Source = " " },
		"ErrEndBeforeIt": func(r *party.Rule) { r.EffectiveTo = d("2000-01-01") },
	} {
		t.Run(name, func(t *testing.T) {
			r := ok()
			change(r)
			if err := r.Validate(); party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
		})
	}
	if err := ok().Validate(); err != nil {
		t.Fatal(err)
	}
	if got := ok().Describe(); got != "每月至少1次" {
		t.Fatalf("describe: %s", got)
	}
}

func TestEventValidate(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	start := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	ok := func() *party.Event {
		return &party.Event{OrgID: 1, Type: party.TypeThemeDay, Title: "主题党日", Status: party.EventHeld,
			StartAt: start, EndAt: start.Add(90 * time.Minute),
			Attendance: []party.Attendance{{MemberID: 1, Status: party.Present}, {MemberID: 2, Status: party.Leave, Reason: "出差"}}}
	}
	for name, tc := range map[string]struct {
		change func(e *party.Event)
		field  string
	}{
		"ErrEndBeforeStart":  {func(e *party.Event) { e.EndAt = e.StartAt.Add(-time.Minute) }, "end_at"},
		"ErrHeldInFuture":    {func(e *party.Event) { e.StartAt, e.EndAt = now.Add(time.Hour), now.Add(2*time.Hour) }, "start_at"},
		"ErrNoTitle":         {func(e *party.Event) { e.Title = "  " }, "title"},
		"ErrCancelNoReason":  {func(e *party.Event) { e.Status = party.EventCancelled }, "cancel_reason"},
		"ErrBadAttendance":   {func(e *party.Event) { e.Attendance[0].Status = "迟到" }, "attendance"},
		"ErrTwiceListed":     {func(e *party.Event) { e.Attendance[1].MemberID = 1 }, "attendance"},
		"ErrControlInTitle":  {func(e *party.Event) { e.Title = "a\x00b" }, "title"},
		"ErrTooLong":         {func(e *party.Event) { e.EndAt = e.StartAt.Add(8 * 24 * time.Hour) }, "end_at"},
		"ErrGuestWithNoName": {func(e *party.Event) { e.Guests = []party.Guest{{UnitPost: "市委组织部"}} }, "guests"},
	} {
		t.Run(name, func(t *testing.T) {
			e := ok()
			tc.change(e)
			err := e.Validate(now)
			if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
	e := ok()
	if err := e.Validate(now); err != nil {
		t.Fatal(err)
	}
	e.Tally()
	if e.Expected != 2 || e.Present != 1 || e.Leave != 1 || e.Absent != 0 {
		t.Fatalf("tally %d/%d/%d/%d", e.Expected, e.Present, e.Leave, e.Absent)
	}
	planned := ok()
	planned.Status = party.EventPlanned
	planned.StartAt, planned.EndAt = now.Add(48*time.Hour), now.Add(50*time.Hour)
	if err := planned.Validate(now); err != nil {
		t.Fatalf("a planned event may lie ahead: %v", err)
	}
}

func TestCommitteeQuorum(t *testing.T) {
	committee := &party.EventType{Code: party.TypeBranchCommittee, Quorum: true}
	for _, tc := range []struct {
		expected, present int
		counts            bool
	}{{5, 3, true}, {5, 2, false}, {4, 2, false}, {4, 3, true}, {0, 0, false}, {1, 1, true}} {
		e := &party.Event{Status: party.EventHeld, Expected: tc.expected, Present: tc.present}
		e.Judge(committee)
		if e.Counts != tc.counts {
			t.Errorf("%d of %d present: counts %v, want %v", tc.present, tc.expected, e.Counts, tc.counts)
		}
		if !tc.counts && !strings.Contains(e.NotCountedReason(committee), "一半") {
			t.Errorf("reason: %q", e.NotCountedReason(committee))
		}
	}
	e := &party.Event{Status: party.EventHeld, Expected: 10, Present: 1}
	e.Judge(&party.EventType{Code: party.TypeThemeDay})
	if !e.Counts {
		t.Error("a 主题党日 needs no quorum")
	}
	e.Status = party.EventPlanned
	e.Judge(&party.EventType{Code: party.TypeThemeDay})
	if e.Counts {
		t.Error("a planned event never counts")
	}
}

func TestPlanOccurrences(t *testing.T) {
	p := &party.Plan{OrgID: 1, Type: party.TypeThemeDay, Title: "主题党日", Frequency: party.PlanMonthly, Day: 31,
		StartTime: "14:30", Minutes: 90, FromOn: d("2026-01-15")}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	got := p.Occurrences(d("2026-01-01"), d("2026-04-30"))
	want := []string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	w := &party.Plan{Frequency: party.PlanWeekly, Day: 4, FromOn: d("2026-03-01"), UntilOn: d("2026-03-31")}
	if got := w.Occurrences(d("2026-01-01"), d("2026-12-31")); len(got) != 4 || got[0].String() != "2026-03-05" {
		t.Fatalf("Thursdays of March 2026: %v", got)
	}
	at, err := party.At(d("2026-03-05"), "14:30")
	if err != nil || at.UTC().Format(time.RFC3339) != "2026-03-05T06:30:00Z" {
		t.Fatalf("at: %v %v", at, err)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]time.Duration{"14:30": 14*time.Hour + 30*time.Minute, "9:05": 9*time.Hour + 5*time.Minute,
		"0830": 8*time.Hour + 30*time.Minute, "14：30": 14*time.Hour + 30*time.Minute, "14:30:00": 14*time.Hour + 30*time.Minute} {
		if got, err := party.ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "24:00", "12:60", "下午", "1:2", "123"} {
		if _, err := party.ParseClock(bad); party.ErrorCode(err) != party.EINVALID {
			t.Errorf("ParseClock(%q): got %v, want invalid", bad, err)
		}
	}
}

func TestSplitNames(t *testing.T) {
	got := party.SplitNames(" 张三、李四，王五, 赵六；\n钱七 ")
	if strings.Join(got, "|") != "张三|李四|王五|赵六|钱七" {
		t.Fatalf("got %q", got)
	}
	if nr := party.SplitNameReason("张三（出差）"); nr.Name != "张三" || nr.Reason != "出差" {
		t.Fatalf("got %+v", nr)
	}
	if nr := party.SplitNameReason("李四(病假)"); nr.Name != "李四" || nr.Reason != "病假" {
		t.Fatalf("got %+v", nr)
	}
	if nr := party.SplitNameReason("王五"); nr.Name != "王五" || nr.Reason != "" {
		t.Fatalf("got %+v", nr)
	}
}
