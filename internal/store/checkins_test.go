package store_test

import (
	"context"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestCheckIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, 0, 3, 0, 1)
		clock := func(hhmm string) {
			now := at("2026-11-26", hhmm)
			db.Now = func() time.Time { return now }
		}

		planned := event(tr.branch.ID, party.TypeBranchAssembly, "2026-11-26", "第四季度党员大会")
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, planned))

		t.Run("PlannedEventKeepsSignInsInOrder", func(t *testing.T) {
			clock("14:20")
			e, err := db.CheckIn(ctx, planned.ID, ms[2].ID)
			storetest.MustDo(t, "check in 3rd", err)
			if e.Status != party.EventPlanned || len(e.Attendance) != 0 || e.Expected != 0 {
				t.Fatalf("a sign-in changed the planned event: %+v", e)
			}
			clock("14:25")
			_, err = db.CheckIn(ctx, planned.ID, ms[0].ID)
			storetest.MustDo(t, "check in 1st", err)
			got, err := db.EventCheckins(ctx, planned.ID)
			storetest.MustDo(t, "sign-ins", err)
			if len(got) != 2 || got[0].MemberID != ms[2].ID || got[1].MemberID != ms[0].ID ||
				got[0].MemberName != ms[2].Name || !got[0].At.Equal(at("2026-11-26", "14:20")) {
				t.Fatalf("sign-ins: %+v", got)
			}
			audit, err := db.AuditFor(ctx, store.ObjEvent, planned.ID, 10)
			storetest.MustDo(t, "audit", err)
			if len(audit) != 3 || audit[0].Action != store.ActEventCheckIn || audit[1].Action != store.ActEventCheckIn ||
				audit[0].OrgID != tr.branch.ID {
				t.Fatalf("audit: %+v", audit)
			}
			stored, err := db.FindEvent(ctx, planned.ID)
			storetest.MustDo(t, "find", err)
			if stored.Status != party.EventPlanned || len(stored.Attendance) != 0 {
				t.Fatalf("stored after sign-ins: %+v", stored)
			}
		})

		t.Run("SigningInTwiceWritesNothing", func(t *testing.T) {
			clock("14:40")
			before, err := db.AuditFor(ctx, store.ObjEvent, planned.ID, 10)
			storetest.MustDo(t, "audit", err)
			_, err = db.CheckIn(ctx, planned.ID, ms[2].ID)
			storetest.MustDo(t, "second sign-in", err)
			after, err := db.AuditFor(ctx, store.ObjEvent, planned.ID, 10)
			storetest.MustDo(t, "audit", err)
			if len(after) != len(before) {
				t.Fatalf("a second sign-in wrote %d audit rows", len(after)-len(before))
			}
			got, err := db.EventCheckins(ctx, planned.ID)
			storetest.MustDo(t, "sign-ins", err)
			if len(got) != 2 || got[0].MemberID != ms[2].ID || !got[0].At.Equal(at("2026-11-26", "14:20")) {
				t.Fatalf("the second sign-in moved the first: %+v", got)
			}
		})

		t.Run("SignedInEventKeepsItsDay", func(t *testing.T) {
			clock("14:45")
			e, err := db.FindEvent(ctx, planned.ID)
			storetest.MustDo(t, "find", err)
			moved := *e
			moved.StartAt, moved.EndAt = at("2026-11-28", "14:30"), at("2026-11-28", "16:00")
			err = db.UpdateEvent(ctx, &moved)
			if party.ErrorCode(err) != party.ECONFLICT || party.ErrorField(err) != "on" ||
				party.ErrorMessage(err) != "已有2人在2026年11月26日扫码签到，活动日期不能再改；如活动确已改期，请取消本次活动并另行登记" {
				t.Fatalf("moving a signed-in event: %v", err)
			}
			// Completing it as held on another day is refused alike.
			earlier := *e
			earlier.StartAt, earlier.EndAt = at("2026-11-24", "14:30"), at("2026-11-24", "16:00")
			err = db.CompleteEvent(ctx, &earlier, nil)
			if party.ErrorCode(err) != party.ECONFLICT || party.ErrorField(err) != "on" {
				t.Fatalf("completing a signed-in event on another day: %v", err)
			}
			// The time of day may still be corrected.
			later := *e
			later.StartAt, later.EndAt = at("2026-11-26", "15:00"), at("2026-11-26", "16:30")
			storetest.MustDo(t, "change the time", db.UpdateEvent(ctx, &later))
			got, err := db.EventCheckins(ctx, planned.ID)
			storetest.MustDo(t, "sign-ins", err)
			if len(got) != 2 {
				t.Fatalf("sign-ins after changing the time: %+v", got)
			}
		})

		t.Run("ErrMissingMemberOrEvent", func(t *testing.T) {
			if _, err := db.CheckIn(ctx, planned.ID, 999999); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("missing member: got %v, want not found", err)
			}
			if _, err := db.CheckIn(ctx, 999999, ms[0].ID); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("missing event: got %v, want not found", err)
			}
		})

		t.Run("ErrCancelledEvent", func(t *testing.T) {
			c := event(tr.branch.ID, party.TypeThemeDay, "2026-11-27", "主题党日")
			storetest.MustDo(t, "plan", db.PlanEvent(ctx, c))
			_, err := db.CancelEvent(ctx, c.ID, "改期")
			storetest.MustDo(t, "cancel", err)
			_, err = db.CheckIn(ctx, c.ID, ms[0].ID)
			if party.ErrorCode(err) != party.ECONFLICT || party.ErrorMessage(err) != "该活动已取消，不能签到" {
				t.Fatalf("sign-in at a cancelled event: %v", err)
			}
			got, err := db.EventCheckins(ctx, c.ID)
			storetest.MustDo(t, "sign-ins", err)
			if len(got) != 0 {
				t.Fatalf("a cancelled event kept sign-ins: %+v", got)
			}
		})

		t.Run("HeldEventMarksPresent", func(t *testing.T) {
			held := event(tr.branch.ID, party.TypeThemeDay, "2026-11-25", "重温入党誓词")
			storetest.MustDo(t, "record", db.RecordEvent(ctx, held, []party.Attendance{{MemberID: ms[1].ID, Status: party.Absent}}))
			e, err := db.CheckIn(ctx, held.ID, ms[1].ID)
			storetest.MustDo(t, "check in", err)
			if e.Present != 3 || e.Absent != 0 {
				t.Fatalf("after signing in: present %d absent %d", e.Present, e.Absent)
			}
			audit, err := db.AuditFor(ctx, store.ObjEvent, held.ID, 10)
			storetest.MustDo(t, "audit", err)
			if len(audit) != 2 || audit[0].Action != store.ActEventAttendance {
				t.Fatalf("audit: %+v", audit)
			}
			_, err = db.CheckIn(ctx, held.ID, ms[1].ID)
			storetest.MustDo(t, "check in again", err)
			again, err := db.AuditFor(ctx, store.ObjEvent, held.ID, 10)
			storetest.MustDo(t, "audit", err)
			if len(again) != len(audit) {
				t.Fatalf("signing in again wrote %d audit rows", len(again)-len(audit))
			}
			if got, err := db.EventCheckins(ctx, held.ID); err != nil || len(got) != 0 {
				t.Fatalf("a held event's sign-in is attendance, not a sign-in row: %+v %v", got, err)
			}
		})

		t.Run("CompletedEventCountsOnce", func(t *testing.T) {
			clock("16:30")
			done := event(0, party.TypeBranchAssembly, "2026-11-26", "第四季度党员大会")
			done.ID = planned.ID
			// The form sends every row: the two who signed in 出席, the other 缺席.
			storetest.MustDo(t, "complete", db.CompleteEvent(ctx, done, []party.Attendance{
				{MemberID: ms[0].ID, Status: party.Present}, {MemberID: ms[1].ID, Status: party.Absent},
				{MemberID: ms[2].ID, Status: party.Present}}))
			got, err := db.FindEvent(ctx, planned.ID)
			storetest.MustDo(t, "find", err)
			if got.Status != party.EventHeld || got.Expected != 3 || got.Present != 2 || got.Absent != 1 || len(got.Attendance) != 3 {
				t.Fatalf("completed: %+v", got)
			}
			if signed, err := db.EventCheckins(ctx, planned.ID); err != nil || len(signed) != 2 {
				t.Fatalf("sign-ins after completion: %+v %v", signed, err)
			}
			mine, err := db.MemberEvents(ctx, ms[0].ID, day("2026-11-26"), day("2026-11-27"), 0)
			storetest.MustDo(t, "member events", err)
			if len(mine) != 1 || mine[0].ID != planned.ID {
				t.Fatalf("member events: %+v", mine)
			}
			listed, total, err := db.ListEvents(ctx, store.EventFilter{MemberID: ms[0].ID, From: day("2026-11-26"), To: day("2026-11-27")})
			storetest.MustDo(t, "list", err)
			if total != 1 || len(listed) != 1 {
				t.Fatalf("member's list: %d %+v", total, listed)
			}
			held, err := db.HeldEvents(ctx, tr.top.ID, party.Span{From: day("2026-11-26"), To: day("2026-11-27")})
			storetest.MustDo(t, "held", err)
			if len(held) != 1 || held[0].ID != planned.ID {
				t.Fatalf("held events: %+v", held)
			}
			// After completion a scan marks the member present, as at any held event.
			e, err := db.CheckIn(ctx, planned.ID, ms[1].ID)
			storetest.MustDo(t, "late sign-in", err)
			if e.Present != 3 || e.Absent != 0 {
				t.Fatalf("late sign-in: present %d absent %d", e.Present, e.Absent)
			}
		})
	})
}
