package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func day(s string) party.Date {
	d, err := party.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// idFor builds a valid ID number for a birth date and gender, with serial n.
func idFor(birth string, male bool, n int) string {
	d := day(birth)
	seq := (n * 2) % 1000
	if male {
		seq++
	}
	s := fmt.Sprintf("110101%04d%02d%02d%03d", d.Year, d.Month, d.Day, seq)
	return s + string(party.IDCheckDigit(s))
}

type tree struct {
	top, branch, group, other, temp *party.Org
}

func mkTree(t *testing.T, db *store.DB) tree {
	t.Helper()
	ctx := context.Background()
	var tr tree
	tr.top = &party.Org{Name: "中共测试局党组", Code: "T", Kind: party.KindLeadingGroup}
	storetest.MustDo(t, "create top", db.CreateOrg(ctx, tr.top))
	tr.branch = &party.Org{Name: "机关党支部", Code: "T-JG", Kind: party.KindBranch, ParentID: tr.top.ID}
	storetest.MustDo(t, "create branch", db.CreateOrg(ctx, tr.branch))
	tr.group = &party.Org{Name: "第一党小组", Code: "T-JG-1", Kind: party.KindGroup, ParentID: tr.branch.ID}
	storetest.MustDo(t, "create group", db.CreateOrg(ctx, tr.group))
	tr.other = &party.Org{Name: "体校党支部", Code: "T-TX", Kind: party.KindBranch, ParentID: tr.top.ID}
	storetest.MustDo(t, "create other", db.CreateOrg(ctx, tr.other))
	tr.temp = &party.Org{Name: "省运会临时党支部", Code: "T-LS", Kind: party.KindTempBranch, ParentID: tr.top.ID,
		StartOn: day("2026-03-01"), EndOn: day("2026-05-31")}
	storetest.MustDo(t, "create temp", db.CreateOrg(ctx, tr.temp))
	return tr
}

func member(name string, org int64, n int) *party.Member {
	return &party.Member{Name: name, Gender: party.Male, Ethnicity: "汉族", BirthDate: day("1985-06-15"),
		IDNumber: party.IDNumber(idFor("1985-06-15", true, n)), Phone: "13812345678", Education: "大学本科",
		UnitPost: "办公室科员", JoinedOn: day("2010-07-01"), FullOn: day("2011-07-01"), Category: party.Full, OrgID: org}
}

// openAt opens a new database of engine e migrated up to version only, for migration tests.
func openAt(t *testing.T, e storetest.Engine, version int64) *store.DB {
	t.Helper()
	ctx := context.Background()
	cfg := store.Config{DataDir: t.TempDir(), Keys: storetest.Keys(t)}
	if e.Name == store.Postgres {
		cfg.URL = storetest.CreatePostgresDB(t)
	}
	db, err := store.Open(ctx, cfg)
	storetest.MustDo(t, "open", err)
	t.Cleanup(func() { db.Close() })
	storetest.MustDo(t, fmt.Sprintf("migrate to %d", version), db.MigrateTo(ctx, version))
	return db
}

func fixedClock(db *store.DB) {
	db.Now = func() time.Time { return time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC) }
}

func TestOrgTree(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		t.Run("SubtreeIsOnePrefixRange", func(t *testing.T) {
			all, err := db.ListOrgs(ctx, store.OrgFilter{Root: tr.top.ID})
			storetest.MustDo(t, "list", err)
			if got, want := len(all), 5; got != want {
				t.Fatalf("subtree of top: got %d orgs, want %d", got, want)
			}
			sub, err := db.ListOrgs(ctx, store.OrgFilter{Root: tr.branch.ID})
			storetest.MustDo(t, "list", err)
			if got, want := len(sub), 2; got != want {
				t.Fatalf("subtree of branch: got %d orgs, want %d", got, want)
			}
		})
		t.Run("ErrGroupUnderTop", func(t *testing.T) {
			err := db.CreateOrg(ctx, &party.Org{Name: "错误小组", Code: "BAD", Kind: party.KindGroup, ParentID: tr.top.ID})
			if party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
		})
		t.Run("ErrDuplicateCode", func(t *testing.T) {
			err := db.CreateOrg(ctx, &party.Org{Name: "另一支部", Code: "t-jg", Kind: party.KindBranch, ParentID: tr.top.ID})
			if party.ErrorCode(err) != party.ECONFLICT {
				t.Fatalf("got %v, want conflict", err)
			}
		})
		t.Run("MoveCarriesSubtree", func(t *testing.T) {
			zong := &party.Org{Name: "直属单位党总支", Code: "T-ZZ", Kind: party.KindGeneralBranch, ParentID: tr.top.ID}
			storetest.MustDo(t, "create", db.CreateOrg(ctx, zong))
			_, err := db.MoveOrg(ctx, tr.branch.ID, zong.ID)
			storetest.MustDo(t, "move", err)
			g, err := db.FindOrg(ctx, tr.group.ID)
			storetest.MustDo(t, "find", err)
			if want := fmt.Sprintf("/%d/%d/%d/%d/", tr.top.ID, zong.ID, tr.branch.ID, tr.group.ID); g.Path != want || g.Depth != 3 {
				t.Fatalf("group path after move: got %s depth %d, want %s depth 3", g.Path, g.Depth, want)
			}
			if _, err := db.MoveOrg(ctx, zong.ID, tr.group.ID); party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("moving under own descendant: got %v, want invalid", err)
			}
		})
		t.Run("DissolveRefusedWithMembers", func(t *testing.T) {
			m := member("张三", tr.other.ID, 1)
			storetest.MustDo(t, "create member", db.CreateMember(ctx, m))
			if _, err := db.DissolveOrg(ctx, tr.other.ID, day("2026-06-30"), "合并"); party.ErrorCode(err) != party.ECONFLICT {
				t.Fatalf("dissolving a branch with members: got %v, want conflict", err)
			}
			_, err := db.TransferOut(ctx, m.ID, day("2026-06-01"), "外单位党支部", "")
			storetest.MustDo(t, "transfer out", err)
			o, err := db.DissolveOrg(ctx, tr.other.ID, day("2026-06-30"), "合并")
			storetest.MustDo(t, "dissolve", err)
			if !o.Dissolved() {
				t.Fatal("not dissolved")
			}
			// Still readable, with its member's history.
			got, err := db.FindMember(ctx, m.ID)
			storetest.MustDo(t, "find member", err)
			if got.OrgName != "体校党支部" || got.Status != party.StatusTransferredOut {
				t.Fatalf("member after dissolve: %s %s", got.OrgName, got.Status)
			}
		})
	})
}

func TestMembers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		names := []string{"王五", "张三", "李四", "赵六", "阿强"}
		for i, n := range names {
			m := member(n, tr.branch.ID, i+10)
			if i == 1 {
				m.GroupID = tr.group.ID
			}
			storetest.MustDo(t, "create "+n, db.CreateMember(ctx, m))
		}
		t.Run("SortedByPinyin", func(t *testing.T) {
			list, total, err := db.ListMembers(ctx, store.MemberFilter{Root: tr.top.ID})
			storetest.MustDo(t, "list", err)
			var got []string
			for _, m := range list {
				got = append(got, m.Name)
			}
			if want := "[阿强 李四 王五 张三 赵六]"; fmt.Sprint(got) != want || total != 5 {
				t.Fatalf("got %v total %d, want %s total 5", got, total, want)
			}
		})
		t.Run("SearchByInitials", func(t *testing.T) {
			list, _, err := db.ListMembers(ctx, store.MemberFilter{Root: tr.top.ID, Query: "ZS"})
			storetest.MustDo(t, "list", err)
			if len(list) != 1 || list[0].Name != "张三" || list[0].GroupName != "第一党小组" {
				t.Fatalf("search zs: got %v", list)
			}
		})
		t.Run("LookupByIDNumber", func(t *testing.T) {
			m, err := db.FindMemberByIDNumber(ctx, idFor("1985-06-15", true, 12))
			storetest.MustDo(t, "find", err)
			if m.Name != "李四" {
				t.Fatalf("got %s, want 李四", m.Name)
			}
			list, _, err := db.ListMembers(ctx, store.MemberFilter{Query: idFor("1985-06-15", true, 12)})
			storetest.MustDo(t, "list", err)
			if len(list) != 1 || list[0].Name != "李四" {
				t.Fatalf("search by id number: %v", list)
			}
		})
		t.Run("Pagination", func(t *testing.T) {
			list, total, err := db.ListMembers(ctx, store.MemberFilter{Root: tr.top.ID, Limit: 2, Offset: 4})
			storetest.MustDo(t, "list", err)
			if len(list) != 1 || total != 5 || list[0].Name != "赵六" {
				t.Fatalf("page 3: %v total %d", list, total)
			}
			list, total, err = db.ListMembers(ctx, store.MemberFilter{Root: tr.top.ID, Limit: 2, Offset: 10})
			storetest.MustDo(t, "list", err)
			if len(list) != 0 || total != 5 {
				t.Fatalf("past the end: %v total %d", list, total)
			}
		})
		t.Run("ErrDuplicateIDNumber", func(t *testing.T) {
			err := db.CreateMember(ctx, member("重复", tr.branch.ID, 10))
			if party.ErrorCode(err) != party.ECONFLICT {
				t.Fatalf("got %v, want conflict", err)
			}
		})
		t.Run("ErrIDDisagreesWithGender", func(t *testing.T) {
			m := member("错性别", tr.branch.ID, 50)
			m.Gender = party.Female
			err := db.CreateMember(ctx, m)
			if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != "gender" {
				t.Fatalf("got %v, want invalid gender", err)
			}
		})
		t.Run("SensitiveFieldsEncryptedAtRest", func(t *testing.T) {
			var n int
			err := db.RawQueryRow(ctx, `SELECT count(*) FROM members WHERE id_cipher LIKE '%110101%' OR phone_cipher LIKE '%1381234%'`).Scan(&n)
			storetest.MustDo(t, "scan", err)
			if n != 0 {
				t.Fatalf("%d rows hold plaintext", n)
			}
		})
		t.Run("CountByCategory", func(t *testing.T) {
			got, err := db.CountByCategory(ctx, tr.top.ID)
			storetest.MustDo(t, "count", err)
			if got[party.Full] != 5 {
				t.Fatalf("got %v", got)
			}
		})
		t.Run("ErrControlCharacterInTransferNote", func(t *testing.T) {
			list, _, _ := db.ListMembers(ctx, store.MemberFilter{Root: tr.top.ID, Limit: 1})
			_, err := db.TransferOut(ctx, list[0].ID, day("2026-10-01"), "外单位\x00党支部", "")
			if party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
		})
		t.Run("TransferOutKeepsHistory", func(t *testing.T) {
			m, err := db.FindMemberByIDNumber(ctx, idFor("1985-06-15", true, 14))
			storetest.MustDo(t, "find", err)
			_, err = db.TransferOut(ctx, m.ID, day("2026-10-01"), "外省某党支部", "工作调动")
			storetest.MustDo(t, "transfer out", err)
			_, total, err := db.ListMembers(ctx, store.MemberFilter{Root: tr.top.ID})
			storetest.MustDo(t, "list", err)
			if total != 4 {
				t.Fatalf("roster after transfer: %d, want 4", total)
			}
			ts, err := db.Transfers(ctx, m.ID)
			storetest.MustDo(t, "transfers", err)
			if len(ts) != 1 || ts[0].Kind != party.TransferOut || ts[0].FromOrgName != "机关党支部" {
				t.Fatalf("transfers: %+v", ts)
			}
			m.Name = "复入"
			err = db.TransferInMember(ctx, m, day("2026-11-01"), "外省某党支部", "")
			storetest.MustDo(t, "transfer back in", err)
			back, err := db.FindMember(ctx, m.ID)
			storetest.MustDo(t, "find", err)
			if back.Status != party.StatusActive || back.Name != "复入" {
				t.Fatalf("after transfer in: %s %s", back.Name, back.Status)
			}
		})
		t.Run("PositionsAndTempBranch", func(t *testing.T) {
			list, _, _ := db.ListMembers(ctx, store.MemberFilter{Root: tr.top.ID, Limit: 1})
			p := &party.Position{MemberID: list[0].ID, OrgID: tr.branch.ID, Title: "书记", StartOn: day("2024-01-01")}
			storetest.MustDo(t, "add position", db.AddPosition(ctx, p))
			off, err := db.Officers(ctx, tr.branch.ID)
			storetest.MustDo(t, "officers", err)
			if len(off) != 1 || off[0].Title != "书记" {
				t.Fatalf("officers: %+v", off)
			}
			a := &party.TempAttachment{MemberID: list[0].ID, OrgID: tr.temp.ID}
			storetest.MustDo(t, "attach", db.Attach(ctx, a))
			if a.StartOn != tr.temp.StartOn {
				t.Fatalf("attachment start defaults to the branch start: %s", a.StartOn)
			}
			if err := db.Attach(ctx, &party.TempAttachment{MemberID: list[0].ID, OrgID: tr.branch.ID}); party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("attach to a normal branch: %v", err)
			}
			m, _ := db.FindMember(ctx, list[0].ID)
			if m.OrgID != tr.branch.ID {
				t.Fatal("attachment changed the own branch")
			}
		})
		t.Run("EveryWriteAudited", func(t *testing.T) {
			var n int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM audit_log WHERE object_type = 'member' AND action = 'create'`).Scan(&n))
			if n != 5 {
				t.Fatalf("member create audit rows: %d, want 5", n)
			}
			var leaked int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM audit_log WHERE detail LIKE '%13812345678%' OR detail LIKE '%19850615%'`).Scan(&leaked))
			if leaked != 0 {
				t.Fatalf("%d audit rows hold unmasked values", leaked)
			}
		})
	})
}
