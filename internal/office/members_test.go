package office_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestImportFilledTemplate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		var tmpl bytes.Buffer
		storetest.MustDo(t, "template", office.WriteTemplate(&tmpl, []*party.Org{tr.branch, tr.other}, []*party.Org{tr.group}))
		f, err := excelize.OpenReader(&tmpl)
		storetest.MustDo(t, "open template", err)
		for i, r := range [][]any{rosterRow(1, "机关党支部", "第一党小组"), rosterRow(2, "T-TX", ""), rosterRow(3, "机关党支部", "")} {
			storetest.MustDo(t, "fill", f.SetSheetRow(office.MemberSheet, fmt.Sprintf("A%d", i+2), &r))
		}
		var filled bytes.Buffer
		storetest.MustDo(t, "save", f.Write(&filled))
		f.Close()

		rows, errs, err := office.ParseMembers(bytes.NewReader(filled.Bytes()), today)
		storetest.MustDo(t, "parse", err)
		if len(errs) != 0 || len(rows) != 3 {
			t.Fatalf("parse filled template: %d rows, errors %v", len(rows), errs)
		}
		if r := rows[0]; r.Row != 2 || r.Branch != "机关党支部" || r.Group != "第一党小组" || r.Member.IDNumber.Reveal() != idFor(1) {
			t.Fatalf("first row: %+v", r)
		}

		res, err := office.ImportMembers(ctx, db, tr.top.ID, bytes.NewReader(filled.Bytes()), false)
		storetest.MustDo(t, "import", err)
		if res.Created != 3 || len(res.Errors) != 0 {
			t.Fatalf("import: %+v", res)
		}
		got := members(t, db, tr.top.ID)
		if len(got) != 3 {
			t.Fatalf("members after import: %d, want 3", len(got))
		}
		m, err := db.FindMemberByIDNumber(ctx, idFor(1))
		storetest.MustDo(t, "find", err)
		if m.OrgID != tr.branch.ID || m.GroupID != tr.group.ID || m.BirthDate != birthOf(1) || m.FullOn != day("2001-07-01") {
			t.Fatalf("imported member: %+v", m)
		}
		m, err = db.FindMemberByIDNumber(ctx, idFor(2))
		storetest.MustDo(t, "find", err)
		if m.OrgID != tr.other.ID {
			t.Fatalf("branch given by code: org %d, want %d", m.OrgID, tr.other.ID)
		}
	})
}

func TestImportBadRowsWritesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		rows := make([][]any, 20) // sheet rows 2..21
		for i := range rows {
			rows[i] = rosterRow(i, "机关党支部", "")
		}
		badID := idFor(15)[:17] + "0"
		if badID == idFor(15) {
			badID = idFor(15)[:17] + "1"
		}
		rows[15][4] = badID     // sheet row 17
		rows[7][11] = "不存在的党支部" // sheet row 9
		file := book(t, party.MemberHeaders, rows)

		res, err := office.ImportMembers(ctx, db, tr.top.ID, bytes.NewReader(file), false)
		storetest.MustDo(t, "import", err)
		_, _, _, idErr := party.ParseIDNumber(badID, today)
		want := []party.RowError{{Row: 9, Column: "所在党支部"}, {Row: 17, Column: "身份证号", Message: party.ErrorMessage(idErr)}}
		if len(res.Errors) != 2 {
			t.Fatalf("errors: %v, want rows 9 and 17", res.Errors)
		}
		for i, w := range want {
			e := res.Errors[i]
			if e.Row != w.Row || e.Column != w.Column || e.Message == "" || (w.Message != "" && e.Message != w.Message) {
				t.Errorf("error %d: got %+v, want %+v", i, e, w)
			}
		}
		if !strings.Contains(res.Errors[0].Message, "不存在的党支部") {
			t.Errorf("unknown branch message does not name it: %s", res.Errors[0].Message)
		}
		if res.Created != 0 || res.Updated != 0 {
			t.Errorf("counts with errors: %+v", res)
		}
		if n := len(members(t, db, tr.top.ID)); n != 0 {
			t.Fatalf("%d members written from a file with bad rows", n)
		}
	})
}

func TestReimport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		const n = 6
		file := roster(t, 100, n, "机关党支部")
		res, err := office.ImportMembers(ctx, db, tr.top.ID, bytes.NewReader(file), false)
		storetest.MustDo(t, "first import", err)
		if res.Created != n {
			t.Fatalf("first import: %+v", res)
		}
		t.Run("SameFileChangesNothing", func(t *testing.T) {
			res, err := office.ImportMembers(ctx, db, tr.top.ID, bytes.NewReader(file), false)
			storetest.MustDo(t, "re-import", err)
			if res.Created != 0 || res.Updated != 0 || res.Unchanged != n || len(res.Errors) != 0 {
				t.Fatalf("re-import: %+v", res)
			}
		})
		t.Run("OneChangedCellUpdatesOneMember", func(t *testing.T) {
			f, err := excelize.OpenReader(bytes.NewReader(file))
			storetest.MustDo(t, "open", err)
			storetest.MustDo(t, "edit", f.SetCellStr(f.GetSheetName(0), "H4", "财务科科长")) // person 102
			var buf bytes.Buffer
			storetest.MustDo(t, "save", f.Write(&buf))
			f.Close()
			res, err := office.ImportMembers(ctx, db, tr.top.ID, &buf, false)
			storetest.MustDo(t, "import edited", err)
			if res.Created != 0 || res.Updated != 1 || res.Unchanged != n-1 {
				t.Fatalf("import edited: %+v", res)
			}
			m, err := db.FindMemberByIDNumber(ctx, idFor(102))
			storetest.MustDo(t, "find", err)
			if m.UnitPost != "财务科科长" {
				t.Fatalf("unit post: %q", m.UnitPost)
			}
		})
		t.Run("DryRunWritesNothing", func(t *testing.T) {
			res, err := office.ImportMembers(ctx, db, tr.top.ID, bytes.NewReader(roster(t, 200, 2, "体校党支部")), true)
			storetest.MustDo(t, "dry run", err)
			if !res.DryRun || res.Created != 2 {
				t.Fatalf("dry run: %+v", res)
			}
			if got := len(members(t, db, tr.top.ID)); got != n {
				t.Fatalf("members after dry run: %d, want %d", got, n)
			}
		})
	})
}

func TestParseHeaders(t *testing.T) {
	t.Run("UnknownColumnReported", func(t *testing.T) {
		headers := append(slices.Clone(party.MemberHeaders), "籍贯")
		row := append(rosterRow(1, "机关党支部", ""), "北京")
		rows, errs, err := office.ParseMembers(bytes.NewReader(book(t, headers, [][]any{row})), today)
		storetest.MustDo(t, "parse", err)
		if len(errs) != 1 || errs[0].Row != 1 || errs[0].Column != "籍贯" {
			t.Fatalf("errors: %v, want one on row 1 column 籍贯", errs)
		}
		if len(rows) != 1 {
			t.Fatalf("the known columns should still be read: %d rows", len(rows))
		}
	})
	t.Run("MissingHeaderReported", func(t *testing.T) {
		headers := party.MemberHeaders[:len(party.MemberHeaders)-1] // no 党小组
		row := rosterRow(1, "机关党支部", "")[:len(headers)]
		_, errs, err := office.ParseMembers(bytes.NewReader(book(t, headers, [][]any{row})), today)
		storetest.MustDo(t, "parse", err)
		if len(errs) != 1 || errs[0].Row != 1 || errs[0].Column != "党小组" {
			t.Fatalf("errors: %v, want one on row 1 column 党小组", errs)
		}
	})
	t.Run("DuplicateHeaderReported", func(t *testing.T) {
		headers := append(slices.Clone(party.MemberHeaders), "姓名")
		_, errs, err := office.ParseMembers(bytes.NewReader(book(t, headers, nil)), today)
		storetest.MustDo(t, "parse", err)
		if !hasError(errs, 1, "姓名") || !strings.Contains(errs[0].Message, "重复") {
			t.Fatalf("errors: %v, want a repeated 姓名 on row 1", errs)
		}
	})
	t.Run("OrderMayVaryAndSpacesAreTrimmed", func(t *testing.T) {
		headers := slices.Clone(party.MemberHeaders)
		row := rosterRow(1, "机关党支部", "")
		headers[0], headers[4] = headers[4], headers[0]
		row[0], row[4] = row[4], row[0]
		headers[1] = "\u3000" + headers[1] + " "
		row[4] = " 测试\u3000"
		rows, errs, err := office.ParseMembers(bytes.NewReader(book(t, headers, [][]any{row})), today)
		storetest.MustDo(t, "parse", err)
		if len(errs) != 0 || len(rows) != 1 || rows[0].Member.Name != "测试" || rows[0].Member.IDNumber.Reveal() != idFor(1) {
			t.Fatalf("rows %+v errors %v", rows, errs)
		}
	})
	t.Run("BlankRowsSkipped", func(t *testing.T) {
		rows := [][]any{rosterRow(1, "机关党支部", ""), {" ", "", "\u3000"}, nil, rosterRow(2, "机关党支部", "")}
		got, errs, err := office.ParseMembers(bytes.NewReader(book(t, party.MemberHeaders, rows)), today)
		storetest.MustDo(t, "parse", err)
		if len(errs) != 0 || len(got) != 2 || got[1].Row != 5 {
			t.Fatalf("rows %+v errors %v", got, errs)
		}
	})
	t.Run("TooManyRowsRefused", func(t *testing.T) {
		rows := make([][]any, office.MaxDataRows+1)
		for i := range rows {
			rows[i] = []any{"x"}
		}
		_, _, err := office.ParseMembers(bytes.NewReader(book(t, party.MemberHeaders, rows)), today)
		if party.ErrorCode(err) != party.EINVALID || !strings.Contains(party.ErrorMessage(err), "50000") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("EmptySheet", func(t *testing.T) {
		f := excelize.NewFile()
		var buf bytes.Buffer
		storetest.MustDo(t, "write", f.Write(&buf))
		_, errs, err := office.ParseMembers(&buf, today)
		storetest.MustDo(t, "parse", err)
		if len(errs) != 1 || errs[0].Row != 1 {
			t.Fatalf("errors: %v", errs)
		}
	})
}

func TestParseCells(t *testing.T) {
	parse := func(t *testing.T, edit func(row []any)) ([]party.MemberRow, []party.RowError) {
		t.Helper()
		row := rosterRow(1, "机关党支部", "")
		edit(row)
		rows, errs, err := office.ParseMembers(bytes.NewReader(book(t, party.MemberHeaders, [][]any{row})), today)
		storetest.MustDo(t, "parse", err)
		return rows, errs
	}
	t.Run("DatesAsExcelSerialsAndText", func(t *testing.T) {
		for _, c := range []struct {
			cell any
			want string
		}{
			{43647, "2019-07-01"},
			{43647.0, "2019-07-01"},
			{"43647", "2019-07-01"},
			{"2019-07-01", "2019-07-01"},
			{"2019年7月1日", "2019-07-01"},
			{"2019.07.01", "2019-07-01"},
			{"2019/7/1", "2019-07-01"},
			{"20190701", "2019-07-01"},
			{" 2019 年 7 月 1 日\u3000", "2019-07-01"},
			{"2019-07-01 00:00:00", "2019-07-01"},
			{"2019-07-01T00:00:00Z", "2019-07-01"},
		} {
			rows, errs := parse(t, func(r []any) { r[8], r[9] = "2019-06-30", c.cell })
			if len(errs) != 0 || len(rows) != 1 || rows[0].Member.FullOn.String() != c.want {
				t.Errorf("转正日期 %#v: rows %+v errors %v", c.cell, rows, errs)
			}
		}
	})
	t.Run("DateCellWithDateStyle", func(t *testing.T) {
		f := excelize.NewFile()
		sheet := f.GetSheetName(0)
		h := make([]any, len(party.MemberHeaders))
		for i, s := range party.MemberHeaders {
			h[i] = s
		}
		row := rosterRow(1, "机关党支部", "")
		storetest.MustDo(t, "header", f.SetSheetRow(sheet, "A1", &h))
		storetest.MustDo(t, "row", f.SetSheetRow(sheet, "A2", &row))
		storetest.MustDo(t, "date", f.SetCellValue(sheet, "I2", day("2000-07-01").Time()))
		var buf bytes.Buffer
		storetest.MustDo(t, "write", f.Write(&buf))
		rows, errs, err := office.ParseMembers(&buf, today)
		storetest.MustDo(t, "parse", err)
		if len(errs) != 0 || len(rows) != 1 || rows[0].Member.JoinedOn != day("2000-07-01") {
			t.Fatalf("rows %+v errors %v", rows, errs)
		}
	})
	t.Run("BadDateExplained", func(t *testing.T) {
		for _, cell := range []any{"2019-02-30", "去年七月", "0", 3000000} {
			_, errs := parse(t, func(r []any) { r[9] = cell })
			if len(errs) != 1 || errs[0].Column != "转正日期" || !strings.Contains(errs[0].Message, "日期") {
				t.Errorf("转正日期 %#v: errors %v", cell, errs)
			}
		}
	})
	t.Run("EveryBadCellListed", func(t *testing.T) {
		_, errs := parse(t, func(r []any) {
			r[0], r[1], r[2], r[3], r[5], r[6], r[10], r[11] = "", "未知", "火星族", "2019-02-30", "123", "小学", "群众", ""
		})
		want := []string{"姓名", "性别", "民族", "出生日期", "手机号码", "学历", "人员类别", "所在党支部"}
		var got []string
		for _, e := range errs {
			if e.Row != 2 || e.Message == "" {
				t.Errorf("error %+v", e)
			}
			got = append(got, e.Column)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("columns with errors: %v, want %v (template order)", got, want)
		}
	})
	t.Run("IDNumberStoredAsNumber", func(t *testing.T) {
		// Excel writes an 18-digit number as 1.1010119700101E+17; excelize writes its digits.
		row := rosterRow(1, "机关党支部", "")
		row[4] = "IDNUMBER"
		file := rewriteSheet(t, book(t, party.MemberHeaders, [][]any{row}),
			`<c r="E2" t="inlineStr"><is><t>IDNUMBER</t></is></c>`, `<c r="E2"><v>1.1010119700101E+17</v></c>`)
		_, errs, err := office.ParseMembers(bytes.NewReader(file), today)
		storetest.MustDo(t, "parse", err)
		if len(errs) != 1 || errs[0].Column != "身份证号" || !strings.Contains(errs[0].Message, "文本") {
			t.Fatalf("errors: %v", errs)
		}
		_, errs = parse(t, func(r []any) { r[4] = 1.10101197001010e17 })
		if len(errs) != 1 || errs[0].Column != "身份证号" || !strings.Contains(errs[0].Message, "文本") {
			t.Fatalf("errors: %v", errs)
		}
	})
	t.Run("PhoneStoredAsNumber", func(t *testing.T) {
		rows, errs := parse(t, func(r []any) { r[5] = 13812345678 })
		if len(errs) != 0 || rows[0].Member.Phone.Reveal() != "13812345678" {
			t.Fatalf("rows %+v errors %v", rows, errs)
		}
	})
	t.Run("CrossFieldCheckedByValidate", func(t *testing.T) {
		_, errs := parse(t, func(r []any) { r[3] = "1970-01-02" })
		if len(errs) != 1 || errs[0].Column != "出生日期" || !strings.Contains(errs[0].Message, "不一致") {
			t.Fatalf("errors: %v", errs)
		}
	})
	t.Run("RepeatedIDNumber", func(t *testing.T) {
		rows := [][]any{rosterRow(1, "机关党支部", ""), rosterRow(1, "机关党支部", "")}
		got, errs, err := office.ParseMembers(bytes.NewReader(book(t, party.MemberHeaders, rows)), today)
		storetest.MustDo(t, "parse", err)
		if len(got) != 1 || len(errs) != 1 || errs[0].Row != 3 || errs[0].Column != "身份证号" {
			t.Fatalf("rows %d errors %v", len(got), errs)
		}
	})
	t.Run("ExportEscapeRemoved", func(t *testing.T) {
		rows, errs := parse(t, func(r []any) { r[7] = "'=1+2" })
		if len(errs) != 0 || rows[0].Member.UnitPost != "=1+2" {
			t.Fatalf("rows %+v errors %v", rows, errs)
		}
	})
}

func TestNotXLSX(t *testing.T) {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte("<w:document/>"))
	zw.Close()
	for name, data := range map[string][]byte{"Text": []byte("姓名,性别\n张三,男\n"), "Empty": nil,
		"OtherZip": zipped.Bytes(), "OLE": append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)} {
		t.Run(name, func(t *testing.T) {
			_, _, err := office.ParseMembers(bytes.NewReader(data), today)
			if party.ErrorCode(err) != party.EINVALID || party.ErrorMessage(err) != "文件不是有效的 Excel（.xlsx）文件" {
				t.Fatalf("got %v (%s)", err, party.ErrorMessage(err))
			}
			_, _, err = office.ParseOrgs(bytes.NewReader(data))
			if party.ErrorMessage(err) != "文件不是有效的 Excel（.xlsx）文件" {
				t.Fatalf("orgs: got %v", err)
			}
		})
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		tr := mkTree(t, db)
		_, err := office.ImportMembers(context.Background(), db, tr.top.ID, strings.NewReader("not a workbook"), false)
		if party.ErrorMessage(err) != "文件不是有效的 Excel（.xlsx）文件" {
			t.Fatalf("import: got %v", err)
		}
	})
}

var maskedID = regexp.MustCompile(`^\d{3}\*{11}\d{3}[\dX]$`)

func TestWriteMembers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		rows := [][]any{rosterRow(1, "机关党支部", "第一党小组"), rosterRow(2, "机关党支部", ""), rosterRow(3, "体校党支部", "")}
		rows[1][7] = "=HYPERLINK(\"http://x\",\"点我\")"
		rows[2][7] = "@SUM(1)"
		rows[2][5] = ""
		res, err := office.ImportMembers(ctx, db, tr.top.ID, bytes.NewReader(book(t, party.MemberHeaders, rows)), false)
		storetest.MustDo(t, "import", err)
		if res.Created != 3 {
			t.Fatalf("import: %+v", res)
		}
		list := members(t, db, tr.top.ID)

		t.Run("MaskedByDefault", func(t *testing.T) {
			var buf bytes.Buffer
			storetest.MustDo(t, "export", office.WriteMembers(&buf, list, false))
			f, err := excelize.OpenReader(&buf)
			storetest.MustDo(t, "open", err)
			defer f.Close()
			if got := f.GetSheetList(); got[0] != office.MemberSheet {
				t.Fatalf("sheets: %v", got)
			}
			got, err := f.GetRows(office.MemberSheet)
			storetest.MustDo(t, "rows", err)
			if !slices.Equal(got[0], party.MemberHeaders) || len(got) != 4 {
				t.Fatalf("header %v, %d rows", got[0], len(got))
			}
			for _, r := range got[1:] {
				if !maskedID.MatchString(r[4]) || strings.Contains(strings.Join(r, ","), "0101197") {
					t.Errorf("ID number not masked: %v", r)
				}
				if r[5] != "" && r[5] != "138****5678" {
					t.Errorf("phone not masked: %q", r[5])
				}
			}
			typ, err := f.GetCellType(office.MemberSheet, "E2")
			storetest.MustDo(t, "cell type", err)
			if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				t.Errorf("ID number cell type %v, want text", typ)
			}
			panes, err := f.GetPanes(office.MemberSheet)
			storetest.MustDo(t, "panes", err)
			if !panes.Freeze || panes.YSplit != 1 {
				t.Errorf("header not frozen: %+v", panes)
			}
		})
		t.Run("FormulaCellsEscaped", func(t *testing.T) {
			var buf bytes.Buffer
			storetest.MustDo(t, "export", office.WriteMembers(&buf, list, false))
			f, err := excelize.OpenReader(&buf)
			storetest.MustDo(t, "open", err)
			defer f.Close()
			got, err := f.GetRows(office.MemberSheet)
			storetest.MustDo(t, "rows", err)
			var escaped []string
			for _, r := range got[1:] {
				if strings.HasPrefix(r[7], "'") {
					escaped = append(escaped, r[7])
				}
			}
			slices.Sort(escaped)
			if want := []string{"'=HYPERLINK(\"http://x\",\"点我\")", "'@SUM(1)"}; !slices.Equal(escaped, want) {
				t.Fatalf("escaped cells %q, want %q", escaped, want)
			}
		})
		t.Run("UnmaskedExportReimportsUnchanged", func(t *testing.T) {
			var buf bytes.Buffer
			storetest.MustDo(t, "export", office.WriteMembers(&buf, list, true))
			res, err := office.ImportMembers(ctx, db, tr.top.ID, &buf, false)
			storetest.MustDo(t, "re-import", err)
			if res.Unchanged != 3 || res.Created != 0 || res.Updated != 0 || len(res.Errors) != 0 {
				t.Fatalf("re-import of unmasked export: %+v", res)
			}
		})
		t.Run("MaskedExportRefusedOnImport", func(t *testing.T) {
			var buf bytes.Buffer
			storetest.MustDo(t, "export", office.WriteMembers(&buf, list, false))
			res, err := office.ImportMembers(ctx, db, tr.top.ID, &buf, true)
			storetest.MustDo(t, "import", err)
			if len(res.Errors) != 5 || !hasError(res.Errors, 2, "身份证号") || !hasError(res.Errors, 2, "手机号码") ||
				!strings.Contains(res.Errors[0].Message, "脱敏") {
				t.Fatalf("masked file import: %+v", res)
			}
		})
	})
}

func TestWriteTemplate(t *testing.T) {
	branches := []*party.Org{{Name: "机关党支部", Code: "A"}, {Name: "体校党支部", Code: "B"}, {Name: "体校党支部", Code: "C"}}
	groups := []*party.Org{{Name: "第一党小组", Code: "A1"}, {Name: "第一党小组", Code: "B1"}, {Name: "第二党小组", Code: "A2"}}
	var buf bytes.Buffer
	storetest.MustDo(t, "template", office.WriteTemplate(&buf, branches, groups))
	f, err := excelize.OpenReader(&buf)
	storetest.MustDo(t, "open", err)
	defer f.Close()
	t.Run("SheetsAndHiddenLists", func(t *testing.T) {
		if got, want := f.GetSheetList(), []string{office.MemberSheet, office.GuideSheet, office.ListSheet}; !slices.Equal(got, want) {
			t.Fatalf("sheets %v, want %v", got, want)
		}
		visible, err := f.GetSheetVisible(office.ListSheet)
		storetest.MustDo(t, "visible", err)
		if visible {
			t.Fatal("the list sheet is visible")
		}
		cols, err := f.GetCols(office.ListSheet)
		storetest.MustDo(t, "cols", err)
		for i := range cols {
			cols[i] = slices.DeleteFunc(cols[i], func(s string) bool { return s == "" })
		}
		if len(cols[1]) != 57 || cols[1][1] != "汉族" {
			t.Fatalf("民族 list: %d entries", len(cols[1])-1)
		}
		if want := []string{"所在党支部", "机关党支部", "B", "C"}; !slices.Equal(cols[4], want) {
			t.Fatalf("branch list %v, want %v (shared names listed by code)", cols[4], want)
		}
		if want := []string{"党小组", "第一党小组", "第二党小组"}; !slices.Equal(cols[5], want) {
			t.Fatalf("group list %v, want %v", cols[5], want)
		}
		header, err := f.GetRows(office.MemberSheet)
		storetest.MustDo(t, "rows", err)
		if !slices.Equal(header[0], party.MemberHeaders) {
			t.Fatalf("header %v", header[0])
		}
		guide, err := f.GetRows(office.GuideSheet)
		storetest.MustDo(t, "guide", err)
		if !strings.Contains(strings.Join(guide[len(guide)-1], ""), "重复导入") || !strings.Contains(guide[5][1], "18位") {
			t.Fatalf("guide: %v", guide)
		}
	})
	t.Run("DropDownsReferenceTheListSheet", func(t *testing.T) {
		dvs, err := f.GetDataValidations(office.MemberSheet)
		storetest.MustDo(t, "validations", err)
		got := map[string]string{}
		for _, dv := range dvs {
			if dv.Type != "list" {
				t.Errorf("validation %s has type %s", dv.Sqref, dv.Type)
			}
			got[dv.Sqref] = dv.Formula1
		}
		want := map[string]string{
			"B2:B5001": "'选项'!$A$2:$A$3",  // 性别
			"C2:C5001": "'选项'!$B$2:$B$57", // 民族
			"G2:G5001": "'选项'!$C$2:$C$8",  // 学历
			"K2:K5001": "'选项'!$D$2:$D$3",  // 人员类别
			"L2:L5001": "'选项'!$E$2:$E$4",  // 所在党支部
			"M2:M5001": "'选项'!$F$2:$F$3",  // 党小组
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("validation on %s: %q, want %q", k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("validations: %v", got)
		}
	})
	t.Run("IDAndPhoneColumnsAreText", func(t *testing.T) {
		for _, col := range []string{"E", "F"} {
			id, err := f.GetColStyle(office.MemberSheet, col)
			storetest.MustDo(t, "col style", err)
			st, err := f.GetStyle(id)
			storetest.MustDo(t, "style", err)
			if st.NumFmt != 49 {
				t.Errorf("column %s number format %d, want 49 (text)", col, st.NumFmt)
			}
		}
	})
	t.Run("NoBranchesNoBranchDropDown", func(t *testing.T) {
		var buf bytes.Buffer
		storetest.MustDo(t, "template", office.WriteTemplate(&buf, nil, nil))
		f, err := excelize.OpenReader(&buf)
		storetest.MustDo(t, "open", err)
		defer f.Close()
		dvs, err := f.GetDataValidations(office.MemberSheet)
		storetest.MustDo(t, "validations", err)
		if len(dvs) != 4 {
			t.Fatalf("%d validations, want 4", len(dvs))
		}
	})
}
