package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"dangjian/internal/compliance"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// maxMatrixOrgs is the largest subtree whose compliance matrix lists every organization; a
// bigger one (a city has 14,000) shows its direct children, each summing its subtree, with a
// link down.
const maxMatrixOrgs = 300

// periodChoice is the period chooser of the compliance, study and ledger pages: the period
// shown, the options grouped by year, and the error of a bad ?period=.
type periodChoice struct {
	Period party.Period
	Value  string
	Label  string
	Groups []periodGroup
	Error  string
}

// periodGroup is one year's periods in the chooser.
type periodGroup struct {
	Label   string
	Options []option
}

// periodParam reads ?period= (default: the current half-year); a bad value leaves the error
// on the choice, in Chinese, with the default period chosen.
func (s *Server) periodParam(r *http.Request) periodChoice {
	today := s.today()
	c := periodChoice{Period: party.PeriodOf(party.HalfYear, today)}
	if v := strings.TrimSpace(r.URL.Query().Get("period")); v != "" {
		p, err := party.ParsePeriod(v)
		if err != nil {
			c.Error = party.ErrorMessage(err)
		} else {
			c.Period = p
		}
	}
	c.Value, c.Label = c.Period.String(), c.Period.Chinese()
	years := []int{today.Year, today.Year - 1}
	if c.Period.Year != today.Year && c.Period.Year != today.Year-1 {
		years = append(years, c.Period.Year)
	}
	for _, y := range years {
		g := periodGroup{Label: fmt.Sprintf("%d年", y)}
		add := func(p party.Period) {
			g.Options = append(g.Options, option{Value: p.String(), Label: p.Chinese(), Selected: p == c.Period})
		}
		add(party.Period{Unit: party.Yearly, Year: y, N: 1})
		for n := 1; n <= 2; n++ {
			add(party.Period{Unit: party.HalfYear, Year: y, N: n})
		}
		for n := 1; n <= 4; n++ {
			add(party.Period{Unit: party.Quarterly, Year: y, N: n})
		}
		for n := 1; n <= 12; n++ {
			add(party.Period{Unit: party.Monthly, Year: y, N: n})
		}
		c.Groups = append(c.Groups, g)
	}
	return c
}

// withPeriod returns base with ?period=p.
func withPeriod(base string, p party.Period, extra ...string) string {
	v := url.Values{"period": {p.String()}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return base + "?" + v.Encode()
}

// complianceRoots returns the top organizations of the subtrees in which the user may see
// compliance: every top-level organization for a grant on the whole installation.
func (s *Server) complianceRoots(ctx context.Context) ([]*party.Org, error) {
	everywhere, ids := party.PrincipalFrom(ctx).Scopes(party.ActComplianceRead)
	if everywhere {
		return s.db.RootOrgs(ctx, false)
	}
	var out []*party.Org
	for _, id := range ids {
		o, err := s.db.FindOrg(ctx, id)
		if err != nil {
			return nil, err
		}
		if !o.Dissolved() {
			out = append(out, o)
		}
	}
	return out, nil
}

// complianceHome sends the user to the compliance matrix of the subtree they may see, or lists
// their subtrees when there are several.
func (s *Server) complianceHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	roots, err := s.complianceRoots(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pc := s.periodParam(r)
	if len(roots) == 1 && pc.Error == "" {
		http.Redirect(w, r, withPeriod(orgURL(roots[0].ID)+"/compliance", pc.Period), http.StatusSeeOther)
		return
	}
	p, err := s.orgPageBase(ctx, nil, "合规检查", crumb{Label: "合规检查"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var links []crumb
	for _, o := range roots {
		links = append(links, crumb{Label: o.Name, URL: withPeriod(orgURL(o.ID)+"/compliance", pc.Period)})
	}
	status := http.StatusOK
	if pc.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "compliance", "layout", compliancePage{page: p, Choice: pc, Roots: links, Action: "/compliance"})
}

// compliancePage is the compliance matrix of one subtree over one period.
type compliancePage struct {
	page
	Org    *party.Org
	Choice periodChoice
	Action string
	// Roots lists the user's subtrees on /compliance when there are several.
	Roots []crumb
	// Report is nil when the period was bad.
	Report  *compliance.Report
	Columns []matrixColumn
	Rows    []matrixRow
	Totals  []matrixCell
	// Aggregated is true when the rows are the direct children summing their subtrees.
	Aggregated bool
	OrgCount   int
	Required   int
	Held       int
	Missing    int
	Pending    int
	// Counted is Held less what was held beyond a period's requirement (Counted + Missing +
	// Pending = Required).
	Counted int
	// Links to the other views of the same subtree and period.
	ExportURL, LedgerURL, StudyURL, ImportURL string
}

// matrixColumn is one event type of the matrix.
type matrixColumn struct {
	Type party.EventTypeCode
	Name string
}

// matrixRow is one organization of the matrix (or a child summing its subtree).
type matrixRow struct {
	Org    *party.Org
	Indent int
	URL    string
	// Orgs is how many organizations an aggregated row sums; Gaps how many of them lack events.
	Orgs, Gaps int
	Missing    int
	Cells      []matrixCell
}

// matrixCell is required vs held for one organization and event type.
type matrixCell struct {
	Applies                          bool
	Required, Held, Missing, Pending int
	URL                              string
}

// Class returns the cell's CSS class: red where events are missing, grey where nothing is
// required or periods are still open.
func (c matrixCell) Class() string {
	switch {
	case !c.Applies:
		return "cell-na"
	case c.Missing > 0:
		return "cell-missing"
	case c.Pending > 0:
		return "cell-pending"
	case c.Required == 0:
		return "cell-na"
	}
	return "cell-ok"
}

// Mark returns the text mark of the cell's state, so the meaning never rests on colour.
func (c matrixCell) Mark() string {
	switch {
	case !c.Applies:
		return ""
	case c.Missing > 0:
		return "缺" + strconv.Itoa(c.Missing)
	case c.Pending > 0:
		return "待" + strconv.Itoa(c.Pending)
	case c.Required == 0:
		return "不要求"
	}
	return "达标"
}

func (c *matrixCell) add(row party.ComplianceRow) {
	c.Applies = true
	c.Required += row.Required
	c.Held += row.Held
	c.Missing += row.Missing
	c.Pending += row.Pending
}

// complianceMatrix shows the compliance matrix of organization {id} over ?period=.
func (s *Server) complianceMatrix(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	pc := s.periodParam(r)
	p, err := s.orgPageBase(ctx, o, o.Name+"组织生活落实情况", crumb{Label: "合规检查"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	base := orgURL(o.ID)
	data := compliancePage{page: p, Org: o, Choice: pc, Action: base + "/compliance"}
	if pc.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "compliance", "layout", data)
		return
	}
	rep, err := compliance.ForPeriod(ctx, s.db, o.ID, pc.Period, s.today())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orgs, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: o.ID, IncludeDissolved: true})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Report = rep
	data.Required, data.Held, data.Missing, data.Pending = rep.Totals()
	data.Counted = rep.Counted()
	data.OrgCount = len(orgs)
	data.ExportURL = withPeriod(base+"/compliance.xlsx", pc.Period)
	data.LedgerURL = withPeriod(base+"/ledger.xlsx", pc.Period)
	data.StudyURL = withPeriod(base+"/study", pc.Period)
	if !o.Dissolved() && can(ctx, party.ActEventWrite, party.Target{OrgPath: o.Path}) {
		data.ImportURL = base + "/events/import"
	}
	buildMatrix(&data, rep, orgs, len(orgs) > maxMatrixOrgs)
	s.render(w, r, http.StatusOK, "compliance", "layout", data)
}

// buildMatrix lays the report's rows out as organizations × event types; aggregated, the
// root keeps its own row and each direct child sums its subtree.
func buildMatrix(data *compliancePage, rep *compliance.Report, orgs []*party.Org, aggregated bool) {
	root := data.Org
	col := map[party.EventTypeCode]int{}
	sortKey := map[party.EventTypeCode]int{}
	for _, row := range rep.Rows {
		if _, ok := col[row.Type]; !ok {
			col[row.Type] = len(data.Columns)
			sortKey[row.Type] = row.TypeSort
			data.Columns = append(data.Columns, matrixColumn{Type: row.Type, Name: row.TypeName})
		}
	}
	// Columns in the catalogue's order.
	cols := data.Columns
	sort.SliceStable(cols, func(i, j int) bool {
		a, b := cols[i].Type, cols[j].Type
		return sortKey[a] < sortKey[b] || sortKey[a] == sortKey[b] && a < b
	})
	for i, c := range cols {
		col[c.Type] = i
	}
	// owner maps each organization to the matrix row it belongs to.
	owner := map[int64]int64{}
	if aggregated {
		for _, x := range orgs {
			owner[x.ID] = aggregateOwner(root, x)
		}
	} else {
		for _, x := range orgs {
			owner[x.ID] = x.ID
		}
	}
	rows := map[int64]*matrixRow{}
	gaps := map[int64]map[int64]bool{}
	var order []int64
	for _, x := range orgs {
		if owner[x.ID] != x.ID {
			continue
		}
		rows[x.ID] = &matrixRow{Org: x, Indent: x.Depth - root.Depth, Cells: make([]matrixCell, len(cols))}
		gaps[x.ID] = map[int64]bool{}
		order = append(order, x.ID)
	}
	period := rep.Period
	data.Totals = make([]matrixCell, len(cols))
	seen := map[int64]bool{}
	for _, row := range rep.Rows {
		id, ok := owner[row.OrgID]
		if !ok {
			continue
		}
		mr := rows[id]
		i := col[row.Type]
		mr.Cells[i].add(row)
		data.Totals[i].add(row)
		mr.Missing += row.Missing
		seen[id] = true
		if row.Missing > 0 {
			gaps[id][row.OrgID] = true
		}
		if mr.Cells[i].URL == "" {
			if aggregated && id != root.ID {
				mr.Cells[i].URL = withPeriod(orgURL(id)+"/compliance", period)
			} else {
				mr.Cells[i].URL = withPeriod(orgURL(row.OrgID)+"/compliance/detail", period, "rule", strconv.FormatInt(row.RuleID, 10))
			}
		}
	}
	if aggregated {
		for _, x := range orgs {
			if r, ok := rows[owner[x.ID]]; ok && owner[x.ID] != root.ID {
				r.Orgs++
			}
		}
	}
	for _, id := range order {
		mr := rows[id]
		// An organization that owes nothing and held nothing under any rule is left out.
		if !seen[id] && !(aggregated && id != root.ID) {
			continue
		}
		mr.Gaps = len(gaps[id])
		if id != root.ID {
			mr.URL = withPeriod(orgURL(id)+"/compliance", period)
		}
		data.Rows = append(data.Rows, *mr)
	}
	data.Aggregated = aggregated
}

// aggregateOwner returns the row an organization of root's subtree sums into when the matrix
// shows only the direct children: root itself, or the child whose subtree holds it.
func aggregateOwner(root, x *party.Org) int64 {
	if x.ID == root.ID {
		return root.ID
	}
	rest := strings.TrimPrefix(x.Path, root.Path)
	first, _, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(first, 10, 64)
	if err != nil {
		return root.ID
	}
	return id
}

// complianceDetailPage is one cell of the matrix: an organization under the rules of one
// event type over a period, with the events counted and the periods missing.
type complianceDetailPage struct {
	page
	Org      *party.Org
	Choice   periodChoice
	Action   string
	RuleID   int64
	Rule     *party.Rule
	TypeName string
	Rows     []party.ComplianceRow
	Slots    []detailSlot
	Events   []*party.Event
	Missing  []detailSlot
	NewURL   string
	BackURL  string
	Applies  bool
}

// detailSlot is one rule period of the cell.
type detailSlot struct {
	Label    string
	From, To party.Date
	Required int
	Held     int
	State    string
	Class    string
	Dates    []party.Date
}

// slotState names a slot's state in Chinese, with its CSS class.
func slotState(s party.SlotState) (string, string) {
	switch s {
	case party.SlotOK:
		return "达标", "cell-ok"
	case party.SlotMissing:
		return "缺", "cell-missing"
	case party.SlotPending:
		return "待开（期间未结束）", "cell-pending"
	}
	return "不要求（本期存续或规则生效不足一半）", "cell-na"
}

// complianceDetail shows one cell of the matrix: organization {id}, the event type of rule
// ?rule=, over ?period=.
func (s *Server) complianceDetail(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ruleID, ok := parseID(r.URL.Query().Get("rule"))
	if !ok {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "无法显示明细", "请从合规检查表中选择要查看的单元格（缺少有效的规则编号）。")
		return
	}
	rule, err := s.db.FindRule(ctx, ruleID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pc := s.periodParam(r)
	title := o.Name + " · " + rule.TypeName
	p, err := s.orgPageBase(ctx, o, title, crumb{Label: "合规检查", URL: withPeriod(orgURL(o.ID)+"/compliance", pc.Period)},
		crumb{Label: rule.TypeName})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := complianceDetailPage{page: p, Org: o, Choice: pc, RuleID: rule.ID, Rule: rule, TypeName: rule.TypeName,
		Action: orgURL(o.ID) + "/compliance/detail", BackURL: withPeriod(orgURL(o.ID)+"/compliance", pc.Period)}
	if pc.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "compliance_detail", "layout", data)
		return
	}
	rep, err := compliance.ForPeriod(ctx, s.db, o.ID, pc.Period, s.today())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var span party.Span
	for _, row := range rep.Rows {
		if row.OrgID != o.ID || row.Type != rule.Type {
			continue
		}
		data.Applies = true
		data.Rows = append(data.Rows, row)
		for _, sl := range row.Slots {
			state, class := slotState(sl.State)
			ds := detailSlot{Label: sl.Period.Chinese(), From: sl.Span.From, To: sl.Span.Last(), Required: sl.Required,
				Held: sl.Held, State: state, Class: class, Dates: sl.Dates}
			data.Slots = append(data.Slots, ds)
			if sl.State == party.SlotMissing {
				data.Missing = append(data.Missing, ds)
			}
			if span.From.IsZero() || sl.Span.From.Before(span.From) {
				span.From = sl.Span.From
			}
			if sl.Span.To.After(span.To) {
				span.To = sl.Span.To
			}
		}
	}
	if data.Applies && !span.From.IsZero() {
		events, _, err := s.db.ListEvents(ctx, store.EventFilter{OrgID: o.ID, Types: []party.EventTypeCode{rule.Type},
			From: span.From, To: span.To, Status: party.EventHeld, Limit: 2000})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.Events = events
	}
	if !o.Dissolved() && can(ctx, party.ActEventWrite, party.Target{OrgPath: o.Path}) {
		data.NewURL = orgURL(o.ID) + "/events/new?" + url.Values{"type": {string(rule.Type)}}.Encode()
	}
	s.render(w, r, http.StatusOK, "compliance_detail", "layout", data)
}
