// Package office reads and writes the spreadsheets offices use: the roster (党员名册) and the
// organization sheet, with row-by-row errors in Chinese.
package office

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/party"
)

// Sheet names of the workbooks this package writes.
const (
	MemberSheet = "党员名册"
	OrgSheet    = "组织机构"
	GuideSheet  = "填写说明"
	ListSheet   = "选项"
)

// Limits on imported workbooks.
const (
	// MaxDataRows is the largest number of non-blank data rows one import accepts.
	MaxDataRows = 50000
	// MaxFileBytes is the largest workbook file accepted.
	MaxFileBytes = 64 << 20
	// maxUnzipBytes bounds the unpacked size of a workbook (a defence against zip bombs);
	// worksheets above excelize's 16 MB default are streamed from a temporary file.
	maxUnzipBytes = 256 << 20
)

// notXLSX is the message for anything that cannot be opened as an xlsx workbook.
const notXLSX = "文件不是有效的 Excel（.xlsx）文件"

// openWorkbook reads r (at most MaxFileBytes) and opens it as an xlsx workbook with raw cell
// values, so dates arrive as serial numbers and numbers as stored.
func openWorkbook(r io.Reader) (f *excelize.File, err error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("office: read workbook: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, party.Errorf(party.EINVALID, "文件超过%dMB，请拆分后分批导入", MaxFileBytes>>20)
	}
	// excelize parses untrusted bytes; a panic inside it must not take the server down.
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("office: open workbook: %v: %w", p, party.Errorf(party.EINVALID, notXLSX))
		}
	}()
	f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnzipBytes})
	if err != nil {
		return nil, fmt.Errorf("office: open workbook: %v: %w", err, party.Errorf(party.EINVALID, notXLSX))
	}
	if len(f.GetSheetList()) == 0 {
		f.Close()
		return nil, fmt.Errorf("office: open workbook: no sheets: %w", party.Errorf(party.EINVALID, notXLSX))
	}
	return f, nil
}

// sortErrors orders errs by row, then by the column's position in headers (whole-row errors
// first, unknown columns last), and drops exact duplicates.
func sortErrors(headers []string, errs []party.RowError) []party.RowError {
	pos := make(map[string]int, len(headers))
	for i, h := range headers {
		pos[h] = i + 1
	}
	colPos := func(c string) int {
		if c == "" {
			return 0
		}
		if p, ok := pos[c]; ok {
			return p
		}
		return len(headers) + 1
	}
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Row != errs[j].Row {
			return errs[i].Row < errs[j].Row
		}
		return colPos(errs[i].Column) < colPos(errs[j].Column)
	})
	seen := make(map[party.RowError]bool, len(errs))
	out := errs[:0]
	for _, e := range errs {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}
