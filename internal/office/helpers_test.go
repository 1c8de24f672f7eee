package office_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// today is the day the tests run on (the store's fixed clock).
var today = party.Date{Year: 2026, Month: time.November, Day: 26}

func fixedClock(db *store.DB) {
	db.Now = func() time.Time { return time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC) }
}

func day(s string) party.Date {
	d, err := party.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// birthOf spreads people over birth dates so that every n gets a distinct ID number.
func birthOf(n int) party.Date {
	return party.DateOf(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/400))
}

// idFor builds a valid ID number for person n, a man born on birthOf(n).
func idFor(n int) string {
	d := birthOf(n)
	s := fmt.Sprintf("110101%04d%02d%02d%03d", d.Year, d.Month, d.Day, (n%400)*2+1)
	return s + string(party.IDCheckDigit(s))
}

// rosterRow is person n's row in party.MemberHeaders order.
func rosterRow(n int, branch, group string) []any {
	return []any{fmt.Sprintf("测试%05d", n), "男", "汉族", birthOf(n).String(), idFor(n), "13812345678", "大学本科",
		"办公室科员", "2000-07-01", "2001-07-01", "正式党员", branch, group}
}

// book writes an xlsx whose first sheet holds headers in row 1 and rows below; strings become
// text cells and numbers number cells.
func book(t testing.TB, headers []string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter(f.GetSheetName(0))
	storetest.MustDo(t, "stream", err)
	h := make([]any, len(headers))
	for i, s := range headers {
		h[i] = s
	}
	storetest.MustDo(t, "header", sw.SetRow("A1", h))
	for i, r := range rows {
		storetest.MustDo(t, "row", sw.SetRow(fmt.Sprintf("A%d", i+2), r))
	}
	storetest.MustDo(t, "flush", sw.Flush())
	var buf bytes.Buffer
	storetest.MustDo(t, "write", f.Write(&buf))
	return buf.Bytes()
}

// roster is a roster file of persons first..first+n-1, all in branch.
func roster(t testing.TB, first, n int, branch string) []byte {
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = rosterRow(first+i, branch, "")
	}
	return book(t, party.MemberHeaders, rows)
}

type tree struct {
	top, branch, group, other *party.Org
}

func mkTree(t testing.TB, db *store.DB) tree {
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
	return tr
}

// members lists the roster under root (at most 500).
func members(t testing.TB, db *store.DB, root int64) []*party.Member {
	t.Helper()
	list, _, err := db.ListMembers(context.Background(), store.MemberFilter{Root: root, Limit: 500})
	storetest.MustDo(t, "list members", err)
	return list
}

// hasError reports whether errs holds an error on row in column.
func hasError(errs []party.RowError, row int, column string) bool {
	for _, e := range errs {
		if e.Row == row && e.Column == column {
			return true
		}
	}
	return false
}

// rewriteSheet replaces old with new in the first worksheet's XML of an xlsx file, to write
// cells the way other programs do.
func rewriteSheet(t testing.TB, file []byte, old, new string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	storetest.MustDo(t, "open zip", err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, zf := range zr.File {
		r, err := zf.Open()
		storetest.MustDo(t, "open part", err)
		b, err := io.ReadAll(r)
		storetest.MustDo(t, "read part", err)
		if zf.Name == "xl/worksheets/sheet1.xml" {
			found = strings.Contains(string(b), old)
			b = []byte(strings.Replace(string(b), old, new, 1))
		}
		w, err := zw.Create(zf.Name)
		storetest.MustDo(t, "create part", err)
		_, err = w.Write(b)
		storetest.MustDo(t, "write part", err)
	}
	storetest.MustDo(t, "close zip", zw.Close())
	if !found {
		t.Fatalf("rewriteSheet: %s not in the sheet", old)
	}
	return out.Bytes()
}
