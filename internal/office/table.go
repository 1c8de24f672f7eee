package office

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/party"
)

// record is one data row of an imported sheet; its methods read cells by header and note
// every problem found as a RowError.
type record struct {
	row      int
	cells    []string
	index    map[string]int
	date1904 bool
	errs     *[]party.RowError
	bad      bool
}

// text returns the cleaned value under header, "" when empty.
func (r *record) text(header string) string {
	i, ok := r.index[header]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}

// fail notes a problem in the cell under header ("" for the whole row).
func (r *record) fail(header, format string, args ...any) {
	r.bad = true
	*r.errs = append(*r.errs, party.RowError{Row: r.row, Column: header, Message: fmt.Sprintf(format, args...)})
}

// required returns the value under header, noting an error when it is empty.
func (r *record) required(header string) string {
	v := r.text(header)
	if v == "" {
		r.fail(header, "不能为空")
	}
	return v
}

// date reads a date cell: an Excel date (a serial number) or text party.ParseDate accepts.
func (r *record) date(header string, required bool) party.Date {
	v := r.text(header)
	if v == "" {
		if required {
			r.fail(header, "不能为空")
		}
		return party.Date{}
	}
	d, err := parseDateCell(v, r.date1904)
	if err != nil {
		r.fail(header, "%s", party.ErrorMessage(err))
	}
	return d
}

// maxSerial is the Excel serial number of 9999-12-31, the last day a workbook can hold.
const maxSerial = 2958465

// parseDateCell reads an Excel serial number, an ISO 8601 date-time (cells of type "d") or a
// date written as text.
func parseDateCell(s string, date1904 bool) (party.Date, error) {
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10] // 2019-07-01T00:00:00Z, from a cell of type "d"
	}
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.Contains(s[i:], ":") {
		s = strings.TrimSpace(s[:i]) // 2019-07-01 00:00:00, from other systems' exports
	}
	if isSerial(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && f >= 1 && f <= maxSerial {
			if t, err := excelize.ExcelDateToTime(f, date1904); err == nil {
				if d := party.DateOf(t); d.Year >= 1900 && d.Year <= 2200 {
					return d, nil
				}
			}
		}
		return party.Date{}, party.Errorf(party.EINVALID, "“%s”不是有效日期，应写作 2019-07-01 或 2019年7月1日", s)
	}
	return party.ParseDate(s)
}

// isSerial reports whether s looks like an Excel date serial: digits with an optional
// fraction, but not eight digits, which party.ParseDate reads as 20190701.
func isSerial(s string) bool {
	if s == "" || len(s) > 20 || (len(s) == 8 && !strings.Contains(s, ".")) {
		return false
	}
	dot := false
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return true
}

// readTable opens the workbook in r and reads its first sheet: row 1 must hold exactly
// headers (in any order), and fn is called with every non-blank row after it. Problems with
// the header row, and any cell fn rejects, are returned as RowErrors; err reports a file that
// cannot be read at all.
func readTable(r io.Reader, headers []string, fn func(rec *record)) (errs []party.RowError, err error) {
	f, err := openWorkbook(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	var date1904 bool
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	rows, err := safeRows(f, sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	rowNum := 0
	var index map[string]int
	sheetHeaders := map[int]string{} // column index -> header as written, "" when blank
	unnamed := map[int]bool{}        // blank-header columns already reported
	data := 0
	for {
		ok, cells, err := safeNext(rows)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		rowNum++
		blank := true
		for i, c := range cells {
			cells[i] = cleanCell(c)
			if cells[i] != "" {
				blank = false
			}
		}
		if rowNum == 1 {
			var stop bool
			index, stop = checkHeaders(cells, headers, sheetHeaders, &errs)
			if stop {
				return errs, nil
			}
			continue
		}
		if blank {
			continue
		}
		if data++; data > MaxDataRows {
			return nil, party.Errorf(party.EINVALID, "文件的数据超过%d行（第%d行已超出），请拆分为多个文件分批导入", MaxDataRows, rowNum)
		}
		for i, c := range cells {
			if c != "" && sheetHeaders[i] == "" && !unnamed[i] {
				unnamed[i] = true
				col, _ := excelize.ColumnNumberToName(i + 1)
				errs = append(errs, party.RowError{Row: rowNum, Message: fmt.Sprintf("第%s列有内容但没有列名，请删除该列的内容或改用模板中的列名", col)})
			}
		}
		fn(&record{row: rowNum, cells: cells, index: index, date1904: date1904, errs: &errs})
	}
	if rowNum == 0 {
		errs = append(errs, party.RowError{Row: 1, Message: "第一个工作表是空的，第1行应为列名：" + strings.Join(headers, "、")})
	}
	return errs, nil
}

// checkHeaders reads the header row into sheetHeaders and returns the column of each expected
// header. It notes missing, duplicate and unknown columns; stop is true when the rows below
// cannot be read (a header is missing or repeated).
func checkHeaders(cells, headers []string, sheetHeaders map[int]string, errs *[]party.RowError) (index map[string]int, stop bool) {
	want := make(map[string]bool, len(headers))
	for _, h := range headers {
		want[h] = true
	}
	index = make(map[string]int, len(headers))
	empty := true
	for i, h := range cells {
		if h == "" {
			continue
		}
		empty = false
		sheetHeaders[i] = h
		col, _ := excelize.ColumnNumberToName(i + 1)
		switch prev, dup := index[h]; {
		case !want[h]:
			*errs = append(*errs, party.RowError{Row: 1, Column: h, Message: fmt.Sprintf("第%s列的列名无法识别，模板的列为：%s", col, strings.Join(headers, "、"))})
		case dup:
			prevCol, _ := excelize.ColumnNumberToName(prev + 1)
			*errs = append(*errs, party.RowError{Row: 1, Column: h, Message: fmt.Sprintf("列名重复（第%s列和第%s列），请只保留一列", prevCol, col)})
			stop = true
		default:
			index[h] = i
		}
	}
	if empty {
		*errs = append(*errs, party.RowError{Row: 1, Message: "第1行应为列名：" + strings.Join(headers, "、")})
		return index, true
	}
	for _, h := range headers {
		if _, ok := index[h]; !ok {
			*errs = append(*errs, party.RowError{Row: 1, Column: h, Message: "缺少该列，第1行的列名须与模板一致（可以为空的列也要保留列名）"})
			stop = true
		}
	}
	return index, stop
}

// safeRows and safeNext call excelize's streaming reader, turning a panic on a malformed file
// into the "not an xlsx file" error; our own code stays outside the recover so that a bug in
// it still surfaces in tests and fuzzing.
func safeRows(f *excelize.File, sheet string) (rows *excelize.Rows, err error) {
	defer func() {
		if p := recover(); p != nil {
			rows, err = nil, fmt.Errorf("office: read sheet: %v: %w", p, party.Errorf(party.EINVALID, notXLSX))
		}
	}()
	rows, err = f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("office: read sheet: %v: %w", err, party.Errorf(party.EINVALID, notXLSX))
	}
	return rows, nil
}

func safeNext(rows *excelize.Rows) (ok bool, cells []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			ok, cells, err = false, nil, fmt.Errorf("office: read row: %v: %w", p, party.Errorf(party.EINVALID, notXLSX))
		}
	}()
	if !rows.Next() {
		if err := rows.Error(); err != nil {
			return false, nil, fmt.Errorf("office: read row: %v: %w", err, party.Errorf(party.EINVALID, notXLSX))
		}
		return false, nil, nil
	}
	cells, err = rows.Columns()
	if err != nil {
		return false, nil, fmt.Errorf("office: read row: %v: %w", err, party.Errorf(party.EINVALID, notXLSX))
	}
	return true, cells, nil
}
