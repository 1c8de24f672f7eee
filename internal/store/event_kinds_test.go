package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// Event types name the organization kinds that hold them: the catalogue's own types start
// with the kinds of their rules, new events and plans of another kind are refused, and the
// office can widen a type.
func TestEventTypeKinds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		ms := people(t, db, tr.branch.ID, tr.group.ID, 3, 2, 1)

		committee, err := db.EventType(ctx, party.TypeBranchCommittee)
		storetest.MustDo(t, "type", err)
		if !slices.Equal(committee.OrgKinds, []party.OrgKind{party.KindGeneralBranch, party.KindBranch, party.KindTempBranch}) {
			t.Fatalf("支部委员会 kinds: %v", committee.OrgKinds)
		}
		theme, err := db.EventType(ctx, party.TypeThemeDay)
		storetest.MustDo(t, "type", err)
		if len(theme.OrgKinds) != 0 || !theme.AppliesTo(party.KindGroup) {
			t.Fatalf("主题党日 kinds: %v", theme.OrgKinds)
		}

		t.Run("ErrCommitteeOfAGroup", func(t *testing.T) {
			err := db.PlanEvent(ctx, event(tr.group.ID, party.TypeBranchCommittee, "2026-12-03", "支委会"))
			want := "“第一党小组”是党小组，不召开“支部委员会”（该活动类型适用于党总支、党支部、临时党支部）"
			if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != "type" || party.ErrorMessage(err) != want {
				t.Fatalf("plan: %v", err)
			}
			if err := db.RecordEvent(ctx, event(tr.group.ID, party.TypeBranchCommittee, "2026-11-03", "支委会"), nil); party.ErrorField(err) != "type" {
				t.Fatalf("record: %v", err)
			}
		})
		t.Run("ErrRecurringPlanOfAnotherKind", func(t *testing.T) {
			err := db.CreatePlan(ctx, &party.Plan{OrgID: tr.branch.ID, Type: party.TypeGroupMeeting, Title: "党小组会",
				Frequency: party.PlanMonthly, Day: 10, StartTime: "14:30", Minutes: 60, FromOn: day("2026-12-01")})
			if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != "type" {
				t.Fatalf("plan of 党小组会 for a branch: %v", err)
			}
		})
		t.Run("ErrImportRow", func(t *testing.T) {
			row := party.EventRow{Row: 2, Org: "T-JG-1", Type: "支部委员会", On: day("2026-03-15"), Title: "支委会",
				Host: ms[0].Name, Expected: 2, Present: []string{ms[0].Name, ms[1].Name}}
			res, err := db.ImportEvents(ctx, tr.top.ID, []party.EventRow{row}, false)
			storetest.MustDo(t, "import", err)
			if len(res.Errors) != 1 || res.Errors[0].Row != 2 || res.Errors[0].Column != "类型" {
				t.Fatalf("import errors: %+v", res.Errors)
			}
		})
		t.Run("WidenedTypeIsAccepted", func(t *testing.T) {
			storetest.MustDo(t, "set kinds", db.SetEventTypeKinds(ctx, party.TypeGroupMeeting,
				[]party.OrgKind{party.KindGroup, party.KindBranch, party.KindGroup}))
			got, err := db.EventType(ctx, party.TypeGroupMeeting)
			storetest.MustDo(t, "type", err)
			if !slices.Equal(got.OrgKinds, []party.OrgKind{party.KindBranch, party.KindGroup}) {
				t.Fatalf("kinds after widening: %v", got.OrgKinds)
			}
			storetest.MustDo(t, "plan", db.PlanEvent(ctx, event(tr.branch.ID, party.TypeGroupMeeting, "2026-12-04", "党小组会")))
			audit, _, err := db.SearchAudit(ctx, store.AuditFilter{ObjectType: store.ObjEventType, Limit: 5})
			storetest.MustDo(t, "audit", err)
			if len(audit) == 0 || audit[0].Action != store.ActUpdate || !strings.Contains(audit[0].Detail, `"old":"党小组"`) ||
				!strings.Contains(audit[0].Detail, `"new":"党支部、党小组"`) {
				t.Fatalf("audit: %+v", audit)
			}
			// Nothing ticked: every kind.
			storetest.MustDo(t, "clear kinds", db.SetEventTypeKinds(ctx, party.TypeGroupMeeting, nil))
			storetest.MustDo(t, "plan", db.PlanEvent(ctx, event(tr.top.ID, party.TypeGroupMeeting, "2026-12-05", "党小组会")))
		})
		t.Run("ErrUnknownKind", func(t *testing.T) {
			err := db.SetEventTypeKinds(ctx, party.TypeThemeDay, []party.OrgKind{"居委会"})
			if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != "org_kinds" {
				t.Fatalf("unknown kind: %v", err)
			}
		})
		t.Run("NewTypeWithKinds", func(t *testing.T) {
			nt := &party.EventType{Code: "youth_study", Name: "青年理论学习", Category: party.CategoryStudy,
				Audience: party.AudienceMembers, OrgKinds: []party.OrgKind{party.KindBranch}}
			storetest.MustDo(t, "create", db.CreateEventType(ctx, nt))
			got, err := db.EventType(ctx, "youth_study")
			storetest.MustDo(t, "type", err)
			if !slices.Equal(got.OrgKinds, []party.OrgKind{party.KindBranch}) {
				t.Fatalf("new type kinds: %v", got.OrgKinds)
			}
		})
	})
}
