// Package office reads and writes the spreadsheets offices use: the roster (党员名册) and the
// organization sheet, with row-by-row errors in Chinese.
package office

import (
	"io"

	"dangjian/internal/party"
)

// ParseMembers reads a roster workbook (first sheet, headers in row 1, in any order) and
// returns its rows, or every problem found, each with its row and column.
func ParseMembers(r io.Reader, today party.Date) ([]party.MemberRow, []party.RowError, error) {
	panic("office.ParseMembers: being written")
}

// ParseOrgs reads an organization workbook with headers 组织名称 组织类别 上级组织 组织编码 成立日期.
func ParseOrgs(r io.Reader) ([]party.OrgRow, []party.RowError, error) {
	panic("office.ParseOrgs: being written")
}

// WriteMembers writes members as a roster workbook in the import template's layout; ID and
// phone numbers are masked unless unmasked is true.
func WriteMembers(w io.Writer, members []*party.Member, unmasked bool) error {
	panic("office.WriteMembers: being written")
}

// WriteTemplate writes an empty roster template with drop-down lists for 性别, 民族, 学历,
// 人员类别, 所在党支部 (branches) and 党小组 (groups).
func WriteTemplate(w io.Writer, branches, groups []*party.Org) error {
	panic("office.WriteTemplate: being written")
}
