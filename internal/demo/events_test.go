package demo_test

import (
	"context"
	"testing"
	"time"

	"dangjian/internal/compliance"
	"dangjian/internal/demo"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestLoadEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := setClock(db, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
		_, err := demo.Load(ctx, db, today)
		storetest.MustDo(t, "load", err)
		sum, err := demo.LoadEvents(ctx, db, today)
		storetest.MustDo(t, "events", err)
		t.Logf("%s in %s", sum, sum.Elapsed.Round(time.Millisecond))
		if sum.CenterGroup != 7 || sum.NightSchool != 20 || sum.Events < 250 || sum.Planned < 7 || sum.Topics != 9 {
			t.Fatalf("summary: %+v", sum)
		}
		top, err := db.FindOrgByCode(ctx, demo.TopCode)
		storetest.MustDo(t, "top", err)
		code := func(c string) int64 {
			o, err := db.FindOrgByCode(ctx, c)
			storetest.MustDo(t, "find "+c, err)
			return o.ID
		}
		h1, _ := party.ParsePeriod("2026H1")
		r, err := compliance.ForPeriod(ctx, db, top.ID, h1, today)
		storetest.MustDo(t, "compliance", err)
		missing := map[string]int{}
		for _, row := range r.Rows {
			if row.Missing > 0 {
				var periods []string
				for _, p := range row.MissingPeriods() {
					periods = append(periods, p.String())
				}
				t.Logf("缺: %s %s %v", row.OrgName, row.TypeName, periods)
				missing[row.OrgCode+" "+string(row.Type)] = row.Missing
			}
			if row.OrgCode == demo.TopCode && row.Type == party.TypeNightSchool && (row.Required != 20 || row.Held != 20) {
				t.Errorf("夜校: %+v", row)
			}
			if row.OrgCode == demo.TopCode && row.Type == party.TypeCenterGroup && (row.Required != 6 || row.Held != 7) {
				t.Errorf("中心组: %+v", row)
			}
			if row.OrgCode == demo.TopCode && row.Type == party.TypeDemocraticLife && row.Held != 1 {
				t.Errorf("民主生活会: %+v", row)
			}
		}
		want := map[string]int{
			"QCTY-JG-3 " + string(party.TypeGroupMeeting):  2, // the group that cannot meet, April and May
			"QCTY-LT " + string(party.TypeBranchCommittee): 1, // February: no quorum
			"QCTY-LT " + string(party.TypeThemeDay):        1, // February: Spring Festival
			"QCTY-CG " + string(party.TypeBranchCommittee): 1, // May
		}
		for k, n := range want {
			if missing[k] != n {
				t.Errorf("H1 gap %s: missing %d, want %d", k, missing[k], n)
			}
		}
		if len(missing) != len(want) {
			t.Errorf("H1 gaps %v, want exactly %v", missing, want)
		}

		due, err := compliance.DueThisMonth(ctx, db, code("QCTY-JG"), today)
		storetest.MustDo(t, "due", err)
		groupDue := false
		for _, it := range due {
			groupDue = groupDue || (it.OrgCode == "QCTY-JG-3" && it.Type == party.TypeGroupMeeting)
		}
		if !groupDue {
			t.Errorf("the third group's November meeting is not due: %+v", due)
		}
		upcoming, _, err := db.ListEvents(ctx, store.EventFilter{Root: top.ID, From: today, To: today.AddDays(7), Status: party.EventPlanned})
		storetest.MustDo(t, "upcoming", err)
		if len(upcoming) == 0 {
			t.Error("nothing planned in the coming week")
		}

		topics, err := db.FirstTopics(ctx, store.TopicFilter{})
		storetest.MustDo(t, "topics", err)
		var ideology *party.FirstTopic
		for _, tp := range topics {
			if tp.Title == "关于意识形态工作的重要论述" {
				ideology = tp
			}
		}
		c, err := compliance.TopicCoverage(ctx, db, ideology.ID, top.ID, today)
		storetest.MustDo(t, "coverage", err)
		notYet := map[string]bool{}
		for _, o := range c.NotYet {
			notYet[o.Code] = true
		}
		if !notYet["QCTY-TX"] || len(c.Studied) < 6 {
			t.Errorf("coverage: %d studied, not yet %v", len(c.Studied), notYet)
		}
		for _, s := range c.Studied {
			if s.DaysAfter < 2 || s.DaysAfter > 45 {
				t.Errorf("%s studied %d days after issue", s.OrgName, s.DaysAfter)
			}
		}

		study, err := compliance.StudyStats(ctx, db, top.ID, h1.Span())
		storetest.MustDo(t, "study", err)
		if study.CenterGroup != 7 || study.NightSchool != 20 || study.TopicsStudied < 5 || study.Rate() < 0.85 || study.Rate() > 0.99 {
			t.Errorf("study: 中心组 %d 夜校 %d topics %d rate %.3f", study.CenterGroup, study.NightSchool, study.TopicsStudied, study.Rate())
		}
		var audited int
		storetest.MustDo(t, "audit", db.RawQueryRow(ctx, `SELECT count(*) FROM audit_log WHERE object_type = 'event'`).Scan(&audited))
		if audited < sum.Events {
			t.Errorf("audit rows for events: %d, events %d", audited, sum.Events)
		}
	})
}

func TestLoadEventsNeedsTheBureau(t *testing.T) {
	db := storetest.OpenSQLite(t)
	if _, err := demo.LoadEvents(context.Background(), db, party.Date{Year: 2026, Month: 11, Day: 26}); party.ErrorCode(err) != party.ENOTFOUND {
		t.Fatalf("got %v, want not found", err)
	}
}

func TestCityEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := setClock(db, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
		_, err := demo.City(ctx, db, demo.CityOptions{Branches: 100, Members: 2100, Seed: 1}, nil)
		storetest.MustDo(t, "city", err)
		sum, err := demo.CityEvents(ctx, db, demo.CityEventsOptions{Year: 2025, Seed: 1}, nil)
		storetest.MustDo(t, "events", err)
		// About 34 events a branch, a dozen a party group, 12-13 a 党委 or 党组.
		if sum.Events < 100*30 || sum.Events > 100*60 || sum.Attendance < 2100*20 {
			t.Fatalf("summary %+v", sum)
		}
		root, err := db.FindOrgByCode(ctx, demo.CityCode)
		storetest.MustDo(t, "root", err)
		y, _ := party.ParsePeriod("2025")
		r, err := compliance.ForPeriod(ctx, db, root.ID, y, today)
		storetest.MustDo(t, "compliance", err)
		required, held, missing, pending := r.Totals()
		t.Logf("%d events, %d attendance rows; 2025: required %d held %d missing %d pending %d", sum.Events, sum.Attendance,
			required, held, missing, pending)
		if pending != 0 || missing == 0 || float64(missing) > 0.08*float64(required) || held < required*9/10 {
			t.Fatalf("a few per cent should be missing: required %d held %d missing %d pending %d", required, held, missing, pending)
		}
		var audit int
		storetest.MustDo(t, "audit", db.RawQueryRow(ctx, `SELECT count(*) FROM audit_log WHERE object_type = 'event'`).Scan(&audit))
		if audit < 1 || audit > 5 {
			t.Fatalf("bulk audit rows: %d", audit)
		}
	})
}
