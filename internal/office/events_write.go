package office

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/compliance"
	"dangjian/internal/party"
)

// Sheet names of the ledgers.
const (
	LedgerSheet     = "组织生活台账"
	ComplianceSheet = "落实情况"
	DetailSheet     = "明细"
)

// MaxLedgerRows bounds a ledger written in one workbook: a printed ledger is per organization
// and period, not a city's year.
const MaxLedgerRows = 50000

// ledgerHeaders are the columns of the 组织生活台账.
var ledgerHeaders = []string{"序号", "组织", "日期", "时间", "类型", "主题", "主持人", "记录人", "应到", "出席", "请假",
	"缺席", "出席率", "第一议题", "备注"}

var ledgerWidths = []float64{6, 20, 12, 7, 12, 30, 9, 9, 6, 6, 6, 6, 8, 30, 18}

// printStyles are the styles of a printed ledger.
type printStyles struct {
	title, subtitle, header, cell, wrap, center, missing, pending, ok int
}

func newPrintStyles(f *excelize.File) (printStyles, error) {
	var s printStyles
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	font := &excelize.Font{Family: "宋体", Size: 10.5}
	defs := []struct {
		dst   *int
		style *excelize.Style
	}{
		{&s.title, &excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 16, Bold: true},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.subtitle, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}},
		{&s.header, &excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 10.5}, Border: border, NumFmt: 49,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.cell, &excelize.Style{Font: font, Border: border, NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&s.wrap, &excelize.Style{Font: font, Border: border, NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&s.center, &excelize.Style{Font: font, Border: border, NumFmt: 49,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		// Missing cells are red and also say 缺, so the meaning does not rest on colour alone.
		{&s.missing, &excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10.5, Bold: true, Color: "C8161D"}, Border: border,
			NumFmt: 49, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FBE3E4"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.pending, &excelize.Style{Font: font, Border: border, NumFmt: 49,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF5D6"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.ok, &excelize.Style{Font: font, Border: border, NumFmt: 49,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(d.style)
		if err != nil {
			return s, fmt.Errorf("style: %w", err)
		}
		*d.dst = id
	}
	return s, nil
}

// printSheet lays out sheet for printing on A4: the title rows above a header row that repeats
// on every page, landscape, fitted to the page width, page numbers in the footer.
func printSheet(f *excelize.File, sheet string, st printStyles, title, subtitle string, headers []string, widths []float64, rows int) error {
	last, err := excelize.ColumnNumberToName(len(headers))
	if err != nil {
		return err
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return fmt.Errorf("column width: %w", err)
		}
	}
	for _, r := range []struct {
		row   int
		text  string
		style int
		h     float64
	}{{1, title, st.title, 30}, {2, subtitle, st.subtitle, 30}} {
		cell := fmt.Sprintf("A%d", r.row)
		if err := f.MergeCell(sheet, cell, fmt.Sprintf("%s%d", last, r.row)); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if err := f.SetCellStr(sheet, cell, escapeCell(r.text)); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell, cell, r.style); err != nil {
			return err
		}
		if err := f.SetRowHeight(sheet, r.row, r.h); err != nil {
			return err
		}
	}
	hdr := make([]any, len(headers))
	for i, h := range headers {
		hdr[i] = h
	}
	if err := f.SetSheetRow(sheet, "A3", &hdr); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if err := f.SetCellStyle(sheet, "A3", last+"3", st.header); err != nil {
		return err
	}
	if err := f.SetRowHeight(sheet, 3, 24); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	a4, landscape, one, zero := 9, "landscape", 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape,
		FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return fmt.Errorf("page layout: %w", err)
	}
	yes := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
		return fmt.Errorf("fit to page: %w", err)
	}
	margin, edge := 0.5, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &margin, Right: &margin, Top: &margin,
		Bottom: &margin, Header: &edge, Footer: &edge, Horizontally: &yes}); err != nil {
		return fmt.Errorf("margins: %w", err)
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}); err != nil {
		return fmt.Errorf("footer: %w", err)
	}
	quoted := "'" + sheet + "'"
	end := max(rows+3, 3)
	for _, dn := range []excelize.DefinedName{
		{Name: "_xlnm.Print_Titles", RefersTo: quoted + "!$3:$3", Scope: sheet},
		{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("%s!$A$1:$%s$%d", quoted, last, end), Scope: sheet},
	} {
		if err := f.SetDefinedName(&dn); err != nil {
			return fmt.Errorf("defined name: %w", err)
		}
	}
	return nil
}

// WriteEventLedger writes the 组织生活台账 of scope (an organization's name) over a period
// labelled period: one line per held or cancelled event with its attendance and 第一议题, in a
// layout to print (title, borders, header repeated on every page, fitted to the width).
func WriteEventLedger(w io.Writer, scope, period string, exported party.Date, events []compliance.LedgerEvent) error {
	if len(events) > MaxLedgerRows {
		return party.Errorf(party.EINVALID, "台账超过%d条，请缩小组织范围或期间", MaxLedgerRows)
	}
	if err := writeEventLedger(w, scope, period, exported, events); err != nil {
		return fmt.Errorf("office: write ledger: %w", err)
	}
	return nil
}

func writeEventLedger(w io.Writer, scope, period string, exported party.Date, events []compliance.LedgerEvent) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), LedgerSheet); err != nil {
		return err
	}
	st, err := newPrintStyles(f)
	if err != nil {
		return err
	}
	held, present, expected := 0, 0, 0
	for _, e := range events {
		if e.Status == party.EventHeld {
			held++
			present += e.Present
			expected += e.Expected
		}
	}
	subtitle := fmt.Sprintf("导出日期：%s　　已召开%d次，取消%d次；总出席率%s", exported.Chinese(), held, len(events)-held,
		percent(expected, present))
	if err := printSheet(f, LedgerSheet, st, scope+"组织生活台账（"+period+"）", subtitle, ledgerHeaders, ledgerWidths, len(events)); err != nil {
		return err
	}
	for i, e := range events {
		row := i + 4
		when := e.StartAt.In(party.Zone)
		note := ""
		switch {
		case e.Status == party.EventCancelled:
			note = "已取消：" + e.CancelReason
		case !e.Counts && e.Status == party.EventHeld:
			note = "到会未过半，不计为有效召开"
		}
		values := []any{i + 1, escapeCell(e.OrgName), e.Date().String(), when.Format("15:04"), escapeCell(e.TypeName), escapeCell(e.Title),
			escapeCell(e.Host), escapeCell(e.Recorder), e.Expected, e.Present, e.Leave, e.Absent,
			percent(e.Expected, e.Present), escapeCell(strings.Join(e.Topics, "\n")), escapeCell(note)}
		if e.Status == party.EventCancelled {
			for j := 8; j <= 12; j++ {
				values[j] = "—"
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(LedgerSheet, cell, &values); err != nil {
			return fmt.Errorf("row %d: %w", row, err)
		}
	}
	if len(events) > 0 {
		last := len(events) + 3
		for _, c := range []struct {
			from, to string
			style    int
		}{{"A", "A", st.center}, {"B", "B", st.wrap}, {"C", "E", st.center}, {"F", "H", st.wrap},
			{"I", "M", st.center}, {"N", "O", st.wrap}} {
			if err := f.SetCellStyle(LedgerSheet, fmt.Sprintf("%s4", c.from), fmt.Sprintf("%s%d", c.to, last), c.style); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}

// percent formats present/expected as 91.7%, or — when nobody was expected.
func percent(expected, present int) string {
	if expected == 0 {
		return "—"
	}
	return strconv.FormatFloat(100*float64(present)/float64(expected), 'f', 1, 64) + "%"
}

// complianceFixed are the leading columns of the compliance matrix.
var complianceFixed = []string{"序号", "组织编码", "组织名称", "类别"}

// detailHeaders are the columns of the compliance detail sheet.
var detailHeaders = []string{"组织编码", "组织名称", "活动类型", "要求", "应开", "已开", "缺", "待开", "召开日期", "缺的期间", "依据"}

// WriteCompliance writes the compliance matrix of r (organizations × event types, each cell
// 已开/应开 with 缺 or 待 marked) for printing, and a detail sheet with one line per
// organization and rule, dates and sources included.
func WriteCompliance(w io.Writer, r *compliance.Report) error {
	if err := writeCompliance(w, r); err != nil {
		return fmt.Errorf("office: write compliance: %w", err)
	}
	return nil
}

type matrixCell struct{ required, held, missing, pending int }

func writeCompliance(w io.Writer, r *compliance.Report) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), ComplianceSheet); err != nil {
		return err
	}
	st, err := newPrintStyles(f)
	if err != nil {
		return err
	}
	type typeCol struct {
		code party.EventTypeCode
		name string
		sort int
	}
	var types []typeCol
	seenType := map[party.EventTypeCode]bool{}
	type orgRow struct {
		code, name, kind string
		cells            map[party.EventTypeCode]*matrixCell
		missing          int
	}
	var orgs []*orgRow
	byOrg := map[int64]*orgRow{}
	for _, row := range r.Rows {
		if row.Required == 0 && row.Held == 0 {
			continue
		}
		if !seenType[row.Type] {
			seenType[row.Type] = true
			types = append(types, typeCol{row.Type, row.TypeName, row.TypeSort})
		}
		o := byOrg[row.OrgID]
		if o == nil {
			o = &orgRow{code: row.OrgCode, name: row.OrgName, kind: string(row.OrgKind), cells: map[party.EventTypeCode]*matrixCell{}}
			byOrg[row.OrgID] = o
			orgs = append(orgs, o)
		}
		c := o.cells[row.Type]
		if c == nil {
			c = &matrixCell{}
			o.cells[row.Type] = c
		}
		c.required += row.Required
		c.held += row.Held
		c.missing += row.Missing
		c.pending += row.Pending
		o.missing += row.Missing
	}
	sort.SliceStable(types, func(i, j int) bool { return types[i].sort < types[j].sort })
	headers := append([]string{}, complianceFixed...)
	widths := []float64{6, 16, 26, 10}
	for _, t := range types {
		headers = append(headers, escapeCell(t.name))
		widths = append(widths, 11)
	}
	headers = append(headers, "合计缺")
	widths = append(widths, 8)
	required, held, missing, pending := r.Totals()
	subtitle := fmt.Sprintf("统计日期：%s。格内为“已开/应开”；“缺N”为期限已过仍缺的次数（红底），“待N”为期限未到尚需召开的次数。"+
		"合计：应开%d次，已开%d次，缺%d次，待开%d次。", r.Today.Chinese(), required, held, missing, pending)
	if err := printSheet(f, ComplianceSheet, st, r.Root.Name+"组织生活落实情况（"+r.Label()+"）", subtitle, headers, widths, len(orgs)); err != nil {
		return err
	}
	if err := f.SetRowHeight(ComplianceSheet, 2, 45); err != nil {
		return err
	}
	lastCol, _ := excelize.ColumnNumberToName(len(headers))
	for i, o := range orgs {
		row := i + 4
		values := []any{i + 1, o.code, escapeCell(o.name), o.kind}
		for _, t := range types {
			c := o.cells[t.code]
			switch {
			case c == nil:
				values = append(values, "—")
			default:
				s := fmt.Sprintf("%d/%d", c.held, c.required)
				if c.missing > 0 {
					s += fmt.Sprintf(" 缺%d", c.missing)
				}
				if c.pending > 0 {
					s += fmt.Sprintf(" 待%d", c.pending)
				}
				values = append(values, s)
			}
		}
		values = append(values, o.missing)
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(ComplianceSheet, cell, &values); err != nil {
			return fmt.Errorf("row %d: %w", row, err)
		}
		if err := f.SetCellStyle(ComplianceSheet, fmt.Sprintf("A%d", row), fmt.Sprintf("%s%d", lastCol, row), st.center); err != nil {
			return err
		}
		if err := f.SetCellStyle(ComplianceSheet, fmt.Sprintf("C%d", row), fmt.Sprintf("C%d", row), st.wrap); err != nil {
			return err
		}
		for j, t := range types {
			c := o.cells[t.code]
			style := st.ok
			switch {
			case c == nil:
				continue
			case c.missing > 0:
				style = st.missing
			case c.pending > 0:
				style = st.pending
			}
			col, _ := excelize.ColumnNumberToName(len(complianceFixed) + j + 1)
			ref := fmt.Sprintf("%s%d", col, row)
			if err := f.SetCellStyle(ComplianceSheet, ref, ref, style); err != nil {
				return err
			}
		}
		if o.missing > 0 {
			ref := fmt.Sprintf("%s%d", lastCol, row)
			if err := f.SetCellStyle(ComplianceSheet, ref, ref, st.missing); err != nil {
				return err
			}
		}
	}
	if err := writeDetail(f, st, r); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// writeDetail adds the sheet with one line per organization and rule.
func writeDetail(f *excelize.File, st printStyles, r *compliance.Report) error {
	if _, err := f.NewSheet(DetailSheet); err != nil {
		return err
	}
	rows := r.PrintableRows()
	widths := []float64{16, 26, 14, 14, 6, 6, 6, 6, 36, 24, 40}
	if err := printSheet(f, DetailSheet, st, r.Root.Name+"组织生活落实明细（"+r.Label()+"）",
		"统计日期："+r.Today.Chinese()+"。年度要求按全年计算，期间未结束的计入“待开”。", detailHeaders, widths, len(rows)); err != nil {
		return err
	}
	for i, x := range rows {
		row := i + 4
		values := []any{x.OrgCode, escapeCell(x.OrgName), escapeCell(x.EventType), x.Rule, x.Required, x.Held, x.Missing, x.Pending,
			strings.Join(x.Dates, "、"), strings.Join(x.MissingPeriods, "、"), escapeCell(x.Source)}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(DetailSheet, cell, &values); err != nil {
			return fmt.Errorf("row %d: %w", row, err)
		}
	}
	if len(rows) > 0 {
		last := len(rows) + 3
		if err := f.SetCellStyle(DetailSheet, "A4", fmt.Sprintf("K%d", last), st.wrap); err != nil {
			return err
		}
		if err := f.SetCellStyle(DetailSheet, "E4", fmt.Sprintf("H%d", last), st.center); err != nil {
			return err
		}
	}
	return nil
}
