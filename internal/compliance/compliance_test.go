package compliance_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"dangjian/internal/compliance"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func day(s string) party.Date {
	d, err := party.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// bureau is a small tree: a 党组 over a branch with one party group and a temporary branch.
type bureau struct {
	top, branch, group, temp *party.Org
	members                  []*party.Member
}

func newBureau(t *testing.T, db *store.DB) *bureau {
	t.Helper()
	ctx := context.Background()
	b := &bureau{}
	mk := func(o *party.Org) *party.Org {
		storetest.MustDo(t, "org "+o.Name, db.CreateOrg(ctx, o))
		return o
	}
	b.top = mk(&party.Org{Code: "T", Name: "局党组", Kind: party.KindLeadingGroup, FoundedOn: day("2001-01-01")})
	b.branch = mk(&party.Org{Code: "T-JG", Name: "机关党支部", Kind: party.KindBranch, ParentID: b.top.ID, FoundedOn: day("2002-01-01")})
	b.group = mk(&party.Org{Code: "T-JG-1", Name: "第一党小组", Kind: party.KindGroup, ParentID: b.branch.ID, FoundedOn: day("2019-01-01")})
	b.temp = mk(&party.Org{Code: "T-LS", Name: "临时党支部", Kind: party.KindTempBranch, ParentID: b.top.ID,
		FoundedOn: day("2026-03-01"), StartOn: day("2026-03-01"), EndOn: day("2026-05-31")})
	for i := 0; i < 4; i++ {
		s := fmt.Sprintf("110101198506150%02d", i*2+1)
		m := &party.Member{Name: []string{"张伟", "王芳", "李娜", "刘洋"}[i], Gender: party.Male, Ethnicity: "汉族",
			BirthDate: day("1985-06-15"), IDNumber: party.IDNumber(s + string(party.IDCheckDigit(s))), Education: "大学本科",
			JoinedOn: day("2010-07-01"), FullOn: day("2011-07-01"), Category: party.Full, OrgID: b.branch.ID}
		if i < 2 {
			m.GroupID = b.group.ID
		}
		storetest.MustDo(t, "member", db.CreateMember(ctx, m))
		b.members = append(b.members, m)
	}
	storetest.MustDo(t, "attach", db.Attach(ctx, &party.TempAttachment{MemberID: b.members[3].ID, OrgID: b.temp.ID}))
	return b
}

func record(t *testing.T, db *store.DB, org int64, typ party.EventTypeCode, on string, topics ...int64) *party.Event {
	t.Helper()
	start, err := party.At(day(on), "09:00")
	storetest.MustDo(t, "time", err)
	e := &party.Event{OrgID: org, Type: typ, Title: "活动", StartAt: start, EndAt: start.Add(time.Hour), TopicIDs: topics}
	storetest.MustDo(t, "record "+on, db.RecordEvent(context.Background(), e, nil))
	return e
}

func setClock(db *store.DB, s string) party.Date {
	d := day(s)
	db.Now = func() time.Time { return time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC) }
	return d
}

func find(rows []party.ComplianceRow, org int64, typ party.EventTypeCode) *party.ComplianceRow {
	for i := range rows {
		if rows[i].OrgID == org && rows[i].Type == typ {
			return &rows[i]
		}
	}
	return nil
}

func TestComplianceForPeriod(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := setClock(db, "2026-11-26")
		b := newBureau(t, db)
		for _, m := range []string{"01", "02", "03", "05", "06"} {
			record(t, db, b.branch.ID, party.TypeThemeDay, "2026-"+m+"-15")
		}
		record(t, db, b.temp.ID, party.TypeThemeDay, "2026-03-20")
		record(t, db, b.temp.ID, party.TypeThemeDay, "2026-05-20")
		record(t, db, b.group.ID, party.TypeGroupMeeting, "2026-01-08")
		record(t, db, b.branch.ID, party.TypeOrgLife, "2026-02-01")
		h1, _ := party.ParsePeriod("2026H1")
		r, err := compliance.ForPeriod(ctx, db, b.top.ID, h1, today)
		storetest.MustDo(t, "compliance", err)
		if required, _, missing, pending := r.Totals(); r.Counted()+missing+pending != required {
			t.Errorf("counted %d + missing %d + pending %d != required %d", r.Counted(), missing, pending, required)
		}

		theme := find(r.Rows, b.branch.ID, party.TypeThemeDay)
		if theme == nil || theme.Required != 6 || theme.Held != 5 || theme.Missing != 1 || theme.Rule != "每月至少1次" {
			t.Fatalf("branch 主题党日: %+v", theme)
		}
		if p := theme.MissingPeriods(); len(p) != 1 || p[0].String() != "2026-04" {
			t.Fatalf("missing: %v", p)
		}
		temp := find(r.Rows, b.temp.ID, party.TypeThemeDay)
		if temp == nil || temp.Required != 3 || temp.Held != 2 || temp.Missing != 1 {
			t.Fatalf("temporary branch 主题党日: %+v", temp)
		}
		group := find(r.Rows, b.group.ID, party.TypeGroupMeeting)
		if group == nil || group.Required != 6 || group.Missing != 5 {
			t.Fatalf("党小组会: %+v", group)
		}
		if find(r.Rows, b.top.ID, party.TypeDemocraticLife) == nil || find(r.Rows, b.top.ID, party.TypeCenterGroup) == nil {
			t.Fatal("the 党组 has no 民主生活会 or 中心组 row")
		}
		printable := r.PrintableRows()
		found := false
		for _, row := range printable {
			if row.OrgCode == "T-LS" && row.EventType == "主题党日" {
				found = row.Required == 3 && row.Missing == 1 && len(row.Dates) == 2 && row.MissingPeriods[0] == "2026-04"
			}
		}
		if !found {
			t.Fatalf("printable rows: %+v", printable)
		}
		required, held, missing, _ := r.Totals()
		if required == 0 || held == 0 || missing == 0 || r.Label() != "2026年上半年" {
			t.Fatalf("totals %d %d %d, label %s", required, held, missing, r.Label())
		}

		t.Run("PastPeriodsJudgedByRulesThen", func(t *testing.T) {
			rules, err := db.Rules(ctx)
			storetest.MustDo(t, "rules", err)
			for _, rule := range rules {
				if rule.Type == party.TypeThemeDay {
					storetest.MustDo(t, "replace", db.ReplaceRule(ctx, rule.ID, &party.Rule{Type: party.TypeThemeDay,
						Kinds: rule.Kinds, Frequency: party.Quarterly, MinCount: 2, EffectiveFrom: day("2026-07-01"), Source: "本地规定"}))
				}
			}
			again, err := compliance.ForPeriod(ctx, db, b.top.ID, h1, today)
			storetest.MustDo(t, "again", err)
			if row := find(again.Rows, b.branch.ID, party.TypeThemeDay); row.Required != 6 || row.Missing != 1 {
				t.Fatalf("H1 after the rule changed in July: %+v", row)
			}
			h2, _ := party.ParsePeriod("2026H2")
			later, err := compliance.ForPeriod(ctx, db, b.top.ID, h2, today)
			storetest.MustDo(t, "H2", err)
			var quarterly *party.ComplianceRow
			for i := range later.Rows {
				if later.Rows[i].OrgID == b.branch.ID && later.Rows[i].Type == party.TypeThemeDay && later.Rows[i].Required > 0 {
					quarterly = &later.Rows[i]
				}
			}
			if quarterly == nil || quarterly.Required != 4 || quarterly.Missing != 2 || quarterly.Pending != 2 {
				t.Fatalf("H2 by the new rule: %+v", quarterly)
			}
		})
	})
}

func TestDueAndOverdue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := setClock(db, "2026-11-26")
		b := newBureau(t, db)
		record(t, db, b.branch.ID, party.TypeThemeDay, "2026-11-10")
		record(t, db, b.branch.ID, party.TypeThemeDay, "2026-09-10")
		due, err := compliance.DueThisMonth(ctx, db, b.branch.ID, today)
		storetest.MustDo(t, "due", err)
		got := map[party.EventTypeCode]bool{}
		for _, it := range due {
			got[it.Type] = true
			if it.Overdue || it.Deadline.After(day("2026-11-30")) || it.Short < 1 {
				t.Errorf("due item: %+v", it)
			}
		}
		if got[party.TypeThemeDay] || !got[party.TypeGroupMeeting] {
			t.Fatalf("due this month: %+v", due)
		}
		overdueMonths := func() []string {
			overdue, err := compliance.Overdue(ctx, db, b.branch.ID, today)
			storetest.MustDo(t, "overdue", err)
			var months []string
			for _, it := range overdue {
				if !it.Overdue {
					t.Errorf("not marked overdue: %+v", it)
				}
				if it.OrgID == b.branch.ID && it.Type == party.TypeThemeDay {
					months = append(months, it.Period.String())
				}
			}
			return months
		}
		storetest.MustDo(t, "ledger start", db.SetLedgerStart(ctx, day("2025-01-01")))
		if months := overdueMonths(); len(months) != 10 || months[0] != "2026-10" || months[9] != "2025-12" {
			t.Fatalf("missed 主题党日 months (Dec 2025 to Oct 2026 minus September): %v", months)
		}
		// An installation that keeps records from 2026 is not reminded of 2025.
		storetest.MustDo(t, "ledger start", db.SetLedgerStart(ctx, day("2026-01-01")))
		if months := overdueMonths(); len(months) != 9 || months[0] != "2026-10" || months[8] != "2026-01" {
			t.Fatalf("missed 主题党日 months since the ledger start (Jan to Oct 2026 minus September): %v", months)
		}
		// The reminders' single computation agrees with the two separate ones.
		week, err := compliance.Due(ctx, db, b.top.ID, today, today.AddDays(6))
		storetest.MustDo(t, "due in a week", err)
		both, overdue, err := compliance.DueAndOverdue(ctx, db, b.top.ID, today, today.AddDays(6))
		storetest.MustDo(t, "due and overdue", err)
		alone, err := compliance.Overdue(ctx, db, b.top.ID, today)
		storetest.MustDo(t, "overdue", err)
		if len(week) == 0 || !reflect.DeepEqual(week, both) || len(alone) == 0 || !reflect.DeepEqual(alone, overdue) {
			t.Fatalf("DueAndOverdue differs: due %+v / %+v, overdue %d / %d items", week, both, len(alone), len(overdue))
		}
		weekAhead, err := compliance.Due(ctx, db, b.top.ID, day("2026-12-26"), day("2027-01-02"))
		storetest.MustDo(t, "week", err)
		yearly := false
		for _, it := range weekAhead {
			yearly = yearly || (it.Type == party.TypeOrgLife && it.Deadline == day("2026-12-31"))
		}
		if !yearly {
			t.Fatalf("the year's 组织生活会 is not due in the last week of December: %+v", weekAhead)
		}
	})
}

func TestStudyAndTopics(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := setClock(db, "2026-11-26")
		b := newBureau(t, db)
		topic := &party.FirstTopic{Title: "重要讲话精神", IssuedOn: day("2026-10-01"), Source: "新华社"}
		storetest.MustDo(t, "topic", db.CreateFirstTopic(ctx, topic))
		for _, p := range []*party.Position{{MemberID: b.members[0].ID, OrgID: b.top.ID, Title: "书记", StartOn: day("2020-01-01")},
			{MemberID: b.members[1].ID, OrgID: b.top.ID, Title: "委员", StartOn: day("2020-01-01")}} {
			storetest.MustDo(t, "post", db.AddPosition(ctx, p))
		}
		record(t, db, b.top.ID, party.TypeCenterGroup, "2026-10-09", topic.ID)
		record(t, db, b.top.ID, party.TypeNightSchool, "2026-10-15")
		e := record(t, db, b.branch.ID, party.TypeThemeDay, "2026-10-31", topic.ID)
		_, err := db.SetAttendance(ctx, e.ID, []party.Attendance{{MemberID: b.members[2].ID, Status: party.Leave, Reason: "病假"}})
		storetest.MustDo(t, "attendance", err)

		q4, _ := party.ParsePeriod("2026Q4")
		s, err := compliance.StudyStats(ctx, db, b.top.ID, q4.Span())
		storetest.MustDo(t, "study", err)
		if s.CenterGroup != 1 || s.NightSchool != 1 || s.TopicsStudied != 1 || len(s.Orgs) != 2 {
			t.Fatalf("study: %+v", s)
		}
		// 中心组: 2 of 2; 夜校: 4 of 4 (the bureau's members); 主题党日: 3 of 4.
		if s.Expected != 10 || s.Present != 9 {
			t.Fatalf("attendance %d of %d", s.Present, s.Expected)
		}
		own, err := compliance.MemberStudy(ctx, db, b.members[2].ID, q4.Span())
		storetest.MustDo(t, "member", err)
		if len(own.Events) != 2 || own.Leave != 1 || own.Rate() != 0.5 {
			t.Fatalf("own record: %+v", own)
		}
		c, err := compliance.TopicCoverage(ctx, db, topic.ID, b.top.ID, today)
		storetest.MustDo(t, "coverage", err)
		if len(c.Studied) != 2 || c.Studied[0].DaysAfter != 8 || c.Studied[1].DaysAfter != 30 {
			t.Fatalf("studied: %+v", c.Studied)
		}
		if len(c.NotYet) != 0 {
			t.Fatalf("not yet: the temporary branch ended in May, nobody else is left: %+v", c.NotYet)
		}
		ledger, err := compliance.Ledger(ctx, db, b.top.ID, q4.Span())
		storetest.MustDo(t, "ledger", err)
		if len(ledger) != 3 || len(ledger[0].Topics) != 1 || ledger[0].Topics[0] != topic.Title {
			t.Fatalf("ledger: %+v", ledger)
		}
	})
}
