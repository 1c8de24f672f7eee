package party

import "fmt"

// RowError says what is wrong in one cell (or row) of an imported sheet.
type RowError struct {
	Row     int    `json:"row"`    // 1-based sheet row, as Excel shows it
	Column  string `json:"column"` // the column header, "" for the whole row
	Message string `json:"message"`
}

// String formats the error as users read it: 第17行【身份证号】…
func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("第%d行：%s", e.Row, e.Message)
	}
	return fmt.Sprintf("第%d行【%s】：%s", e.Row, e.Column, e.Message)
}

// MemberHeaders are the columns of the roster template, in template order.
var MemberHeaders = []string{"姓名", "性别", "民族", "出生日期", "身份证号", "手机号码", "学历", "工作单位及职务",
	"入党日期", "转正日期", "人员类别", "所在党支部", "党小组"}

// MemberFieldColumn maps a Member field name (as in FieldErrorf) to its roster column.
var MemberFieldColumn = map[string]string{
	"name": "姓名", "gender": "性别", "ethnicity": "民族", "birth_date": "出生日期", "id_number": "身份证号",
	"phone": "手机号码", "education": "学历", "unit_post": "工作单位及职务", "joined_on": "入党日期",
	"full_on": "转正日期", "category": "人员类别", "org_id": "所在党支部", "group_id": "党小组",
}

// OrgHeaders are the columns of the organization import sheet.
var OrgHeaders = []string{"组织名称", "组织类别", "上级组织", "组织编码", "成立日期"}

// MemberRow is one parsed roster row: the member, and its branch and party group as written
// (a name or a code), resolved against the tree at import time.
type MemberRow struct {
	Row    int
	Member Member
	Branch string
	Group  string
}

// OrgRow is one parsed organization row.
type OrgRow struct {
	Row       int
	Name      string
	Kind      OrgKind
	Parent    string // name or code of an existing organization or an earlier row; "" for the default
	Code      string
	FoundedOn Date
}

// ImportResult counts what an import did (or would do, in a dry run) and lists every bad row.
type ImportResult struct {
	Created   int        `json:"created"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Errors    []RowError `json:"errors,omitempty"`
	DryRun    bool       `json:"dry_run"`
}
