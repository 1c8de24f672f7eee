package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// treeNode is one organization of the tree page with its active member count.
type treeNode struct {
	Org       *party.Org
	Count     int
	ShowCount bool
	Children  []*treeNode
}

// orgTree shows the organizations the user may read as nested lists; ?dissolved=1 adds the
// dissolved ones.
func (s *Server) orgTree(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	showDissolved := r.URL.Query().Get("dissolved") == "1"
	all, err := s.db.ListOrgs(ctx, store.OrgFilter{IncludeDissolved: showDissolved})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var orgs []*party.Org
	readable := map[int64]bool{}
	for _, o := range all {
		if can(ctx, party.ActOrgRead, party.Target{OrgPath: o.Path}) {
			orgs = append(orgs, o)
			readable[o.ID] = true
		}
	}
	counts := map[int64]int{}
	for _, o := range orgs {
		if readable[o.ParentID] {
			continue
		}
		c, err := s.db.MemberCounts(ctx, o.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for id, n := range c {
			counts[id] += n
		}
	}
	totals := subtreeTotals(orgs, counts)
	nodes := map[int64]*treeNode{}
	for _, o := range orgs {
		nodes[o.ID] = &treeNode{Org: o, Count: totals[o.ID], ShowCount: o.Kind != party.KindTempBranch}
	}
	var roots []*treeNode
	for _, o := range orgs {
		n := nodes[o.ID]
		if p, ok := nodes[o.ParentID]; ok {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	sortTree(roots)
	// The tree is its own navigation, so this page has no side navigation.
	p := s.frame(ctx, "组织树")
	root := party.Target{OrgPath: party.RootPath}
	s.render(w, r, http.StatusOK, "tree", "layout", struct {
		page
		Roots         []*treeNode
		ShowDissolved bool
		CanCreate     bool
		CanImport     bool
	}{p, roots, showDissolved, can(ctx, party.ActOrgWrite, root), party.PrincipalFrom(ctx).CanAny(party.ActOrgWrite)})
}

// sortTree orders siblings by creation (id), at every level.
func sortTree(nodes []*treeNode) {
	slices.SortFunc(nodes, func(a, b *treeNode) int { return int(a.Org.ID - b.Org.ID) })
	for _, n := range nodes {
		sortTree(n.Children)
	}
}

// subtreeTotals turns per-organization counts (by own branch, and by party group) into the
// number of active members in each organization's subtree; a party group keeps its own count,
// since its members are already counted in its branch.
func subtreeTotals(orgs []*party.Org, counts map[int64]int) map[int64]int {
	out := map[int64]int{}
	for _, o := range orgs {
		switch o.Kind {
		case party.KindBranch:
			for _, part := range strings.Split(strings.Trim(o.Path, "/"), "/") {
				if id, err := strconv.ParseInt(part, 10, 64); err == nil {
					out[id] += counts[o.ID]
				}
			}
		case party.KindGroup:
			out[o.ID] = counts[o.ID]
		}
	}
	return out
}

// childRow is a sub-organization on an organization page.
type childRow struct {
	Org   *party.Org
	Count int
}

// orgPage is the page of one organization.
type orgPage struct {
	page
	Org           *party.Org
	Children      []childRow
	Officers      []*party.Position
	Attached      []*party.TempAttachment
	ShowDissolved bool
	HoldsMembers  bool
	// CanImport is true where a roster can name branches (not in a party group or a temporary
	// branch, whose subtrees hold no branch) and the user may import.
	CanImport bool
	// CanWriteOrg and CanWriteMembers show the actions the user's roles allow here.
	CanWriteOrg     bool
	CanWriteMembers bool
	Members         *membersView
}

// orgShow shows one organization: facts, sub-organizations, officers, attachments of a
// temporary branch, and the members of its whole subtree with search, filters and pages.
func (s *Server) orgShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx := r.Context()
	o, err := s.db.FindOrg(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mv, err := s.membersView(ctx, o, r.URL.Query())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "members" &&
		r.Header.Get("HX-History-Restore-Request") == "" {
		s.render(w, r, http.StatusOK, "org", "members", mv)
		return
	}
	p, err := s.orgPageBase(ctx, o, o.Name)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = flashMessage(r.URL.Query().Get("done"))
	here := party.Target{OrgPath: o.Path}
	data := orgPage{page: p, Org: o, Members: mv, ShowDissolved: r.URL.Query().Get("dissolved") == "1",
		HoldsMembers: o.Kind == party.KindBranch,
		CanImport: !o.Dissolved() && o.Kind != party.KindGroup && o.Kind != party.KindTempBranch &&
			can(ctx, party.ActMemberImport, here),
		CanWriteOrg: can(ctx, party.ActOrgWrite, here), CanWriteMembers: can(ctx, party.ActMemberWrite, here)}
	if err := s.fillOrgPage(ctx, &data); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "org", "layout", data)
}

// fillOrgPage loads the sub-organizations with their counts, the officers and attachments.
func (s *Server) fillOrgPage(ctx context.Context, data *orgPage) error {
	o := data.Org
	kids, err := s.db.Children(ctx, o.ID, data.ShowDissolved)
	if err != nil {
		return err
	}
	sub, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: o.ID, IncludeDissolved: data.ShowDissolved})
	if err != nil {
		return err
	}
	counts, err := s.db.MemberCounts(ctx, o.ID)
	if err != nil {
		return err
	}
	totals := subtreeTotals(sub, counts)
	for _, k := range kids {
		data.Children = append(data.Children, childRow{Org: k, Count: totals[k.ID]})
	}
	if data.Officers, err = s.db.Officers(ctx, o.ID); err != nil {
		return err
	}
	if o.Kind == party.KindTempBranch {
		if data.Attached, err = s.db.Attached(ctx, o.ID); err != nil {
			return err
		}
	}
	return nil
}

// membersView is the searchable, filtered, paginated member list of a subtree.
type membersView struct {
	Base       string
	Query      string
	Branches   []option
	Categories []option
	AgeBands   []option
	Educations []option
	PerPages   []option
	Error      string
	List       []*party.Member
	Total      int
	Page       int
	Pages      int
	From, To   int
	PrevURL    string
	NextURL    string
	ExportURL  string
	Filtered   bool
	// IDSearch holds the masked number when the search was by a whole ID number, which the
	// page then does not repeat (not in the search box, not in links).
	IDSearch string
	// filter is the store filter behind the list, for the export of all pages.
	filter store.MemberFilter
}

// membersView reads the list's parameters from q and loads one page.
func (s *Server) membersView(ctx context.Context, o *party.Org, q url.Values) (*membersView, error) {
	mv := &membersView{Base: orgURL(o.ID), Query: strings.TrimSpace(q.Get("q"))}
	f := store.MemberFilter{Root: o.ID, Query: mv.Query}
	if o.Kind == party.KindGroup {
		// A party group's members have its branch as their own organization.
		f.Root, f.GroupID = 0, o.ID
	}
	if id, _, _, err := party.ParseIDNumber(mv.Query, s.today()); err == nil {
		mv.IDSearch, mv.Query = id.Masked(), ""
	}

	branches, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: o.ID, Kinds: []party.OrgKind{party.KindBranch}})
	if err != nil {
		return nil, err
	}
	branch := q.Get("branch")
	mv.Branches = []option{{Value: "", Label: "全部党支部"}}
	for _, b := range branches {
		v := strconv.FormatInt(b.ID, 10)
		mv.Branches = append(mv.Branches, option{Value: v, Label: b.Name, Selected: v == branch})
		if v == branch {
			f.OrgID = b.ID
		}
	}
	category := q.Get("category")
	mv.Categories = []option{{Value: "", Label: "全部类别"}}
	for _, c := range party.Categories {
		mv.Categories = append(mv.Categories, option{Value: string(c), Label: string(c), Selected: string(c) == category})
		if string(c) == category {
			f.Category = c
		}
	}
	age := q.Get("age")
	mv.AgeBands = []option{{Value: "", Label: "全部年龄"}}
	for _, b := range party.AgeBands {
		mv.AgeBands = append(mv.AgeBands, option{Value: b.Label, Label: b.Label, Selected: b.Label == age})
		if b.Label == age {
			f.AgeBand = age
		}
	}
	education := q.Get("education")
	mv.Educations = []option{{Value: "", Label: "全部学历"}}
	for _, e := range party.Educations {
		mv.Educations = append(mv.Educations, option{Value: e, Label: e, Selected: e == education})
		if e == education {
			f.Education = e
		}
	}
	perPageChoices := []int{20, 50, 100}
	perPage := perPageChoices[0]
	for _, n := range perPageChoices {
		if q.Get("per_page") == strconv.Itoa(n) {
			perPage = n
		}
	}
	for _, n := range perPageChoices {
		mv.PerPages = append(mv.PerPages, option{Value: strconv.Itoa(n), Label: "每页" + strconv.Itoa(n) + "人", Selected: n == perPage})
	}
	mv.Page, _ = strconv.Atoi(q.Get("page"))
	if mv.Page < 1 || mv.Page > 1_000_000 {
		mv.Page = 1
	}
	f.Limit, f.Offset = perPage, (mv.Page-1)*perPage
	mv.Filtered = f.Query != "" || f.OrgID != 0 || f.Category != "" || f.AgeBand != "" || f.Education != ""

	mv.filter = f
	mv.List, mv.Total, err = s.db.ListMembers(ctx, f)
	if party.ErrorCode(err) == party.EINVALID {
		mv.Error, err = party.ErrorMessage(err), nil
	}
	if err != nil {
		return nil, err
	}
	mv.Pages = (mv.Total + perPage - 1) / perPage
	if len(mv.List) > 0 {
		mv.From, mv.To = f.Offset+1, f.Offset+len(mv.List)
	}

	// Links keep the filters; only the set parameters appear, so the URLs stay readable.
	keep := url.Values{}
	for _, k := range []string{"q", "branch", "category", "age", "education"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			keep.Set(k, v)
		}
	}
	if perPage != perPageChoices[0] {
		keep.Set("per_page", strconv.Itoa(perPage))
	}
	pageURL := func(n int) string {
		v := url.Values{}
		for k, vs := range keep {
			v[k] = vs
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return mv.Base
		}
		return mv.Base + "?" + v.Encode()
	}
	if mv.Page > 1 {
		mv.PrevURL = pageURL(min(mv.Page-1, max(mv.Pages, 1)))
	}
	if mv.Page < mv.Pages {
		mv.NextURL = pageURL(mv.Page + 1)
	}
	mv.ExportURL = mv.Base + "/members.xlsx"
	if !can(ctx, party.ActMemberExport, party.Target{OrgPath: o.Path}) {
		mv.ExportURL = ""
	}
	if mv.IDSearch != "" {
		// One person at most: no pages, and no link that would carry the number.
		mv.PrevURL, mv.NextURL, mv.ExportURL = "", "", ""
	} else if len(keep) > 0 && mv.ExportURL != "" {
		keep.Del("per_page")
		if len(keep) > 0 {
			mv.ExportURL += "?" + keep.Encode()
		}
	}
	return mv, nil
}
