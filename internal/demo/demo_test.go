package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dangjian/internal/demo"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func setClock(db *store.DB, t time.Time) party.Date {
	db.Now = func() time.Time { return t }
	return party.Today(t)
}

// allMembers lists every member of the subtree of root, whatever their status.
func allMembers(t *testing.T, db *store.DB, root int64) []*party.Member {
	t.Helper()
	var out []*party.Member
	for {
		page, total, err := db.ListMembers(context.Background(), store.MemberFilter{Root: root, Status: "all", Limit: 500, Offset: len(out)})
		storetest.MustDo(t, "list members", err)
		out = append(out, page...)
		if len(out) >= total || len(page) == 0 {
			return out
		}
	}
}

func TestLoad(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := setClock(db, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
		sum, err := demo.Load(ctx, db, today)
		storetest.MustDo(t, "load", err)
		top, err := db.FindOrgByCode(ctx, demo.TopCode)
		storetest.MustDo(t, "find top", err)

		t.Run("CountsInRange", func(t *testing.T) {
			if sum.Members < 60 || sum.Members > 120 {
				t.Errorf("members on the roster: %d, want 60-120", sum.Members)
			}
			if got := sum.ByCategory[party.Full] + sum.ByCategory[party.Probation]; got != sum.Members {
				t.Errorf("categories add up to %d, want %d", got, sum.Members)
			}
			if sum.ByCategory[party.Probation] < 3 {
				t.Errorf("预备党员: %d, want at least 3", sum.ByCategory[party.Probation])
			}
			// 党组, 6 branches, 3 party groups, 1 temporary branch.
			if sum.Orgs != 11 {
				t.Errorf("orgs: %d, want 11", sum.Orgs)
			}
			if sum.TopCode != demo.TopCode || sum.TopName != "中共青川市体育局党组" || top.Kind != party.KindLeadingGroup {
				t.Errorf("top: %s %s %s", sum.TopCode, sum.TopName, top.Kind)
			}
			if !strings.HasPrefix(sum.String(), "中共青川市体育局党组（编码 QCTY），党组织11个，在册党员") {
				t.Errorf("summary: %s", sum)
			}
			if sum.Attached < 8 || sum.Attached > 14 || sum.TransferredOut != 1 || sum.Positions < 35 {
				t.Errorf("attached %d, transferred out %d, positions %d", sum.Attached, sum.TransferredOut, sum.Positions)
			}
		})

		t.Run("MembersValid", func(t *testing.T) {
			all := allMembers(t, db, top.ID)
			if len(all) != sum.Members+sum.TransferredOut {
				t.Fatalf("members of every status: %d, want %d", len(all), sum.Members+sum.TransferredOut)
			}
			names := map[string]bool{}
			for _, m := range all {
				id, birth, gender, err := party.ParseIDNumber(m.IDNumber.Reveal(), today)
				if err != nil || birth != m.BirthDate || gender != m.Gender {
					t.Errorf("%s: ID number %s: %v (birth %s, gender %s)", m.Name, id, err, m.BirthDate, m.Gender)
				}
				if age := m.Age(today); age < 24 || age > 75 {
					t.Errorf("%s: age %d, want 24-75", m.Name, age)
				}
				if m.JoinedOn.Before(m.BirthDate.AddYears(18)) || m.JoinedOn.After(today) {
					t.Errorf("%s: joined %s, born %s", m.Name, m.JoinedOn, m.BirthDate)
				}
				if m.Category == party.Probation && (!m.FullOn.IsZero() || m.JoinedOn.Before(today.AddYears(-1))) {
					t.Errorf("%s: 预备党员 joined %s, full %s", m.Name, m.JoinedOn, m.FullOn)
				}
				if _, err := party.ParsePhone(m.Phone.Reveal()); err != nil {
					t.Errorf("%s: phone: %v", m.Name, err)
				}
				if m.UnitPost == "" || names[m.Name] {
					t.Errorf("%s: unit/post %q, namesake %v", m.Name, m.UnitPost, names[m.Name])
				}
				names[m.Name] = true
			}
		})

		t.Run("ErrSecondLoad", func(t *testing.T) {
			if _, err := demo.Load(ctx, db, today); party.ErrorCode(err) != party.ECONFLICT {
				t.Fatalf("second load: got %v, want conflict", err)
			}
		})

		t.Run("OfficeBranchSortedByPinyin", func(t *testing.T) {
			jg, err := db.FindOrgByCode(ctx, "QCTY-JG")
			storetest.MustDo(t, "find", err)
			groups, err := db.Children(ctx, jg.ID, false)
			storetest.MustDo(t, "children", err)
			if len(groups) != 3 || groups[0].Name != "第一党小组（办公室、人事科、计划财务科）" {
				t.Fatalf("party groups of 机关党支部: %d, first %q", len(groups), groups[0].Name)
			}
			list, total, err := db.ListMembers(ctx, store.MemberFilter{OrgID: jg.ID, Limit: 100})
			storetest.MustDo(t, "list", err)
			if total < 20 || len(list) != total {
				t.Fatalf("机关党支部: %d of %d members", len(list), total)
			}
			// party.NameKey is the pinyin order with surnames read as surnames (曾 zēng).
			byCodePoint := true
			for i := 1; i < len(list); i++ {
				a, b := list[i-1].Name, list[i].Name
				if party.NameKey(a) > party.NameKey(b) {
					t.Errorf("%s listed before %s", a, b)
				}
				if a > b {
					byCodePoint = false
				}
			}
			if byCodePoint {
				t.Error("the list is in code point order, which cannot tell pinyin order apart")
			}
			for _, g := range groups {
				_, n, err := db.ListMembers(ctx, store.MemberFilter{GroupID: g.ID})
				storetest.MustDo(t, "list group", err)
				if n < 5 {
					t.Errorf("%s: %d members, want at least 5", g.Name, n)
				}
			}
		})

		t.Run("OfficersAndTemporaryBranch", func(t *testing.T) {
			off, err := db.Officers(ctx, top.ID)
			storetest.MustDo(t, "officers", err)
			titles := map[string]int{}
			for _, p := range off {
				titles[p.Title]++
			}
			if titles["书记"] != 1 || titles["委员"] < 2 {
				t.Errorf("党组 officers: %v", titles)
			}
			for _, code := range []string{"QCTY-JG", "QCTY-TX", "QCTY-XL", "QCTY-QM", "QCTY-CG", "QCTY-LT"} {
				o, err := db.FindOrgByCode(ctx, code)
				storetest.MustDo(t, "find", err)
				off, err := db.Officers(ctx, o.ID)
				storetest.MustDo(t, "officers", err)
				if len(off) != 5 {
					t.Errorf("%s: %d officers, want 5", o.Name, len(off))
				}
			}
			games, err := db.FindOrgByCode(ctx, "QCTY-SYH")
			storetest.MustDo(t, "find", err)
			if games.Kind != party.KindTempBranch || games.StartOn.Year != today.Year || games.EndOn.Year != today.Year {
				t.Errorf("temporary branch: %s %s–%s", games.Kind, games.StartOn, games.EndOn)
			}
			att, err := db.Attached(ctx, games.ID)
			storetest.MustDo(t, "attached", err)
			from := map[int64]bool{}
			for _, a := range att {
				m, err := db.FindMember(ctx, a.MemberID)
				storetest.MustDo(t, "find member", err)
				from[m.OrgID] = true
			}
			if len(att) != sum.Attached || len(from) < 3 {
				t.Errorf("attached %d from %d branches", len(att), len(from))
			}
		})

		t.Run("TransfersKeepHistory", func(t *testing.T) {
			out, total, err := db.ListMembers(ctx, store.MemberFilter{Root: top.ID, Status: party.StatusTransferredOut})
			storetest.MustDo(t, "list", err)
			if total != 1 || out[0].LeftOn.Year != today.Year {
				t.Fatalf("transferred out: %d", total)
			}
			ts, err := db.Transfers(ctx, out[0].ID)
			storetest.MustDo(t, "transfers", err)
			if len(ts) != 1 || ts[0].Kind != party.TransferOut {
				t.Errorf("transfers of %s: %+v", out[0].Name, ts)
			}
			var in, moved int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM transfers WHERE kind = $1`, string(party.TransferIn)).Scan(&in))
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM transfers WHERE kind = $1`, string(party.TransferInternal)).Scan(&moved))
			if in != 1 || moved != 1 {
				t.Errorf("transfers in %d, within %d; want 1 and 1", in, moved)
			}
		})

		t.Run("EveryRecordAudited", func(t *testing.T) {
			var n int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&n))
			if min := sum.Orgs + sum.Members + sum.Positions + sum.Attached; n < min {
				t.Fatalf("audit rows: %d, want at least %d", n, min)
			}
			var leaked int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM audit_log WHERE detail LIKE '%3699%'`).Scan(&leaked))
			if leaked != 0 {
				t.Fatalf("%d audit rows hold unmasked ID numbers", leaked)
			}
		})
	})
}

// TestLoadOnNewYearsDay guards the dates: on 1 January every transfer and post of "this year"
// falls on today, never after it, and the store accepts them.
func TestLoadOnNewYearsDay(t *testing.T) {
	db := storetest.OpenSQLite(t)
	today := setClock(db, time.Date(2027, 1, 1, 2, 0, 0, 0, time.UTC))
	sum, err := demo.Load(context.Background(), db, today)
	storetest.MustDo(t, "load", err)
	if sum.Members < 60 {
		t.Fatalf("members: %d", sum.Members)
	}
}

func TestLoadIsDeterministic(t *testing.T) {
	var names [2][]string
	for i := range names {
		db := storetest.OpenSQLite(t)
		today := setClock(db, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
		sum, err := demo.Load(context.Background(), db, today)
		storetest.MustDo(t, "load", err)
		top, err := db.FindOrgByCode(context.Background(), sum.TopCode)
		storetest.MustDo(t, "find", err)
		for _, m := range allMembers(t, db, top.ID) {
			names[i] = append(names[i], m.Name+m.IDNumber.Reveal())
		}
	}
	if len(names[0]) == 0 || len(names[0]) != len(names[1]) {
		t.Fatalf("two loads: %d and %d members", len(names[0]), len(names[1]))
	}
	for i := range names[0] {
		if names[0][i] != names[1][i] {
			t.Fatalf("member %d differs: %s and %s", i, names[0][i], names[1][i])
		}
	}
}
