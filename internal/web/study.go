package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"dangjian/internal/compliance"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// studyPage shows the study statistics of a subtree over a period: figures, held events by
// type and attendance per organization. It never lists or ranks members.
type studyPage struct {
	page
	Org    *party.Org
	Choice periodChoice
	Action string
	Study  *compliance.Study
	Rate   string
	ByType []typeCount
	Orgs   []studyOrg
	// Aggregated is true when the rows are the direct children summing their subtrees.
	Aggregated    bool
	OrgCount      int
	ComplianceURL string
}

// typeCount is the number of held events of one type.
type typeCount struct {
	Name  string
	Count int
}

// studyOrg is one organization's (or one child subtree's) attendance.
type studyOrg struct {
	store.OrgAttendance
	Indent int
	URL    string
	Orgs   int
	Rate   string
}

// studyStats shows the study statistics of organization {id} over ?period=.
func (s *Server) studyStats(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	pc := s.periodParam(r)
	p, err := s.orgPageBase(ctx, o, o.Name+"学习统计", crumb{Label: "学习统计"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	base := orgURL(o.ID)
	data := studyPage{page: p, Org: o, Choice: pc, Action: base + "/study"}
	if pc.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "study", "layout", data)
		return
	}
	st, err := compliance.StudyStats(ctx, s.db, o.ID, pc.Period.Span())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	types, err := s.db.EventTypes(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	orgs, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: o.ID, IncludeDissolved: true})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Study, data.Rate, data.OrgCount = st, percentText(st.Expected, st.Present), len(orgs)
	data.ComplianceURL = withPeriod(base+"/compliance", pc.Period)
	for _, t := range types {
		if n := st.ByType[t.Code]; n > 0 {
			data.ByType = append(data.ByType, typeCount{Name: t.Name, Count: n})
		}
	}
	byID := map[int64]*party.Org{}
	for _, x := range orgs {
		byID[x.ID] = x
	}
	data.Aggregated = len(orgs) > maxMatrixOrgs
	if !data.Aggregated {
		for _, a := range st.Orgs {
			so := studyOrg{OrgAttendance: a, Rate: percentText(a.Expected, a.Present)}
			if x, ok := byID[a.OrgID]; ok {
				so.Indent = x.Depth - o.Depth
			}
			data.Orgs = append(data.Orgs, so)
		}
	} else {
		// The root's own events, then one line per direct child summing its subtree.
		sums := map[int64]*studyOrg{}
		var order []int64
		for _, x := range orgs {
			if x.ID == o.ID || x.ParentID == o.ID {
				so := &studyOrg{OrgAttendance: store.OrgAttendance{OrgID: x.ID, OrgCode: x.Code, OrgName: x.Name, OrgKind: x.Kind},
					Indent: x.Depth - o.Depth}
				if x.ID != o.ID {
					so.URL = withPeriod(orgURL(x.ID)+"/study", pc.Period)
				}
				sums[x.ID] = so
				order = append(order, x.ID)
			}
		}
		for _, x := range orgs {
			if so := sums[aggregateOwner(o, x)]; so != nil && x.ID != o.ID {
				so.Orgs++
			}
		}
		for _, a := range st.Orgs {
			x, ok := byID[a.OrgID]
			if !ok {
				continue
			}
			so := sums[aggregateOwner(o, x)]
			if so == nil {
				continue
			}
			so.Events += a.Events
			so.Expected += a.Expected
			so.Present += a.Present
			so.Leave += a.Leave
			so.Absent += a.Absent
		}
		for _, id := range order {
			so := sums[id]
			if so.Events == 0 && id == o.ID {
				continue
			}
			so.Rate = percentText(so.Expected, so.Present)
			data.Orgs = append(data.Orgs, *so)
		}
	}
	s.render(w, r, http.StatusOK, "study", "layout", data)
}

// percentText formats present/expected as 91.7%, or — when nobody was expected.
func percentText(expected, present int) string {
	if expected == 0 {
		return "—"
	}
	return strconv.FormatFloat(100*party.AttendanceRate(expected, present), 'f', 1, 64) + "%"
}

// memberAttendance is a member's own attendance this year, as their page shows it.
type memberAttendance struct {
	Year   int
	Record *compliance.MemberRecord
	Rate   string
	// Hidden counts the events of organizations the viewer may not read (a member transferred
	// in, or attached to another bureau's temporary branch), left out of the list and figures.
	Hidden int
}

// memberAttendance loads member memberID's attendance at the held events of this year: all of
// it for the member itself, for anyone else the events of organizations it may read.
func (s *Server) memberAttendance(ctx context.Context, memberID int64) (*memberAttendance, error) {
	year := party.PeriodOf(party.Yearly, s.today())
	rec, err := compliance.MemberStudy(ctx, s.db, memberID, year.Span())
	if err != nil {
		return nil, err
	}
	out := &memberAttendance{Year: year.Year, Record: rec}
	if party.PrincipalFrom(ctx).OwnMember() != memberID {
		out.Hidden = rec.Keep(func(e store.MemberEvent) bool {
			return can(ctx, party.ActEventRead, party.Target{OrgPath: e.OrgPath})
		})
	}
	out.Rate = percentText(len(rec.Events), rec.Present)
	slices.Reverse(rec.Events) // the latest first: that is what a member looks for
	return out, nil
}
