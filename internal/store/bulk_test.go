package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func countRows(t *testing.T, db *store.DB, query string) int {
	t.Helper()
	var n int
	storetest.MustDo(t, "count", db.RawQueryRow(context.Background(), query).Scan(&n))
	return n
}

func TestBulkCreateOrgs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		top := &party.Org{Name: "中共测试局党组", Code: "T", Kind: party.KindLeadingGroup}
		storetest.MustDo(t, "create top", db.CreateOrg(ctx, top))
		var branches []*party.Org
		for i := 1; i <= 3; i++ {
			branches = append(branches, &party.Org{Name: fmt.Sprintf("第%d党支部", i), Code: fmt.Sprintf("t-%d", i),
				Kind: party.KindBranch, ParentID: top.ID})
		}
		storetest.MustDo(t, "bulk branches", db.BulkCreateOrgs(ctx, branches))
		groups := []*party.Org{{Name: "第一党小组", Code: "T-1-1", Kind: party.KindGroup, ParentID: branches[0].ID}}
		storetest.MustDo(t, "bulk groups", db.BulkCreateOrgs(ctx, groups))

		t.Run("PathsAndDepths", func(t *testing.T) {
			g, err := db.FindOrgByCode(ctx, "T-1-1")
			storetest.MustDo(t, "find", err)
			want := fmt.Sprintf("/%d/%d/%d/", top.ID, branches[0].ID, g.ID)
			if g.Path != want || g.Depth != 2 || g.ID != groups[0].ID || groups[0].Path != want {
				t.Fatalf("group: path %s depth %d, want %s depth 2", g.Path, g.Depth, want)
			}
			sub, err := db.ListOrgs(ctx, store.OrgFilter{Root: top.ID})
			storetest.MustDo(t, "list", err)
			if len(sub) != 5 {
				t.Fatalf("subtree: %d orgs, want 5", len(sub))
			}
		})

		t.Run("OneAuditRowPerBatch", func(t *testing.T) {
			if n := countRows(t, db, `SELECT count(*) FROM audit_log WHERE action = 'import' AND object_type = 'org'`); n != 2 {
				t.Fatalf("import audit rows: %d, want 2", n)
			}
		})

		t.Run("CreateOrgAfterBulk", func(t *testing.T) {
			o := &party.Org{Name: "第四党支部", Code: "T-4", Kind: party.KindBranch, ParentID: top.ID}
			storetest.MustDo(t, "create after bulk", db.CreateOrg(ctx, o))
			if o.ID <= groups[0].ID {
				t.Fatalf("new id %d not after the bulk ids (last %d)", o.ID, groups[0].ID)
			}
		})

		before := countRows(t, db, `SELECT count(*) FROM orgs`)
		for _, tc := range []struct {
			name        string
			orgs        []*party.Org
			code, field string
		}{
			{"ErrParentMissing", []*party.Org{{Name: "甲", Code: "X1", Kind: party.KindBranch, ParentID: 999999}}, party.EINVALID, "parent_id"},
			{"ErrGroupUnderLeadingGroup", []*party.Org{{Name: "甲", Code: "X1", Kind: party.KindGroup, ParentID: top.ID}}, party.EINVALID, "parent_id"},
			{"ErrCodeTwiceInBatch", []*party.Org{{Name: "甲", Code: "X1", Kind: party.KindBranch, ParentID: top.ID},
				{Name: "乙", Code: "x1", Kind: party.KindBranch, ParentID: top.ID}}, party.ECONFLICT, "code"},
			{"ErrCodeTaken", []*party.Org{{Name: "甲", Code: "X1", Kind: party.KindBranch, ParentID: top.ID},
				{Name: "乙", Code: "T-2", Kind: party.KindBranch, ParentID: top.ID}}, party.ECONFLICT, "code"},
			{"ErrSiblingName", []*party.Org{{Name: "第二党支部", Code: "X1", Kind: party.KindBranch, ParentID: top.ID},
				{Name: "第1党支部", Code: "X2", Kind: party.KindBranch, ParentID: top.ID}}, party.ECONFLICT, "name"},
			{"ErrSiblingNameInBatch", []*party.Org{{Name: "甲", Code: "X1", Kind: party.KindBranch, ParentID: top.ID},
				{Name: "甲", Code: "X2", Kind: party.KindBranch, ParentID: top.ID}}, party.ECONFLICT, "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := db.BulkCreateOrgs(ctx, tc.orgs)
				if party.ErrorCode(err) != tc.code || party.ErrorField(err) != tc.field {
					t.Fatalf("got %v, want %s on %s", err, tc.code, tc.field)
				}
				if !strings.HasPrefix(party.ErrorMessage(err), "第") {
					t.Errorf("message does not say which organization: %s", party.ErrorMessage(err))
				}
				if n := countRows(t, db, `SELECT count(*) FROM orgs`); n != before {
					t.Fatalf("orgs after a refused batch: %d, want %d", n, before)
				}
			})
		}
	})
}

// bulkMember returns a valid member with a distinct ID number for each i.
func bulkMember(name string, org int64, i int) *party.Member {
	birth := party.DateOf(day("1970-01-01").Time().AddDate(0, 0, i/400))
	return &party.Member{Name: name, Gender: party.Male, Ethnicity: "汉族", BirthDate: birth,
		IDNumber: party.IDNumber(idFor(birth.String(), true, i%400)), Phone: "13912345678", Education: "大学本科",
		UnitPost: "办公室科员", JoinedOn: day("2000-07-01"), FullOn: day("2001-07-01"), Category: party.Full, OrgID: org}
}

func TestBulkCreateMembers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		single := bulkMember("曾小华", tr.branch.ID, 0)
		storetest.MustDo(t, "create one", db.CreateMember(ctx, single))
		// More than two statements' worth, so full and partial statements both run.
		var batch []*party.Member
		for i := 1; i <= 1234; i++ {
			m := bulkMember(fmt.Sprintf("党员%04d", i), tr.branch.ID, i)
			if i%2 == 0 {
				m.GroupID = tr.group.ID
			}
			batch = append(batch, m)
		}
		twin := bulkMember("曾小华", tr.other.ID, 1235)
		twin.Category, twin.FullOn, twin.JoinedOn = party.Probation, party.Date{}, day("2026-05-04")
		batch = append(batch, twin)
		storetest.MustDo(t, "bulk", db.BulkCreateMembers(ctx, batch))

		t.Run("StoredLikeCreateMember", func(t *testing.T) {
			var a, b [3]string
			q := `SELECT name_key, initials, phone_hash FROM members WHERE id = $1`
			storetest.MustDo(t, "scan", db.RawQueryRow(ctx, q, single.ID).Scan(&a[0], &a[1], &a[2]))
			storetest.MustDo(t, "scan", db.RawQueryRow(ctx, q, twin.ID).Scan(&b[0], &b[1], &b[2]))
			if a != b || a[1] != "zxh" {
				t.Fatalf("CreateMember stored %q, BulkCreateMembers %q", a, b)
			}
			got, err := db.FindMemberByIDNumber(ctx, twin.IDNumber.Reveal())
			storetest.MustDo(t, "find by ID number", err)
			if got.ID != twin.ID || got.Phone != twin.Phone || got.JoinedOn != twin.JoinedOn || got.Category != party.Probation ||
				got.OrgName != tr.other.Name || got.Status != party.StatusActive || !got.FullOn.IsZero() {
				t.Fatalf("read back: %+v", got)
			}
			g, err := db.FindMember(ctx, batch[1].ID)
			storetest.MustDo(t, "find", err)
			if g.GroupName != tr.group.Name || g.Name != "党员0002" {
				t.Fatalf("group of %s: %q", g.Name, g.GroupName)
			}
			if n := countRows(t, db, `SELECT count(*) FROM members WHERE id_cipher LIKE '%1970%' OR phone_cipher LIKE '%1391234%'`); n != 0 {
				t.Fatalf("%d rows hold plaintext", n)
			}
		})

		t.Run("CountsAndOneAuditRow", func(t *testing.T) {
			n, err := db.CountByCategory(ctx, tr.top.ID)
			storetest.MustDo(t, "count", err)
			if n[party.Full] != 1235 || n[party.Probation] != 1 {
				t.Fatalf("by category: %v", n)
			}
			if n := countRows(t, db, `SELECT count(*) FROM audit_log WHERE action = 'import' AND object_type = 'member'`); n != 1 {
				t.Fatalf("import audit rows: %d, want 1", n)
			}
		})

		t.Run("CreateMemberAfterBulk", func(t *testing.T) {
			m := bulkMember("后来者", tr.branch.ID, 2000)
			storetest.MustDo(t, "create after bulk", db.CreateMember(ctx, m))
			if m.ID <= twin.ID {
				t.Fatalf("new id %d not after the bulk ids (last %d)", m.ID, twin.ID)
			}
		})

		before := countRows(t, db, `SELECT count(*) FROM members`)
		badPhone := bulkMember("乙", tr.branch.ID, 3001)
		badPhone.Phone = "12345"
		wrongGroup := bulkMember("乙", tr.other.ID, 3001)
		wrongGroup.GroupID = tr.group.ID
		for _, tc := range []struct {
			name        string
			members     []*party.Member
			code, field string
		}{
			{"ErrInvalidField", []*party.Member{bulkMember("甲", tr.branch.ID, 3000), badPhone}, party.EINVALID, "phone"},
			{"ErrNotABranch", []*party.Member{bulkMember("甲", tr.top.ID, 3000)}, party.EINVALID, "org_id"},
			{"ErrTemporaryBranch", []*party.Member{bulkMember("甲", tr.temp.ID, 3000)}, party.EINVALID, "org_id"},
			{"ErrGroupOfAnotherBranch", []*party.Member{wrongGroup}, party.EINVALID, "group_id"},
			{"ErrIDNumberTwiceInBatch", []*party.Member{bulkMember("甲", tr.branch.ID, 3000), bulkMember("乙", tr.branch.ID, 3000)}, party.ECONFLICT, "id_number"},
			{"ErrIDNumberTaken", []*party.Member{bulkMember("甲", tr.branch.ID, 3000), bulkMember("乙", tr.branch.ID, 7)}, party.ECONFLICT, "id_number"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := db.BulkCreateMembers(ctx, tc.members)
				if party.ErrorCode(err) != tc.code || party.ErrorField(err) != tc.field {
					t.Fatalf("got %v, want %s on %s", err, tc.code, tc.field)
				}
				if !strings.HasPrefix(party.ErrorMessage(err), "第") {
					t.Errorf("message does not say which member: %s", party.ErrorMessage(err))
				}
				if n := countRows(t, db, `SELECT count(*) FROM members`); n != before {
					t.Fatalf("members after a refused batch: %d, want %d", n, before)
				}
			})
		}
	})
}
