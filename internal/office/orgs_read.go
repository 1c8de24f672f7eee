package office

import (
	"io"

	"dangjian/internal/party"
)

// orgFieldColumn maps an Org field name (as in FieldErrorf) to its column in the org sheet.
var orgFieldColumn = map[string]string{"name": "组织名称", "kind": "组织类别", "parent_id": "上级组织",
	"code": "组织编码", "start_on": "成立日期", "end_on": "成立日期"}

// ParseOrgs reads an organization workbook with headers 组织名称 组织类别 上级组织 组织编码 成立日期.
//
// rows holds only the rows without any problem; every bad cell is listed. Parents are
// resolved later, by the store.
func ParseOrgs(r io.Reader) ([]party.OrgRow, []party.RowError, error) {
	p, err := parseOrgs(r)
	if err != nil {
		return nil, nil, err
	}
	rows := make([]party.OrgRow, 0, len(p.rows))
	for _, row := range p.rows {
		if !p.bad[row.Row] {
			rows = append(rows, row)
		}
	}
	return rows, p.errs, nil
}

// parsedOrgs is what parseOrgs found in an organization sheet.
type parsedOrgs struct {
	rows []party.OrgRow   // every row whose cells could all be read
	bad  map[int]bool     // rows among them that fail a whole-row check
	errs []party.RowError // sorted
	// refs maps the name and the code written on every data row to the first such row, so
	// that a row naming a bad row as its parent can be told why the parent is missing.
	refs map[string]int
}

func parseOrgs(r io.Reader) (*parsedOrgs, error) {
	p := &parsedOrgs{bad: map[int]bool{}, refs: map[string]int{}}
	seen := map[string]int{}
	errs, err := readTable(r, party.OrgHeaders, func(rec *record) {
		for _, ref := range []string{rec.text("组织名称"), party.NormalizeCode(rec.text("组织编码"))} {
			if _, ok := p.refs[ref]; !ok && ref != "" {
				p.refs[ref] = rec.row
			}
		}
		o := party.Org{Name: rec.required("组织名称"), Code: party.NormalizeCode(rec.required("组织编码"))}
		if k := party.OrgKind(rec.required("组织类别")); k != "" {
			if k.Valid() {
				o.Kind = k
			} else {
				rec.fail("组织类别", "“%s”无效，应为党委、党组、党总支、党支部、党小组或临时党支部", k)
			}
		}
		parent := rec.text("上级组织")
		o.FoundedOn = rec.date("成立日期", false)
		if o.Kind == party.KindTempBranch && rec.text("成立日期") == "" {
			rec.fail("成立日期", "临时党支部须填写成立日期（即开始日期）")
		}
		if rec.bad {
			return
		}
		if prev, dup := seen[o.Code]; dup {
			rec.fail("组织编码", "与第%d行重复", prev)
		} else {
			seen[o.Code] = rec.row
		}
		if o.Kind == party.KindTempBranch {
			o.StartOn = o.FoundedOn
		}
		if err := o.Validate(); err != nil {
			rec.fail(orgFieldColumn[party.ErrorField(err)], "%s", party.ErrorMessage(err))
		}
		p.bad[rec.row] = rec.bad
		p.rows = append(p.rows, party.OrgRow{Row: rec.row, Name: o.Name, Kind: o.Kind, Parent: parent, Code: o.Code, FoundedOn: o.FoundedOn})
	})
	if err != nil {
		return nil, err
	}
	p.errs = sortErrors(party.OrgHeaders, errs)
	return p, nil
}
