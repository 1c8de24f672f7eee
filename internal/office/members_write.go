package office

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/party"
)

// memberWidths are the roster's column widths, in characters, by header.
var memberWidths = map[string]float64{"姓名": 10, "性别": 6, "民族": 10, "出生日期": 12, "身份证号": 22,
	"手机号码": 14, "学历": 12, "工作单位及职务": 30, "入党日期": 12, "转正日期": 12, "人员类别": 10,
	"所在党支部": 24, "党小组": 14}

// memberTextColumns are the roster columns that must stay text: an 18-digit ID number typed
// into a number cell loses its last digits.
var memberTextColumns = map[string]bool{"身份证号": true, "手机号码": true}

// WriteMembers writes members as a roster workbook in the import template's layout; ID and
// phone numbers are masked unless unmasked is true.
func WriteMembers(w io.Writer, members []*party.Member, unmasked bool) error {
	l := layout{sheet: MemberSheet, headers: party.MemberHeaders, widths: memberWidths, text: memberTextColumns}
	err := writeGrid(w, l, len(members), func(i int) []string {
		m := members[i]
		id, phone := m.IDNumber.Masked(), m.Phone.Masked()
		if unmasked {
			id, phone = m.IDNumber.Reveal(), m.Phone.Reveal()
		}
		return []string{m.Name, string(m.Gender), m.Ethnicity, m.BirthDate.String(), id, phone, m.Education,
			m.UnitPost, m.JoinedOn.String(), m.FullOn.String(), string(m.Category), m.OrgName, m.GroupName}
	})
	if err != nil {
		return fmt.Errorf("office: write members: %w", err)
	}
	return nil
}

// layout describes a one-sheet table: its headers, column widths and text columns.
type layout struct {
	sheet   string
	headers []string
	widths  map[string]float64
	text    map[string]bool
}

// styles are the cell styles every sheet shares.
type styles struct {
	header int // bold, shaded, centred
	text   int // number format "@": what is typed stays text
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	s.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		NumFmt:    49,
	})
	if err != nil {
		return s, fmt.Errorf("header style: %w", err)
	}
	s.text, err = f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return s, fmt.Errorf("text style: %w", err)
	}
	return s, nil
}

// newBook returns a workbook whose only sheet is named sheet, with the shared styles.
func newBook(sheet string) (*excelize.File, styles, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		f.Close()
		return nil, styles{}, fmt.Errorf("name sheet: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		f.Close()
		return nil, styles{}, err
	}
	return f, st, nil
}

// writeGrid streams a workbook of one sheet: a bold, frozen header row, then n rows of text
// given by row(i) in header order, each value escaped against formula injection. Text
// columns are formatted as text, values included.
func writeGrid(w io.Writer, l layout, n int, row func(i int) []string) error {
	f, st, err := newBook(l.sheet)
	if err != nil {
		return err
	}
	defer f.Close()
	sw, err := f.NewStreamWriter(l.sheet)
	if err != nil {
		return fmt.Errorf("stream: %w", err)
	}
	header := make([]any, len(l.headers))
	for i, h := range l.headers {
		if err := sw.SetColWidth(i+1, i+1, l.widths[h]); err != nil {
			return fmt.Errorf("column width: %w", err)
		}
		if l.text[h] {
			if err := sw.SetColStyle(i+1, i+1, st.text); err != nil {
				return fmt.Errorf("column style: %w", err)
			}
		}
		header[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return fmt.Errorf("freeze header: %w", err)
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 20}); err != nil {
		return fmt.Errorf("header row: %w", err)
	}
	cells := make([]any, len(l.headers))
	for i := 0; i < n; i++ {
		for j, v := range row(i) {
			if v == "" {
				cells[j] = nil // an absent cell: a text column's style still applies
				continue
			}
			c := excelize.Cell{Value: escapeCell(v)}
			if l.text[l.headers[j]] {
				c.StyleID = st.text
			}
			cells[j] = c
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("row %d: %w", i+2, err)
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return fmt.Errorf("row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// frozenHeader keeps row 1 in view while scrolling.
func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
}
