package store_test

import (
	"context"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func hasAttendee(list []party.Attendance, id int64) bool {
	for _, a := range list {
		if a.MemberID == id {
			return true
		}
	}
	return false
}

// Expected attendees come from the roster of the event's day (found in review).

// A member moved from 机关党支部 to 体校党支部 on 1 June: the May meetings, recorded late,
// must expect them at their old branch, not the new one.
func TestExpectedFromTheRosterOfTheDay(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, 0, 3, 0, 1)
		_, err := db.MoveMember(ctx, ms[0].ID, tr.other.ID, 0, day("2026-06-01"), "")
		storetest.MustDo(t, "move", err)
		old := event(tr.branch.ID, party.TypeThemeDay, "2026-05-15", "五月主题党日")
		storetest.MustDo(t, "record old", db.RecordEvent(ctx, old, nil))
		neu := event(tr.other.ID, party.TypeThemeDay, "2026-05-20", "五月主题党日")
		storetest.MustDo(t, "record new", db.RecordEvent(ctx, neu, nil))
		if !hasAttendee(old.Attendance, ms[0].ID) {
			t.Errorf("old branch's May meeting: moved member not expected (expected %d)", old.Expected)
		}
		if hasAttendee(neu.Attendance, ms[0].ID) {
			t.Errorf("new branch's May meeting: member who arrived on 1 June is expected and marked 出席")
		}
	})
}

// A member transferred in from outside on 1 June is not expected at May's meetings.
func TestTransferredInLaterNotExpected(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		people(t, db, tr.branch.ID, 0, 2, 0, 1)
		m := member("孙强", tr.branch.ID, 50)
		storetest.MustDo(t, "in", db.TransferInMember(ctx, m, day("2026-06-01"), "外省某党支部", ""))
		e := event(tr.branch.ID, party.TypeThemeDay, "2026-05-15", "五月主题党日")
		storetest.MustDo(t, "record", db.RecordEvent(ctx, e, nil))
		if hasAttendee(e.Attendance, m.ID) {
			t.Errorf("May meeting expects a member transferred in on 1 June: expected=%d present=%d", e.Expected, e.Present)
		}
	})
}

// A planned event of a recurring plan moved to another day does not come back on its old day.
func TestMovedPlannedEventNotRecreated(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		p := &party.Plan{OrgID: tr.branch.ID, Type: party.TypeThemeDay, Title: "主题党日", Place: "党员活动室",
			Frequency: party.PlanMonthly, Day: 15, StartTime: "14:30", Minutes: 90, FromOn: day("2026-11-01")}
		storetest.MustDo(t, "plan", db.CreatePlan(ctx, p))
		_, err := db.MaterializePlan(ctx, p.ID, day("2026-12-31"))
		storetest.MustDo(t, "materialize", err)
		list, _, err := db.ListEvents(ctx, store.EventFilter{OrgID: tr.branch.ID, Status: party.EventPlanned})
		storetest.MustDo(t, "list", err)
		e, err := db.FindEvent(ctx, list[0].ID)
		storetest.MustDo(t, "find", err)
		moved := event(tr.branch.ID, party.TypeThemeDay, "2026-12-18", e.Title)
		moved.ID, moved.Status = e.ID, e.Status
		storetest.MustDo(t, "move", db.UpdateEvent(ctx, moved))
		n, err := db.MaterializePlans(ctx, day("2026-12-31"))
		storetest.MustDo(t, "materialize again", err)
		list, _, _ = db.ListEvents(ctx, store.EventFilter{OrgID: tr.branch.ID, Status: party.EventPlanned})
		if n != 0 || len(list) != 1 {
			for _, x := range list {
				t.Logf("planned %d on %s", x.ID, x.Date())
			}
			t.Errorf("after moving 15 Dec to 18 Dec, the scheduler created %d more; %d planned events in December", n, len(list))
		}
	})
}

// On the day a committee member is transferred out, the committee still expects them though
// the roster does not.
func TestCommitteeOnTheTransferOutDay(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, 0, 3, 0, 1)
		for i, title := range []string{"书记", "组织委员", "宣传委员"} {
			storetest.MustDo(t, "post", db.AddPosition(ctx, &party.Position{MemberID: ms[i].ID, OrgID: tr.branch.ID, Title: title, StartOn: day("2025-01-01")}))
		}
		_, err := db.TransferOut(ctx, ms[0].ID, day("2026-06-10"), "外单位党支部", "")
		storetest.MustDo(t, "out", err)
		com, err := db.ExpectedAttendees(ctx, tr.branch.ID, party.TypeBranchCommittee, day("2026-06-10"))
		storetest.MustDo(t, "committee", err)
		mem, err := db.ExpectedAttendees(ctx, tr.branch.ID, party.TypeBranchAssembly, day("2026-06-10"))
		storetest.MustDo(t, "members", err)
		if hasAttendee(com, ms[0].ID) != hasAttendee(mem, ms[0].ID) {
			t.Errorf("on the transfer-out day: in committee=%v, on roster=%v", hasAttendee(com, ms[0].ID), hasAttendee(mem, ms[0].ID))
		}
	})
}

// A ledger imported once is imported again after a member named in it moved branch.
func TestReimportAfterAMove(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, 0, 2, 0, 1)
		rows := []party.EventRow{{Row: 2, Org: "T-JG", Type: "主题党日", On: day("2026-05-15"), Start: 14 * time.Hour,
			Title: "五月主题党日", Present: []string{ms[0].Name, ms[1].Name}}}
		res, err := db.ImportEvents(ctx, tr.top.ID, rows, false)
		storetest.MustDo(t, "import", err)
		if res.Created != 1 {
			t.Fatalf("first import: %+v", res)
		}
		_, err = db.MoveMember(ctx, ms[0].ID, tr.other.ID, 0, day("2026-06-01"), "")
		storetest.MustDo(t, "move", err)
		res, err = db.ImportEvents(ctx, tr.top.ID, rows, false)
		storetest.MustDo(t, "reimport", err)
		if len(res.Errors) > 0 || res.Unchanged != 1 {
			t.Errorf("re-import of an already recorded row: %+v", res)
		}
	})
}

// A member moved from one party group to another today is expected at the first group's
// meetings held before today, and not at the second's.
func TestGroupChangeIsDated(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db) // 2026-11-26
		tr := mkTree(t, db)
		second := &party.Org{Name: "第二党小组", Code: "T-JG-2", Kind: party.KindGroup, ParentID: tr.branch.ID}
		storetest.MustDo(t, "group", db.CreateOrg(ctx, second))
		ms := people(t, db, tr.branch.ID, tr.group.ID, 2, 2, 1) // both in the first group
		m, err := db.FindMember(ctx, ms[0].ID)
		storetest.MustDo(t, "find", err)
		m.GroupID = second.ID
		storetest.MustDo(t, "regroup", db.UpdateMember(ctx, m))

		before, err := db.ExpectedAttendees(ctx, tr.group.ID, party.TypeGroupMeeting, day("2026-11-10"))
		storetest.MustDo(t, "first group before", err)
		other, err := db.ExpectedAttendees(ctx, second.ID, party.TypeGroupMeeting, day("2026-11-10"))
		storetest.MustDo(t, "second group before", err)
		if !hasAttendee(before, m.ID) || hasAttendee(other, m.ID) {
			t.Errorf("on 10 November: in the first group %v (want true), in the second %v (want false)",
				hasAttendee(before, m.ID), hasAttendee(other, m.ID))
		}
		after, err := db.ExpectedAttendees(ctx, second.ID, party.TypeGroupMeeting, day("2026-11-26"))
		storetest.MustDo(t, "second group today", err)
		left, err := db.ExpectedAttendees(ctx, tr.group.ID, party.TypeGroupMeeting, day("2026-11-26"))
		storetest.MustDo(t, "first group today", err)
		if !hasAttendee(after, m.ID) || hasAttendee(left, m.ID) || !hasAttendee(left, ms[1].ID) {
			t.Errorf("today: in the second group %v (want true), in the first %v (want false)", hasAttendee(after, m.ID), hasAttendee(left, m.ID))
		}
	})
}
