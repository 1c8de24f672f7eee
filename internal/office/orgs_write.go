package office

import (
	"fmt"
	"io"

	"dangjian/internal/party"
)

// orgWidths are the organization sheet's column widths, in characters, by header.
var orgWidths = map[string]float64{"组织名称": 30, "组织类别": 12, "上级组织": 30, "组织编码": 16, "成立日期": 12}

// WriteOrgs writes orgs as an organization workbook in the layout ParseOrgs reads, so a tree
// can be exported and imported elsewhere. 上级组织 holds parentNames[o.ParentID] (a name, or
// better a code, which is never ambiguous); a parent missing from the map leaves it empty, so
// the row goes under the import's default parent. Parents must come before their children,
// as store.ListOrgs orders them.
func WriteOrgs(w io.Writer, orgs []*party.Org, parentNames map[int64]string) error {
	l := layout{sheet: OrgSheet, headers: party.OrgHeaders, widths: orgWidths, text: map[string]bool{"组织编码": true}}
	err := writeGrid(w, l, len(orgs), func(i int) []string {
		o := orgs[i]
		founded := o.FoundedOn
		if founded.IsZero() && o.Kind == party.KindTempBranch {
			founded = o.StartOn
		}
		return []string{o.Name, string(o.Kind), parentNames[o.ParentID], o.Code, founded.String()}
	})
	if err != nil {
		return fmt.Errorf("office: write orgs: %w", err)
	}
	return nil
}
