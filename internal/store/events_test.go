package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// at returns local time hh:mm of day s.
func at(s, clock string) time.Time {
	t, err := party.At(day(s), clock)
	if err != nil {
		panic(err)
	}
	return t
}

// event returns a 90-minute event of org at day s 14:30.
func event(org int64, typ party.EventTypeCode, s, title string) *party.Event {
	start := at(s, "14:30")
	return &party.Event{OrgID: org, Type: typ, Title: title, StartAt: start, EndAt: start.Add(90 * time.Minute),
		Place: "党员活动室", Host: "主持人", Recorder: "记录人"}
}

// people creates n members of branch (the first g of them in group), returning them.
func people(t *testing.T, db *store.DB, branch, group int64, n, g, serial int) []*party.Member {
	t.Helper()
	var out []*party.Member
	names := []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"}
	for i := 0; i < n; i++ {
		m := member(names[i%len(names)]+strings.Repeat("甲", i/len(names)), branch, serial+i)
		if i < g {
			m.GroupID = group
		}
		storetest.MustDo(t, "create member", db.CreateMember(context.Background(), m))
		out = append(out, m)
	}
	return out
}

func TestEventCatalogueAndDefaultRules(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		types, err := db.EventTypes(ctx)
		storetest.MustDo(t, "types", err)
		byCode := map[party.EventTypeCode]*party.EventType{}
		for _, x := range types {
			byCode[x.Code] = x
		}
		if len(types) < 14 || !byCode[party.TypeBranchCommittee].Quorum || byCode[party.TypeThemeDay].Quorum ||
			byCode[party.TypeHeartTalk].Audience != party.AudienceListed || !byCode[party.TypeCenterGroup].Study {
			t.Fatalf("catalogue: %d types, %+v", len(types), byCode[party.TypeBranchCommittee])
		}
		rules, err := db.Rules(ctx)
		storetest.MustDo(t, "rules", err)
		if len(rules) != 10 {
			t.Fatalf("default rules: %d, want 10", len(rules))
		}
		for _, r := range rules {
			if err := r.Validate(); err != nil || r.Source == "" || r.TypeName == "" {
				t.Errorf("rule %d %s: %v", r.ID, r.TypeName, err)
			}
			if r.Type == party.TypeBranchCommittee && (r.Frequency != party.Monthly || !strings.Contains(r.Source, "支部工作条例")) {
				t.Errorf("支部委员会 rule: %+v", r)
			}
		}
		storetest.MustDo(t, "new type", db.CreateEventType(ctx, &party.EventType{Code: "volunteer", Name: "志愿服务",
			Category: party.CategoryOther, Audience: party.AudienceMembers, Sort: 200}))
		err = db.CreateEventType(ctx, &party.EventType{Code: "volunteer2", Name: "志愿服务", Category: party.CategoryOther,
			Audience: party.AudienceMembers})
		if party.ErrorCode(err) != party.ECONFLICT {
			t.Fatalf("duplicate type name: got %v, want conflict", err)
		}
	})
}

func TestRecordEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, tr.group.ID, 5, 2, 1)
		others := people(t, db, tr.other.ID, 0, 2, 0, 100)

		t.Run("QuickEntryDefaultsToPresent", func(t *testing.T) {
			e := event(tr.branch.ID, party.TypeThemeDay, "2026-11-15", "重温入党誓词")
			storetest.MustDo(t, "record", db.RecordEvent(ctx, e, []party.Attendance{
				{MemberID: ms[1].ID, Status: party.Leave, Reason: "出差"}, {MemberID: ms[2].ID, Status: party.Absent}}))
			if e.Expected != 5 || e.Present != 3 || e.Leave != 1 || e.Absent != 1 || !e.Counts || e.Status != party.EventHeld {
				t.Fatalf("counts %d/%d/%d/%d counts=%v", e.Expected, e.Present, e.Leave, e.Absent, e.Counts)
			}
			got, err := db.FindEvent(ctx, e.ID)
			storetest.MustDo(t, "find", err)
			if len(got.Attendance) != 5 || got.Expected != 5 || got.Date() != day("2026-11-15") || got.OrgName != "机关党支部" || got.TypeName != "主题党日" {
				t.Fatalf("stored: %+v", got)
			}
			var leave party.Attendance
			for _, a := range got.Attendance {
				if a.MemberID == ms[1].ID {
					leave = a
				}
			}
			if leave.Status != party.Leave || leave.Reason != "出差" || leave.MemberName != ms[1].Name {
				t.Fatalf("leave row: %+v", leave)
			}
			audit, err := db.AuditFor(ctx, store.ObjEvent, e.ID, 5)
			storetest.MustDo(t, "audit", err)
			if len(audit) != 1 || audit[0].Action != store.ActCreate || !strings.Contains(audit[0].Detail, "重温入党誓词") {
				t.Fatalf("audit: %+v", audit)
			}
		})

		t.Run("GroupMeetingExpectsGroupMembers", func(t *testing.T) {
			e := event(tr.group.ID, party.TypeGroupMeeting, "2026-11-10", "学习党章")
			storetest.MustDo(t, "record", db.RecordEvent(ctx, e, nil))
			if e.Expected != 2 || e.Present != 2 {
				t.Fatalf("group meeting expected %d present %d, want 2 and 2", e.Expected, e.Present)
			}
		})

		t.Run("CommitteeCountsOnlyWithMoreThanHalf", func(t *testing.T) {
			for i, title := range []string{"书记", "组织委员", "宣传委员", "纪检委员"} {
				storetest.MustDo(t, "post", db.AddPosition(ctx, &party.Position{MemberID: ms[i].ID, OrgID: tr.branch.ID,
					Title: title, StartOn: day("2024-06-28")}))
			}
			e := event(tr.branch.ID, party.TypeBranchCommittee, "2026-11-05", "研究发展党员工作")
			storetest.MustDo(t, "record", db.RecordEvent(ctx, e, []party.Attendance{
				{MemberID: ms[0].ID, Status: party.Leave, Reason: "参加培训"}, {MemberID: ms[1].ID, Status: party.Absent}}))
			if e.Expected != 4 || e.Present != 2 || e.Counts {
				t.Fatalf("2 of 4 committee members: expected %d present %d counts %v", e.Expected, e.Present, e.Counts)
			}
			fixed, err := db.SetAttendance(ctx, e.ID, []party.Attendance{{MemberID: ms[1].ID, Status: party.Present}})
			storetest.MustDo(t, "correct", err)
			if fixed.Present != 3 || !fixed.Counts {
				t.Fatalf("3 of 4: present %d counts %v", fixed.Present, fixed.Counts)
			}
			held, err := db.HeldEvents(ctx, tr.top.ID, party.Span{From: day("2026-11-01"), To: day("2026-12-01")})
			storetest.MustDo(t, "held", err)
			found := false
			for _, h := range held {
				found = found || h.ID == e.ID
			}
			if !found {
				t.Fatal("corrected committee meeting does not count as held")
			}
			audit, err := db.AuditFor(ctx, store.ObjEvent, e.ID, 5)
			storetest.MustDo(t, "audit", err)
			if len(audit) != 2 || audit[0].Action != store.ActEventAttendance {
				t.Fatalf("audit: %+v", audit)
			}
		})

		t.Run("ErrCommitteeWithoutOfficers", func(t *testing.T) {
			err := db.RecordEvent(ctx, event(tr.other.ID, party.TypeBranchCommittee, "2026-11-05", "支委会"), nil)
			if party.ErrorCode(err) != party.EINVALID || !strings.Contains(party.ErrorMessage(err), "委员") {
				t.Fatalf("got %v, want invalid about the committee", err)
			}
		})

		t.Run("ErrExceptionForSomeoneNotExpected", func(t *testing.T) {
			err := db.RecordEvent(ctx, event(tr.branch.ID, party.TypeThemeDay, "2026-10-15", "主题党日"),
				[]party.Attendance{{MemberID: others[0].ID, Status: party.Absent}})
			if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != "attendance" {
				t.Fatalf("got %v, want invalid attendance", err)
			}
		})

		t.Run("ErrOrgDidNotExistThatDay", func(t *testing.T) {
			err := db.RecordEvent(ctx, event(tr.temp.ID, party.TypeThemeDay, "2026-02-15", "主题党日"), nil)
			if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != "start_at" {
				t.Fatalf("got %v, want invalid start_at", err)
			}
		})

		t.Run("ErrHeldInFuture", func(t *testing.T) {
			err := db.RecordEvent(ctx, event(tr.branch.ID, party.TypeThemeDay, "2026-12-15", "主题党日"), nil)
			if party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
		})

		t.Run("TempBranchExpectsAttachedMembers", func(t *testing.T) {
			storetest.MustDo(t, "attach", db.Attach(ctx, &party.TempAttachment{MemberID: ms[4].ID, OrgID: tr.temp.ID}))
			storetest.MustDo(t, "attach", db.Attach(ctx, &party.TempAttachment{MemberID: others[1].ID, OrgID: tr.temp.ID}))
			e := event(tr.temp.ID, party.TypeThemeDay, "2026-04-15", "服务保障动员")
			storetest.MustDo(t, "record", db.RecordEvent(ctx, e, nil))
			if e.Expected != 2 {
				t.Fatalf("temporary branch expected %d, want 2", e.Expected)
			}
		})

		t.Run("HeartTalkListsItsPeople", func(t *testing.T) {
			e := event(tr.branch.ID, party.TypeHeartTalk, "2026-11-12", "谈心谈话")
			storetest.MustDo(t, "record", db.RecordEvent(ctx, e, []party.Attendance{
				{MemberID: ms[0].ID, Status: party.Present}, {MemberID: ms[3].ID, Status: party.Present}}))
			if e.Expected != 2 || !e.Counts {
				t.Fatalf("listed: expected %d counts %v", e.Expected, e.Counts)
			}
			err := db.RecordEvent(ctx, event(tr.branch.ID, party.TypeHeartTalk, "2026-11-12", "谈心谈话"), nil)
			if party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("nobody listed: got %v, want invalid", err)
			}
		})

		t.Run("TransferredOutKeepsPastRecords", func(t *testing.T) {
			gone := ms[4]
			_, err := db.TransferOut(ctx, gone.ID, day("2026-11-20"), "外市某党支部", "工作调动")
			storetest.MustDo(t, "transfer out", err)
			list, _, err := db.ListEvents(ctx, store.EventFilter{OrgID: tr.branch.ID, Types: []party.EventTypeCode{party.TypeThemeDay}})
			storetest.MustDo(t, "list", err)
			past, err := db.FindEvent(ctx, list[0].ID)
			storetest.MustDo(t, "find", err)
			kept := false
			for _, a := range past.Attendance {
				kept = kept || a.MemberID == gone.ID
			}
			if !kept {
				t.Fatal("the transferred-out member vanished from a past event")
			}
			after, err := db.ExpectedAttendees(ctx, tr.branch.ID, party.TypeThemeDay, day("2026-11-25"))
			storetest.MustDo(t, "expected", err)
			before, err := db.ExpectedAttendees(ctx, tr.branch.ID, party.TypeThemeDay, day("2026-11-19"))
			storetest.MustDo(t, "expected", err)
			if len(after) != 4 || len(before) != 5 {
				t.Fatalf("expected after transfer %d, before %d; want 4 and 5", len(after), len(before))
			}
		})
	})
}

func TestPlanCompleteCancel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, 0, 3, 0, 1)

		planned := event(tr.branch.ID, party.TypeBranchAssembly, "2026-11-24", "第四季度党员大会")
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, planned))
		if planned.Status != party.EventPlanned || planned.Counts || planned.Expected != 0 {
			t.Fatalf("planned: %+v", planned)
		}
		cal, total, err := db.ListEvents(ctx, store.EventFilter{Root: tr.top.ID, From: day("2026-11-01"), To: day("2026-12-01")})
		storetest.MustDo(t, "calendar", err)
		if total != 1 || cal[0].ID != planned.ID || cal[0].Status != party.EventPlanned {
			t.Fatalf("calendar: %d %+v", total, cal)
		}

		done := event(0, party.TypeBranchAssembly, "2026-11-24", "第四季度党员大会")
		done.ID, done.Content = planned.ID, "会议通报了第四季度工作。"
		done.Guests = []party.Guest{{Name: "周某", UnitPost: "上级党委组织委员"}}
		storetest.MustDo(t, "complete", db.CompleteEvent(ctx, done, []party.Attendance{{MemberID: ms[0].ID, Status: party.Leave, Reason: "病假"}}))
		got, err := db.FindEvent(ctx, planned.ID)
		storetest.MustDo(t, "find", err)
		if got.Status != party.EventHeld || got.Expected != 3 || got.Present != 2 || !got.Counts || len(got.Guests) != 1 ||
			got.Content != done.Content || got.OrgID != tr.branch.ID {
			t.Fatalf("completed: %+v", got)
		}
		audit, err := db.AuditFor(ctx, store.ObjEvent, planned.ID, 5)
		storetest.MustDo(t, "audit", err)
		if len(audit) != 2 || audit[0].Action != store.ActEventComplete {
			t.Fatalf("audit: %+v", audit)
		}
		if _, err := db.CancelEvent(ctx, planned.ID, "重复登记"); party.ErrorCode(err) != party.ECONFLICT {
			t.Fatalf("cancel a held event: got %v, want conflict", err)
		}
		if err := db.CompleteEvent(ctx, done, nil); party.ErrorCode(err) != party.ECONFLICT {
			t.Fatalf("complete twice: got %v, want conflict", err)
		}

		later := event(tr.branch.ID, party.TypeThemeDay, "2026-12-15", "主题党日")
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, later))
		if _, err := db.CancelEvent(ctx, later.ID, " "); party.ErrorCode(err) != party.EINVALID {
			t.Fatalf("cancel without reason: got %v, want invalid", err)
		}
		c, err := db.CancelEvent(ctx, later.ID, "与上级会议冲突，改期")
		storetest.MustDo(t, "cancel", err)
		if c.Status != party.EventCancelled || c.CancelReason != "与上级会议冲突，改期" {
			t.Fatalf("cancelled: %+v", c)
		}

		upd, err := db.FindEvent(ctx, planned.ID)
		storetest.MustDo(t, "find", err)
		upd.Decisions = "同意接收某某为预备党员"
		storetest.MustDo(t, "update", db.UpdateEvent(ctx, upd))
		again, err := db.FindEvent(ctx, planned.ID)
		storetest.MustDo(t, "find", err)
		if again.Decisions != upd.Decisions || again.Present != 2 || len(again.Attendance) != 3 {
			t.Fatalf("updated: %+v", again)
		}
	})
}

func TestRecurringPlan(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		p := &party.Plan{OrgID: tr.branch.ID, Type: party.TypeThemeDay, Title: "主题党日", Place: "党员活动室",
			Frequency: party.PlanMonthly, Day: 15, StartTime: "14:30", Minutes: 90, FromOn: day("2026-11-01")}
		storetest.MustDo(t, "plan", db.CreatePlan(ctx, p))
		// Another organization's plan is left alone when one plan is materialized.
		other := &party.Plan{OrgID: tr.other.ID, Type: party.TypeThemeDay, Title: "体校主题党日",
			Frequency: party.PlanMonthly, Day: 20, StartTime: "14:30", Minutes: 90, FromOn: day("2026-11-01")}
		storetest.MustDo(t, "other plan", db.CreatePlan(ctx, other))
		n, err := db.MaterializePlan(ctx, p.ID, day("2027-01-31"))
		storetest.MustDo(t, "materialize", err)
		if n != 2 {
			t.Fatalf("created %d, want 2 (15 December, 15 January; 15 November is past)", n)
		}
		if n, err = db.MaterializePlans(ctx, day("2027-01-31")); err != nil || n != 2 {
			t.Fatalf("all plans: created %d, %v; want the other branch's 2", n, err)
		}
		if n, err = db.MaterializePlans(ctx, day("2027-01-31")); err != nil || n != 0 {
			t.Fatalf("second run created %d, %v; want 0", n, err)
		}
		list, _, err := db.ListEvents(ctx, store.EventFilter{OrgID: tr.branch.ID, Status: party.EventPlanned})
		storetest.MustDo(t, "list", err)
		if len(list) != 2 || list[0].Date() != day("2026-12-15") || list[0].PlanID != p.ID ||
			list[0].StartAt.In(party.Zone).Format("15:04") != "14:30" {
			t.Fatalf("planned: %+v", list)
		}
		_, err = db.CancelEvent(ctx, list[0].ID, "改期")
		storetest.MustDo(t, "cancel", err)
		if n, _ = db.MaterializePlans(ctx, day("2027-01-31")); n != 0 {
			t.Fatalf("a cancelled occurrence came back: %d created", n)
		}
		storetest.MustDo(t, "stop", db.StopPlan(ctx, p.ID, day("2026-12-31")))
		jan, err := db.FindEvent(ctx, list[1].ID)
		storetest.MustDo(t, "find", err)
		if jan.Status != party.EventCancelled {
			t.Fatalf("January after stop: %s", jan.Status)
		}
		plans, err := db.Plans(ctx, tr.branch.ID)
		storetest.MustDo(t, "plans", err)
		if len(plans) != 1 || plans[0].Active || plans[0].UntilOn != day("2026-12-31") {
			t.Fatalf("plans: %+v", plans)
		}
	})
}

func TestRules(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		rules, err := db.Rules(ctx)
		storetest.MustDo(t, "rules", err)
		var lecture *party.Rule
		for _, r := range rules {
			if r.Type == party.TypePartyLecture {
				lecture = r
			}
		}
		dup := &party.Rule{Type: party.TypePartyLecture, Kinds: []party.OrgKind{party.KindBranch}, Frequency: party.Quarterly,
			MinCount: 1, EffectiveFrom: day("2027-01-01"), Source: "本局党建工作制度"}
		if err := db.CreateRule(ctx, dup); party.ErrorCode(err) != party.ECONFLICT {
			t.Fatalf("overlapping rule: got %v, want conflict", err)
		}
		storetest.MustDo(t, "replace", db.ReplaceRule(ctx, lecture.ID, dup))
		old, err := db.FindRule(ctx, lecture.ID)
		storetest.MustDo(t, "find", err)
		if old.EffectiveTo != day("2026-12-31") || dup.ID == 0 {
			t.Fatalf("old rule ends %s, new id %d", old.EffectiveTo, dup.ID)
		}
		local := &party.Rule{Type: party.TypeNightSchool, Kinds: []party.OrgKind{party.KindLeadingGroup}, RootOrgID: tr.top.ID,
			Frequency: party.Monthly, MinCount: 3, EffectiveFrom: day("2026-01-01"), Source: "局党组夜校学习制度"}
		storetest.MustDo(t, "local rule", db.CreateRule(ctx, local))
		if local.RootPath != tr.top.Path || local.TypeName != "夜校学习" {
			t.Fatalf("local rule: %+v", local)
		}
		audit, err := db.AuditFor(ctx, store.ObjRule, lecture.ID, 5)
		storetest.MustDo(t, "audit", err)
		if len(audit) != 1 || !strings.Contains(audit[0].Detail, "2026-12-31") {
			t.Fatalf("audit: %+v", audit)
		}
		if _, err := db.UpdateRuleText(ctx, local.ID, "", ""); party.ErrorCode(err) != party.EINVALID {
			t.Fatalf("rule without source: got %v, want invalid", err)
		}
	})
}

func TestFirstTopics(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		people(t, db, tr.branch.ID, 0, 3, 0, 1)
		people(t, db, tr.other.ID, 0, 2, 0, 50)
		topic := &party.FirstTopic{Title: "关于加强基层组织建设的重要讲话", IssuedOn: day("2026-10-20"), Source: "《求是》"}
		storetest.MustDo(t, "topic", db.CreateFirstTopic(ctx, topic))
		if err := db.CreateFirstTopic(ctx, &party.FirstTopic{Title: topic.Title}); party.ErrorCode(err) != party.ECONFLICT {
			t.Fatalf("duplicate title: got %v, want conflict", err)
		}
		e := event(tr.branch.ID, party.TypeBranchCommittee, "2026-11-03", "支委会")
		e.Type, e.TopicIDs = party.TypeThemeDay, []int64{topic.ID}
		storetest.MustDo(t, "record", db.RecordEvent(ctx, e, nil))
		e2 := event(tr.branch.ID, party.TypeThemeDay, "2026-11-13", "再学习")
		e2.TopicIDs = []int64{topic.ID}
		storetest.MustDo(t, "record", db.RecordEvent(ctx, e2, nil))
		bad := event(tr.other.ID, party.TypeGroupMeeting, "2026-11-03", "x")
		bad.OrgID, bad.TopicIDs = tr.group.ID, []int64{topic.ID}
		if err := db.RecordEvent(ctx, bad, nil); party.ErrorCode(err) != party.EINVALID {
			t.Fatalf("第一议题 at a type without study: got %v, want invalid", err)
		}
		studies, err := db.TopicStudies(ctx, topic.ID, tr.top.ID)
		storetest.MustDo(t, "studies", err)
		if len(studies) != 1 || studies[0].OrgID != tr.branch.ID || studies[0].FirstOn != day("2026-11-03") || studies[0].Events != 2 {
			t.Fatalf("studies: %+v", studies)
		}
		n, err := db.TopicsStudied(ctx, tr.top.ID, party.Span{From: day("2026-11-01"), To: day("2026-12-01")})
		if err != nil || n != 1 {
			t.Fatalf("topics studied: %d %v", n, err)
		}
		list, err := db.FirstTopics(ctx, store.TopicFilter{Query: "基层"})
		storetest.MustDo(t, "list", err)
		if len(list) != 1 {
			t.Fatalf("search: %+v", list)
		}
		got, err := db.FindEvent(ctx, e.ID)
		storetest.MustDo(t, "find", err)
		if len(got.Topics) != 1 || got.Topics[0].Title != topic.Title {
			t.Fatalf("event topics: %+v", got.Topics)
		}
	})
}

func TestImportEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, tr.group.ID, 4, 3, 1)
		row := func(n int) party.EventRow {
			return party.EventRow{Row: n, Org: "机关党支部", Type: "主题党日", On: day("2026-03-15"), Start: 14*time.Hour + 30*time.Minute,
				Title: "学习贯彻全国两会精神", Host: ms[0].Name, Recorder: ms[1].Name, Expected: 4,
				Present: []string{ms[0].Name, ms[1].Name}, Leave: []party.NameReason{{Name: ms[2].Name, Reason: "出差"}},
				Absent: []string{ms[3].Name}, Topics: []string{"全国两会精神"}}
		}
		good := []party.EventRow{row(2)}
		g := row(3)
		g.Org, g.Type, g.Title, g.Expected, g.Present, g.Leave, g.Absent, g.Topics = "T-JG-1", "党小组会", "学习党章", 3,
			[]string{ms[0].Name, ms[1].Name, ms[2].Name}, nil, nil, nil
		good = append(good, g)

		t.Run("UnknownTopicRefusedWhenOnlyKnownAllowed", func(t *testing.T) {
			res, err := db.ImportEvents(ctx, tr.top.ID, good, true, store.KnownTopicsOnly())
			storetest.MustDo(t, "dry run", err)
			if res.Created != 0 || len(res.Errors) != 1 || res.Errors[0].Row != 2 || res.Errors[0].Column != "第一议题" ||
				!strings.Contains(res.Errors[0].Message, "全国两会精神") {
				t.Fatalf("an unknown 第一议题 with KnownTopicsOnly: %+v", res)
			}
		})
		t.Run("DryRunWritesNothing", func(t *testing.T) {
			res, err := db.ImportEvents(ctx, tr.top.ID, good, true)
			storetest.MustDo(t, "dry run", err)
			if res.Created != 2 || len(res.Errors) != 0 {
				t.Fatalf("dry run: %+v", res)
			}
			_, total, _ := db.ListEvents(ctx, store.EventFilter{Root: tr.top.ID})
			if total != 0 {
				t.Fatalf("dry run wrote %d events", total)
			}
		})
		t.Run("ImportsAndIsIdempotent", func(t *testing.T) {
			res, err := db.ImportEvents(ctx, tr.top.ID, good, false)
			storetest.MustDo(t, "import", err)
			if res.Created != 2 {
				t.Fatalf("import: %+v", res)
			}
			list, _, err := db.ListEvents(ctx, store.EventFilter{OrgID: tr.branch.ID})
			storetest.MustDo(t, "list", err)
			e, err := db.FindEvent(ctx, list[0].ID)
			storetest.MustDo(t, "find", err)
			if e.Expected != 4 || e.Present != 2 || e.Leave != 1 || e.Absent != 1 || len(e.Topics) != 1 ||
				e.StartAt.In(party.Zone).Format("2006-01-02 15:04") != "2026-03-15 14:30" {
				t.Fatalf("imported: %+v", e)
			}
			res, err = db.ImportEvents(ctx, tr.top.ID, good, false)
			storetest.MustDo(t, "again", err)
			if res.Created != 0 || res.Unchanged != 2 {
				t.Fatalf("second import: %+v", res)
			}
		})
		t.Run("ErrBadRowsImportNothing", func(t *testing.T) {
			a := row(2)
			a.Title = "另一次"
			b := row(3)
			b.Title = "另一次主题党日" // an event not recorded yet: rows already recorded are skipped unread
			b.Present = []string{"查无此人", ms[1].Name}
			c := row(4)
			c.Type = "茶话会"
			d := row(5)
			d.Org = "体校党支部"
			d.Title = "体校主题党日"
			e := row(6)
			e.Expected = 9
			e.Title = "人数不符"
			f := row(7)
			f.On = day("2026-12-01")
			rows := []party.EventRow{a, b, c, d, e, f}
			res, err := db.ImportEvents(ctx, tr.top.ID, rows, false)
			storetest.MustDo(t, "import", err)
			want := map[int]string{3: "出席人员", 4: "类型", 5: "出席人员", 6: "应到人数", 7: "日期"}
			rowsWithErrors := map[int]bool{}
			for _, e := range res.Errors {
				rowsWithErrors[e.Row] = true
				if want[e.Row] != e.Column && !(e.Row == 5 && strings.HasSuffix(e.Column, "人员")) {
					t.Errorf("row %d: column %q (%s), want %q", e.Row, e.Column, e.Message, want[e.Row])
				}
			}
			if res.Created != 0 || len(rowsWithErrors) != len(want) {
				t.Fatalf("errors: %+v", res)
			}
			list, _, _ := db.ListEvents(ctx, store.EventFilter{Root: tr.top.ID})
			if len(list) != 2 {
				t.Fatalf("a bad file wrote events: %d", len(list))
			}
		})
	})
}

func TestBulkCreateEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, 0, 3, 0, 1)
		var batch []*party.Event
		for m := 1; m <= 10; m++ {
			e := event(tr.branch.ID, party.TypeThemeDay, time.Date(2026, time.Month(m), 15, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), "主题党日")
			e.Status = party.EventHeld
			for i, x := range ms {
				st := party.Present
				if i == 2 && m%2 == 0 {
					st = party.Leave
				}
				e.Attendance = append(e.Attendance, party.Attendance{MemberID: x.ID, Status: st})
			}
			batch = append(batch, e)
		}
		storetest.MustDo(t, "bulk", db.BulkCreateEvents(ctx, batch))
		held, err := db.HeldEvents(ctx, tr.top.ID, party.Span{From: day("2026-01-01"), To: day("2027-01-01")})
		storetest.MustDo(t, "held", err)
		if len(held) != 10 {
			t.Fatalf("held %d", len(held))
		}
		orgs, err := db.OrgAttendances(ctx, tr.top.ID, party.Span{From: day("2026-01-01"), To: day("2027-01-01")})
		storetest.MustDo(t, "org attendance", err)
		if len(orgs) != 1 || orgs[0].Events != 10 || orgs[0].Expected != 30 || orgs[0].Present != 25 || orgs[0].Leave != 5 {
			t.Fatalf("org attendance: %+v", orgs)
		}
		tallies, err := db.MemberTallies(ctx, tr.branch.ID, party.Span{From: day("2026-01-01"), To: day("2027-01-01")})
		storetest.MustDo(t, "tallies", err)
		if len(tallies) != 3 {
			t.Fatalf("tallies: %+v", tallies)
		}
		for _, m := range tallies {
			if m.MemberID == ms[2].ID && (m.Expected != 10 || m.Present != 5 || m.Leave != 5) {
				t.Fatalf("tally of %s: %+v", m.Name, m)
			}
		}
		own, err := db.MemberAttendance(ctx, ms[2].ID, party.Span{From: day("2026-01-01"), To: day("2026-04-01")})
		storetest.MustDo(t, "own", err)
		if len(own) != 3 || own[1].Status != party.Leave {
			t.Fatalf("own record: %+v", own)
		}
		bad := event(tr.temp.ID, party.TypeThemeDay, "2026-01-15", "x")
		bad.Status = party.EventHeld
		if err := db.BulkCreateEvents(ctx, []*party.Event{bad}); party.ErrorCode(err) != party.EINVALID {
			t.Fatalf("event before the temporary branch began: got %v, want invalid", err)
		}
	})
}

func TestLedgerStart(t *testing.T) {
	// A new database keeps records from the 1st of January of the year it was created in
	// (storetest sets its databases' ledger start to the tests' year, so open one directly).
	ctx := context.Background()
	fresh, err := store.Open(ctx, store.Config{DataDir: t.TempDir(), Keys: storetest.Keys(t)})
	storetest.MustDo(t, "open", err)
	defer fresh.Close()
	storetest.MustDo(t, "migrate", fresh.Migrate(ctx))
	got, err := fresh.LedgerStart(ctx)
	storetest.MustDo(t, "ledger start", err)
	if want := (party.Date{Year: party.Today(time.Now()).Year, Month: time.January, Day: 1}); got != want {
		t.Fatalf("ledger start of a new database %v, want %v", got, want)
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := party.Date{Year: 2024, Month: time.July, Day: 1}
		storetest.MustDo(t, "set", db.SetLedgerStart(ctx, d))
		if got, err := db.LedgerStart(ctx); err != nil || got != d {
			t.Fatalf("ledger start %v, %v; want %v", got, err, d)
		}
	})
}
