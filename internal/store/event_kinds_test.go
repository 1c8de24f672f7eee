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

// Migration 26 narrows the catalogue's types only where the installation's own records agree:
// a type already planned at another kind, or asked of another kind by a rule, stays open.
func TestEventTypeKindsMigrationKeepsWhatIsInUse(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := openAt(t, e, 25)
			top := &party.Org{Name: "中共测试局委员会", Code: "T", Kind: party.KindCommittee}
			storetest.MustDo(t, "top", db.CreateOrg(ctx, top))
			branch := &party.Org{Name: "机关党支部", Code: "T-JG", Kind: party.KindBranch, ParentID: top.ID}
			storetest.MustDo(t, "branch", db.CreateOrg(ctx, branch))
			// The branch plans its 党小组会 itself; a rule asks the 党委 for 党组会.
			storetest.MustDo(t, "plan", db.ExecRaw(ctx, `INSERT INTO event_plans (org_id, type_code, title, frequency, day,
				start_time, minutes, from_on, active, created_at, updated_at) VALUES ($1, 'group_meeting', '党小组会', 'month',
				10, '14:30', 60, '2026-01-01', TRUE, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`, branch.ID))
			storetest.MustDo(t, "rule", db.ExecRaw(ctx, `INSERT INTO rules (type_code, kinds, frequency, min_count,
				effective_from, source, created_at, updated_at) VALUES ('leading_group', '党委', 'month', 1, '2026-01-01',
				'本局规定', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`))
			storetest.MustDo(t, "migrate", db.Migrate(ctx))
			for code, want := range map[party.EventTypeCode]string{
				party.TypeGroupMeeting:    "各类组织",
				party.TypeLeadingGroup:    "各类组织",
				party.TypeBranchCommittee: "党总支、党支部、临时党支部",
				party.TypeCenterGroup:     "党委、党组",
				party.TypeThemeDay:        "各类组织",
			} {
				got, err := db.EventType(ctx, code)
				storetest.MustDo(t, "type", err)
				if got.KindsText() != want {
					t.Errorf("%s after migration 26: %s, want %s", code, got.KindsText(), want)
				}
			}
		})
	}
}

// Rules and the kinds of their type agree: a rule cannot ask a kind the type is not held by,
// and a type cannot be narrowed below a rule in force.
func TestEventTypeKindsAndRules(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		err := db.CreateRule(ctx, &party.Rule{Type: party.TypeGroupMeeting, Kinds: []party.OrgKind{party.KindBranch},
			Frequency: party.Monthly, MinCount: 1, EffectiveFrom: day("2026-12-01"), Source: "本局规定"})
		if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != "kinds" {
			t.Fatalf("rule asking a branch for 党小组会: %v", err)
		}
		// The seeded rule asks 党支部 and 临时党支部 for 支部委员会.
		err = db.SetEventTypeKinds(ctx, party.TypeBranchCommittee, []party.OrgKind{party.KindBranch})
		if party.ErrorCode(err) != party.ECONFLICT || party.ErrorField(err) != "org_kinds" ||
			!strings.Contains(party.ErrorMessage(err), "现行规则要求临时党支部召开“支部委员会”") {
			t.Fatalf("narrowing below a rule in force: %v", err)
		}
	})
}
