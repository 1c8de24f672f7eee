package demo_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangjian/internal/demo"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestSmallCity(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := setClock(db, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
		var progress strings.Builder
		sum, err := demo.City(ctx, db, demo.CityOptions{Branches: 200, Members: 3000, Seed: 1}, &progress)
		storetest.MustDo(t, "city", err)
		root, err := db.FindOrgByCode(ctx, demo.CityCode)
		storetest.MustDo(t, "find root", err)

		t.Run("Counts", func(t *testing.T) {
			if sum.Members != 3000 || sum.ByCategory[party.Full]+sum.ByCategory[party.Probation] != 3000 {
				t.Fatalf("members %d, by category %v", sum.Members, sum.ByCategory)
			}
			if p := sum.ByCategory[party.Probation]; p < 30 || p > 300 {
				t.Errorf("预备党员: %d of 3000", p)
			}
			orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: root.ID})
			storetest.MustDo(t, "list orgs", err)
			if len(orgs) != sum.Orgs {
				t.Fatalf("orgs: %d stored, summary says %d", len(orgs), sum.Orgs)
			}
			kinds := map[party.OrgKind]int{}
			for _, o := range orgs {
				kinds[o.Kind]++
			}
			if kinds[party.KindBranch] != 200 || kinds[party.KindGeneralBranch] == 0 || kinds[party.KindGroup] == 0 ||
				kinds[party.KindCommittee]+kinds[party.KindLeadingGroup] != 21 {
				t.Errorf("kinds: %v", kinds)
			}
		})

		t.Run("PathsFollowParents", func(t *testing.T) {
			orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: root.ID})
			storetest.MustDo(t, "list orgs", err)
			byID := map[int64]*party.Org{}
			for _, o := range orgs {
				byID[o.ID] = o
			}
			for _, o := range orgs {
				want, depth := "/"+strconv.FormatInt(o.ID, 10)+"/", 0
				if p := byID[o.ParentID]; p != nil {
					want, depth = p.Path+strconv.FormatInt(o.ID, 10)+"/", p.Depth+1
				}
				if o.Path != want || o.Depth != depth {
					t.Fatalf("%s: path %s depth %d, want %s depth %d", o.Name, o.Path, o.Depth, want, depth)
				}
			}
		})

		t.Run("BranchSizesUneven", func(t *testing.T) {
			counts, err := db.MemberCounts(ctx, root.ID)
			storetest.MustDo(t, "count", err)
			branches, err := db.ListOrgs(ctx, store.OrgFilter{Root: root.ID, Kinds: []party.OrgKind{party.KindBranch}})
			storetest.MustDo(t, "list branches", err)
			smallest, largest, total := 1000, 0, 0
			for _, b := range branches {
				n := counts[b.ID]
				smallest, largest, total = min(smallest, n), max(largest, n), total+n
			}
			if total != 3000 || smallest < 5 || largest > 60 || largest-smallest < 25 {
				t.Errorf("branch sizes %d to %d, total %d", smallest, largest, total)
			}
		})

		t.Run("MembersValidAndFindable", func(t *testing.T) {
			list, _, err := db.ListMembers(ctx, store.MemberFilter{Root: root.ID, Limit: 200, Offset: 1000})
			storetest.MustDo(t, "list", err)
			if len(list) != 200 {
				t.Fatalf("page: %d members", len(list))
			}
			for _, m := range list {
				cp := *m
				if err := cp.Validate(today); err != nil || m.UnitPost == "" || m.Phone == "" {
					t.Fatalf("%s: %v (unit/post %q)", m.Name, err, m.UnitPost)
				}
				if a := m.Age(today); a < 24 || a > 75 {
					t.Errorf("%s: age %d", m.Name, a)
				}
			}
			m := list[17]
			got, err := db.FindMemberByIDNumber(ctx, m.IDNumber.Reveal())
			storetest.MustDo(t, "find by ID number", err)
			if got.ID != m.ID {
				t.Errorf("ID number lookup found %s, want %s", got.Name, m.Name)
			}
			hits, _, err := db.ListMembers(ctx, store.MemberFilter{Root: root.ID, OrgID: m.OrgID, Query: party.Initials(m.Name), Limit: 100})
			storetest.MustDo(t, "search", err)
			found := false
			for _, h := range hits {
				found = found || h.ID == m.ID
			}
			if !found {
				t.Errorf("search by initials %q did not find %s", party.Initials(m.Name), m.Name)
			}
		})

		t.Run("OneAuditRowPerBatch", func(t *testing.T) {
			var n int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'import'`).Scan(&n))
			// Five levels of organizations and one batch of members.
			if n != 6 {
				t.Errorf("import audit rows: %d, want 6", n)
			}
			if !strings.Contains(progress.String(), "members: 3000/3000") {
				t.Errorf("progress: %s", progress.String())
			}
		})

		t.Run("ErrNotEmpty", func(t *testing.T) {
			_, err := demo.City(ctx, db, demo.CityOptions{Branches: 10, Members: 50}, nil)
			if party.ErrorCode(err) != party.ECONFLICT {
				t.Fatalf("second city: got %v, want conflict", err)
			}
		})
	})
}

func TestCityErrTooFewMembers(t *testing.T) {
	db := storetest.OpenSQLite(t)
	_, err := demo.City(context.Background(), db, demo.CityOptions{Branches: 10, Members: 9}, nil)
	if party.ErrorCode(err) != party.EINVALID {
		t.Fatalf("got %v, want invalid", err)
	}
}
