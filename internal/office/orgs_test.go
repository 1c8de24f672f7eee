package office_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// orgSheet is a small tree in the org sheet layout, dates in several forms.
func orgSheet() [][]any {
	return [][]any{
		{"中共测试局党组", "党组", "", "T", "2020-01-01"},
		{"机关党支部", "党支部", "T", "t-jg", "2020年1月2日"},
		{"第一党小组", "党小组", "机关党支部", "T-JG-1", ""},
		{"体校党支部", "党支部", "中共测试局党组", "T-TX", 43831},
		{"省运会临时党支部", "临时党支部", "T", "T-LS", "2026.03.01"},
	}
}

func TestImportOrgs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		file := book(t, party.OrgHeaders, orgSheet())
		res, err := office.ImportOrgs(ctx, db, 0, bytes.NewReader(file), false)
		storetest.MustDo(t, "import", err)
		if res.Created != 5 || len(res.Errors) != 0 {
			t.Fatalf("import: %+v", res)
		}
		top, err := db.FindOrgByCode(ctx, "T")
		storetest.MustDo(t, "find top", err)
		orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: top.ID})
		storetest.MustDo(t, "list", err)
		byCode := map[string]*party.Org{}
		for _, o := range orgs {
			byCode[o.Code] = o
		}
		if len(orgs) != 5 || byCode["T-JG-1"].ParentID != byCode["T-JG"].ID || byCode["T-TX"].FoundedOn != day("2020-01-01") ||
			byCode["T-LS"].StartOn != day("2026-03-01") || byCode["T-JG"].FoundedOn != day("2020-01-02") {
			t.Fatalf("imported tree: %d orgs", len(orgs))
		}

		t.Run("SameFileChangesNothing", func(t *testing.T) {
			res, err := office.ImportOrgs(ctx, db, 0, bytes.NewReader(file), false)
			storetest.MustDo(t, "re-import", err)
			if res.Created != 0 || res.Unchanged != 5 {
				t.Fatalf("re-import: %+v", res)
			}
		})
		t.Run("ExportReimports", func(t *testing.T) {
			codes := map[int64]string{}
			for _, o := range orgs {
				codes[o.ID] = o.Code
			}
			var buf bytes.Buffer
			storetest.MustDo(t, "export", office.WriteOrgs(&buf, orgs, codes))
			exported := buf.Bytes()
			rows, errs, err := office.ParseOrgs(bytes.NewReader(exported))
			storetest.MustDo(t, "parse export", err)
			if len(errs) != 0 || len(rows) != 5 || rows[0].Name != "中共测试局党组" || rows[0].Parent != "" {
				t.Fatalf("parsed export: %+v %v", rows, errs)
			}
			res, err := office.ImportOrgs(ctx, db, 0, bytes.NewReader(exported), false)
			storetest.MustDo(t, "re-import export", err)
			if res.Created != 0 || res.Unchanged != 5 {
				t.Fatalf("re-import of export: %+v", res)
			}
			fresh := storetest.OpenSQLite(t)
			res, err = office.ImportOrgs(ctx, fresh, 0, bytes.NewReader(exported), false)
			storetest.MustDo(t, "import export elsewhere", err)
			if res.Created != 5 {
				t.Fatalf("import of export into an empty database: %+v", res)
			}
		})
		t.Run("DefaultParent", func(t *testing.T) {
			file := book(t, party.OrgHeaders, [][]any{{"新建党支部", "党支部", "", "T-NEW", ""}})
			res, err := office.ImportOrgs(ctx, db, top.ID, bytes.NewReader(file), false)
			storetest.MustDo(t, "import", err)
			o, err := db.FindOrgByCode(ctx, "T-NEW")
			storetest.MustDo(t, "find", err)
			if res.Created != 1 || o.ParentID != top.ID {
				t.Fatalf("row without parent: %+v, parent %d", res, o.ParentID)
			}
		})
	})
}

func TestImportOrgsBadRows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rows := orgSheet()
		rows[1][1] = "支部"                                          // row 3: unknown kind
		rows[4][4] = ""                                            // row 6: temporary branch without a date
		rows = append(rows, []any{"重复编码", "党支部", "T", "T-TX", ""}) // row 7
		res, err := office.ImportOrgs(ctx, db, 0, bytes.NewReader(book(t, party.OrgHeaders, rows)), false)
		storetest.MustDo(t, "import", err)
		for _, w := range []struct {
			row    int
			column string
		}{{3, "组织类别"}, {4, "上级组织"}, {6, "成立日期"}, {7, "组织编码"}} {
			if !hasError(res.Errors, w.row, w.column) {
				t.Errorf("no error on row %d column %s: %v", w.row, w.column, res.Errors)
			}
		}
		if len(res.Errors) != 4 {
			t.Errorf("errors: %v", res.Errors)
		}
		for _, e := range res.Errors {
			if e.Row == 4 && !strings.Contains(e.Message, "第3行") {
				t.Errorf("child of a bad row should point at it: %s", e.Message)
			}
		}
		orgs, err := db.ListOrgs(ctx, store.OrgFilter{})
		storetest.MustDo(t, "list", err)
		if len(orgs) != 0 || res.Created != 0 {
			t.Fatalf("%d organizations written from a file with bad rows", len(orgs))
		}
	})
}
