package store_test

import (
	"context"
	"slices"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestCalendarFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fixedClock(db)
		ctx := context.Background()
		u := &party.User{Username: "feeder"}
		storetest.MustDo(t, "user", db.CreateUser(ctx, u, hash, false))
		other := &party.User{Username: "someone"}
		storetest.MustDo(t, "other user", db.CreateUser(ctx, other, hash, false))

		if _, err := db.Feed(ctx, u.ID); party.ErrorCode(err) != party.ENOTFOUND {
			t.Fatalf("feed of a user without one: %v", err)
		}
		first, err := db.CreateFeed(ctx, u.ID, "hash-1")
		storetest.MustDo(t, "create", err)
		if got, err := db.FeedUser(ctx, "hash-1"); err != nil || got != u.ID {
			t.Fatalf("FeedUser: %d, %v", got, err)
		}
		t.Run("CreateReplacesThePreviousFeed", func(t *testing.T) {
			second, err := db.CreateFeed(ctx, u.ID, "hash-2")
			storetest.MustDo(t, "replace", err)
			if _, err := db.FeedUser(ctx, "hash-1"); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("the replaced feed still works: %v", err)
			}
			live, err := db.Feed(ctx, u.ID)
			storetest.MustDo(t, "live feed", err)
			if live.ID != second.ID || live.ID == first.ID {
				t.Fatalf("live feed %d, want %d", live.ID, second.ID)
			}
			rows, err := db.AuditFor(ctx, store.ObjCalendarFeed, second.ID, 10)
			storetest.MustDo(t, "audit", err)
			if len(rows) != 1 || rows[0].Action != store.ActCreate {
				t.Fatalf("audit rows of the new feed: %+v", rows)
			}
		})
		t.Run("UnknownHashAndEmptyHash", func(t *testing.T) {
			for _, h := range []string{"nope", ""} {
				if _, err := db.FeedUser(ctx, h); party.ErrorCode(err) != party.ENOTFOUND {
					t.Errorf("FeedUser(%q): %v", h, err)
				}
			}
		})
		t.Run("RevokeIsAuditedAndFinal", func(t *testing.T) {
			live, err := db.Feed(ctx, u.ID)
			storetest.MustDo(t, "live", err)
			storetest.MustDo(t, "revoke", db.RevokeFeed(ctx, u.ID))
			if _, err := db.FeedUser(ctx, "hash-2"); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("a revoked feed still works: %v", err)
			}
			if err := db.RevokeFeed(ctx, u.ID); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("revoking twice: %v", err)
			}
			rows, err := db.AuditFor(ctx, store.ObjCalendarFeed, live.ID, 10)
			storetest.MustDo(t, "audit", err)
			if len(rows) != 2 || rows[0].Action != store.ActRevoke {
				t.Fatalf("audit rows of the revoked feed: %+v", rows)
			}
		})
		t.Run("TheSameHashCannotServeTwoFeeds", func(t *testing.T) {
			if _, err := db.CreateFeed(ctx, other.ID, "hash-2"); err == nil {
				t.Fatal("a second feed with a used token hash was stored")
			}
		})
		t.Run("UnknownUser", func(t *testing.T) {
			if _, err := db.CreateFeed(ctx, 999999, "hash-3"); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("feed of a missing user: %v", err)
			}
		})
	})
}

func TestMemberEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fixedClock(db)
		ctx := context.Background()
		tr := mkTree(t, db)
		ours := people(t, db, tr.branch.ID, tr.group.ID, 3, 1, 1) // ours[0] is in the group
		theirs := people(t, db, tr.other.ID, 0, 1, 0, 10)
		me := ours[0]
		storetest.MustDo(t, "post", db.AddPosition(ctx, &party.Position{MemberID: me.ID, OrgID: tr.branch.ID, Title: "书记",
			StartOn: day("2025-01-01")}))

		mk := func(e *party.Event, held bool) *party.Event {
			t.Helper()
			if held {
				storetest.MustDo(t, "record "+e.Title, db.RecordEvent(ctx, e, nil))
			} else {
				storetest.MustDo(t, "plan "+e.Title, db.PlanEvent(ctx, e))
			}
			return e
		}
		heldOurs := mk(event(tr.branch.ID, party.TypeBranchAssembly, "2026-10-10", "已开支部大会"), true)
		heldTheirs := mk(event(tr.other.ID, party.TypeBranchAssembly, "2026-10-11", "外支部大会"), true)
		plannedOurs := mk(event(tr.branch.ID, party.TypeThemeDay, "2026-12-05", "计划主题党日"), false)
		plannedCommittee := mk(event(tr.branch.ID, party.TypeBranchCommittee, "2026-12-06", "计划支委会"), false)
		plannedGroup := mk(event(tr.group.ID, party.TypeGroupMeeting, "2026-12-07", "计划党小组会"), false)
		plannedTop := mk(event(tr.top.ID, party.TypePartyLecture, "2026-12-08", "全局党课"), false)
		plannedTheirs := mk(event(tr.other.ID, party.TypeThemeDay, "2026-12-09", "外支部主题党日"), false)
		plannedTalk := mk(event(tr.branch.ID, party.TypeHeartTalk, "2026-12-10", "谈心谈话"), false)
		cancelled := mk(event(tr.branch.ID, party.TypeThemeDay, "2026-12-11", "取消的主题党日"), false)
		_, err := db.CancelEvent(ctx, cancelled.ID, "改期")
		storetest.MustDo(t, "cancel", err)
		late := mk(event(tr.branch.ID, party.TypeThemeDay, "2027-06-01", "明年主题党日"), false)

		ids := func(list []*party.Event) []int64 {
			var out []int64
			for _, e := range list {
				out = append(out, e.ID)
			}
			return out
		}
		t.Run("ExpectedEventsOnly", func(t *testing.T) {
			got, err := db.MemberEvents(ctx, me.ID, day("2026-09-01"), day("2027-01-01"), 0)
			storetest.MustDo(t, "member events", err)
			want := []int64{heldOurs.ID, plannedOurs.ID, plannedCommittee.ID, plannedGroup.ID, plannedTop.ID, cancelled.ID}
			if !slices.Equal(ids(got), want) {
				t.Fatalf("events of %s: %v, want %v (not %d %d %d %d)", me.Name, ids(got), want, heldTheirs.ID,
					plannedTheirs.ID, plannedTalk.ID, late.ID)
			}
		})
		t.Run("NoCommitteeOrGroupWithoutPostOrGroup", func(t *testing.T) {
			got, err := db.MemberEvents(ctx, ours[1].ID, day("2026-09-01"), day("2027-01-01"), 0)
			storetest.MustDo(t, "member events", err)
			want := []int64{heldOurs.ID, plannedOurs.ID, plannedTop.ID, cancelled.ID}
			if !slices.Equal(ids(got), want) {
				t.Fatalf("events of %s: %v, want %v", ours[1].Name, ids(got), want)
			}
		})
		t.Run("AnotherBranch", func(t *testing.T) {
			got, err := db.MemberEvents(ctx, theirs[0].ID, day("2026-09-01"), day("2027-01-01"), 0)
			storetest.MustDo(t, "member events", err)
			want := []int64{heldTheirs.ID, plannedTop.ID, plannedTheirs.ID}
			if !slices.Equal(ids(got), want) {
				t.Fatalf("events of the other branch's member: %v, want %v", ids(got), want)
			}
		})
		t.Run("RangeAndLimit", func(t *testing.T) {
			got, err := db.MemberEvents(ctx, me.ID, day("2026-12-06"), day("2027-12-31"), 2)
			storetest.MustDo(t, "member events", err)
			if want := []int64{plannedCommittee.ID, plannedGroup.ID}; !slices.Equal(ids(got), want) {
				t.Fatalf("limited events: %v, want %v", ids(got), want)
			}
		})
		t.Run("MissingMember", func(t *testing.T) {
			if _, err := db.MemberEvents(ctx, 999999, day("2026-01-01"), day("2027-01-01"), 0); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("missing member: %v", err)
			}
		})
	})
}
