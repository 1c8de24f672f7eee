package office

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/party"
)

// TemplateRows is how many rows of the template carry the drop-down lists (rows 2 to
// TemplateRows+1).
const TemplateRows = 5000

// memberGuide explains each roster column on the template's 填写说明 sheet.
var memberGuide = map[string]string{
	"姓名":      "必填，不超过50个字。",
	"性别":      "必填，“男”或“女”（下拉选择），须与身份证号第17位一致。",
	"民族":      "必填，56个民族的全称，如“汉族”（下拉选择）。",
	"出生日期":    "必填，须与身份证号中的出生日期一致。",
	"身份证号":    "必填，18位居民身份证号码，末位可为X。本列已设为文本格式，请勿改为数字格式，否则后几位会丢失。同一身份证号已在系统中的党员将被更新，不会重复建立。",
	"手机号码":    "选填，11位大陆手机号码。",
	"学历":      "必填，" + strings.Join(party.Educations, "、") + "之一（下拉选择）。",
	"工作单位及职务": "选填，不超过200个字，如“办公室科员”。",
	"入党日期":    "必填，不得早于年满18岁之日，不得晚于今天。",
	"转正日期":    "正式党员必填，不得早于入党日期；预备党员不填。",
	"人员类别":    "必填，“正式党员”或“预备党员”（下拉选择）。",
	"所在党支部":   "必填，本组织范围内党支部的名称或组织编码（下拉选择）；同名党支部请填写组织编码。",
	"党小组":     "选填，所在党支部下党小组的名称或组织编码（下拉选择）。",
}

// memberGuideNotes are the general rules printed under the column notes.
var memberGuideNotes = []string{
	"日期可以是 Excel 日期，也可以写作文字：2019-07-01、2019/7/1、2019.07.01、2019年7月1日 或 20190701。",
	"第1行为列名，请勿修改或删除；列的顺序可以调整，但不能增加模板以外的列。",
	"每行填写一名党员，空行会被忽略；一次最多导入50000行。",
	"导入前系统会逐行检查，只要有一行有错误，整个文件都不会导入，并列出每个错误所在的行、列和原因。",
	"重复导入同一文件不会产生重复记录：身份证号相同的党员按表中内容更新，内容未变的保持不变。",
}

// WriteTemplate writes an empty roster template with drop-down lists for 性别, 民族, 学历,
// 人员类别, 所在党支部 (branches) and 党小组 (groups). A branch whose name another branch
// shares is listed by its code, so that every choice resolves on import.
func WriteTemplate(w io.Writer, branches, groups []*party.Org) error {
	if err := writeTemplate(w, branches, groups); err != nil {
		return fmt.Errorf("office: write template: %w", err)
	}
	return nil
}

func writeTemplate(w io.Writer, branches, groups []*party.Org) error {
	return writeImportTemplate(w, importTemplate{
		sheet: MemberSheet, headers: party.MemberHeaders, widths: memberWidths, text: memberTextColumns,
		guide: memberGuide, notes: memberGuideNotes,
		lists: []dropList{
			{"性别", []string{string(party.Male), string(party.Female)}, true},
			{"民族", party.Ethnicities, true},
			{"学历", party.Educations, true},
			{"人员类别", []string{string(party.Full), string(party.Probation)}, true},
			{"所在党支部", orgChoices(branches), false},
			{"党小组", groupChoices(groups), false},
		},
	})
}

// importTemplate describes an empty import workbook: the sheet with its header row, the
// 填写说明 sheet and the drop-down lists.
type importTemplate struct {
	sheet   string
	headers []string
	widths  map[string]float64
	text    map[string]bool // columns formatted as text
	guide   map[string]string
	notes   []string
	lists   []dropList
}

// dropList is the drop-down list of one column.
type dropList struct {
	header string
	values []string
	strict bool // only listed values; otherwise a warning, so a code can be typed instead
}

// writeImportTemplate writes the workbook t describes. The lists live on a hidden sheet 选项
// and are referenced by range, since a list typed into the validation itself is limited to
// 255 characters.
func writeImportTemplate(w io.Writer, t importTemplate) error {
	f, st, err := newBook(t.sheet)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := templateSheet(f, st, t); err != nil {
		return err
	}
	if err := guideSheet(f, st, t); err != nil {
		return err
	}
	if _, err := f.NewSheet(ListSheet); err != nil {
		return fmt.Errorf("list sheet: %w", err)
	}
	for i, l := range t.lists {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := f.SetCellStr(ListSheet, col+"1", l.header); err != nil {
			return fmt.Errorf("list %s: %w", l.header, err)
		}
		for j, v := range l.values {
			if err := f.SetCellStr(ListSheet, fmt.Sprintf("%s%d", col, j+2), escapeCell(v)); err != nil {
				return fmt.Errorf("list %s: %w", l.header, err)
			}
		}
		if len(l.values) == 0 {
			continue // nothing to choose yet: an empty list would reject every value
		}
		target, err := columnOf(t.headers, l.header)
		if err != nil {
			return err
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", target, target, TemplateRows+1)
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$2:$%s$%d", ListSheet, col, col, len(l.values)+1))
		if l.strict {
			dv.SetError(excelize.DataValidationErrorStyleStop, l.header+"无效", "请从下拉列表中选择"+l.header+"。")
		} else {
			dv.SetError(excelize.DataValidationErrorStyleWarning, l.header+"不在列表中", "请从下拉列表中选择，或填写组织编码。")
		}
		if err := f.AddDataValidation(t.sheet, dv); err != nil {
			return fmt.Errorf("drop-down %s: %w", l.header, err)
		}
	}
	if err := f.SetSheetVisible(ListSheet, false); err != nil {
		return fmt.Errorf("hide list sheet: %w", err)
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// templateSheet writes the header row and formats of the import sheet.
func templateSheet(f *excelize.File, st styles, t importTemplate) error {
	for i, h := range t.headers {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(t.sheet, col, col, t.widths[h]); err != nil {
			return fmt.Errorf("column width: %w", err)
		}
		if t.text[h] {
			if err := f.SetColStyle(t.sheet, col, st.text); err != nil {
				return fmt.Errorf("column style: %w", err)
			}
		}
		if err := f.SetCellStr(t.sheet, col+"1", h); err != nil {
			return fmt.Errorf("header: %w", err)
		}
	}
	last, err := excelize.ColumnNumberToName(len(t.headers))
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(t.sheet, "A1", last+"1", st.header); err != nil {
		return fmt.Errorf("header style: %w", err)
	}
	if err := f.SetRowHeight(t.sheet, 1, 20); err != nil {
		return fmt.Errorf("header height: %w", err)
	}
	if err := f.SetPanes(t.sheet, frozenHeader()); err != nil {
		return fmt.Errorf("freeze header: %w", err)
	}
	return nil
}

// guideSheet writes the 填写说明 sheet: one line per column, then the general rules.
func guideSheet(f *excelize.File, st styles, t importTemplate) error {
	if _, err := f.NewSheet(GuideSheet); err != nil {
		return fmt.Errorf("guide sheet: %w", err)
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("guide style: %w", err)
	}
	rows := [][2]string{{"列名", "填写要求"}}
	for _, h := range t.headers {
		rows = append(rows, [2]string{h, t.guide[h]})
	}
	rows = append(rows, [2]string{"", ""}, [2]string{"说明", ""})
	for i, n := range t.notes {
		rows = append(rows, [2]string{fmt.Sprintf("%d", i+1), n})
	}
	for i, r := range rows {
		if err := f.SetSheetRow(GuideSheet, fmt.Sprintf("A%d", i+1), &[]string{r[0], r[1]}); err != nil {
			return fmt.Errorf("guide row: %w", err)
		}
	}
	if err := f.SetColWidth(GuideSheet, "A", "A", 16); err != nil {
		return fmt.Errorf("guide width: %w", err)
	}
	if err := f.SetColWidth(GuideSheet, "B", "B", 90); err != nil {
		return fmt.Errorf("guide width: %w", err)
	}
	if err := f.SetCellStyle(GuideSheet, "B2", fmt.Sprintf("B%d", len(rows)), wrap); err != nil {
		return fmt.Errorf("guide style: %w", err)
	}
	if err := f.SetCellStyle(GuideSheet, "A1", "B1", st.header); err != nil {
		return fmt.Errorf("guide style: %w", err)
	}
	notes := fmt.Sprintf("A%d", len(t.headers)+3)
	return f.SetCellStyle(GuideSheet, notes, notes, st.header)
}

// columnOf returns the letter of a header's column among headers.
func columnOf(headers []string, header string) (string, error) {
	for i, h := range headers {
		if h == header {
			return excelize.ColumnNumberToName(i + 1)
		}
	}
	return "", fmt.Errorf("no column %s", header)
}

// orgChoices lists each organization by name, or by code where two share the name.
func orgChoices(branches []*party.Org) []string {
	count := map[string]int{}
	for _, b := range branches {
		count[b.Name]++
	}
	out := make([]string, 0, len(branches))
	for _, b := range branches {
		if count[b.Name] > 1 {
			out = append(out, b.Code)
		} else {
			out = append(out, b.Name)
		}
	}
	return out
}

// groupChoices lists the distinct group names; a group is resolved within its branch, so
// groups of different branches may share a name.
func groupChoices(groups []*party.Org) []string {
	seen := map[string]bool{}
	var out []string
	for _, g := range groups {
		if !seen[g.Name] {
			seen[g.Name] = true
			out = append(out, g.Name)
		}
	}
	return out
}
