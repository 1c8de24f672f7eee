package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dangjian/internal/compliance"
	"dangjian/internal/notify"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// maxReminderLines bounds each section of the reminder list; a city-wide list says how many
// more there are and points to the compliance matrix.
const maxReminderLines = 100

// remindersPage is the in-app reminder list of the user's subtrees.
type remindersPage struct {
	page
	Today   party.Date
	Horizon int
	Scope   string
	// MatrixURL opens the compliance matrix (of the only subtree, or the choice of subtrees).
	MatrixURL  string
	Overdue    reminderSection
	Due        reminderSection
	ThisMonth  reminderSection
	Upcoming   []reminderEvent
	Unrecorded []reminderEvent
	// UpcomingMore and UnrecordedMore count the events left off the lists.
	UpcomingMore, UnrecordedMore int
}

// reminderSection is one list of obligations, cut at maxReminderLines.
type reminderSection struct {
	Items []reminderItem
	More  int
	Total int
}

// reminderItem is one obligation with the links that act on it.
type reminderItem struct {
	compliance.Item
	OrgURL    string
	MatrixURL string
	// NewURL opens the organization's new-event form for the type, when the user may record.
	NewURL string
}

// reminderEvent is a planned event with its link.
type reminderEvent struct {
	*party.Event
	URL string
}

// reminders lists, for the user's subtrees, what is overdue, what falls due in the coming
// week, what a branch must still hold this month, and the planned events of the coming week
// and those whose day passed unrecorded.
func (s *Server) reminders(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	roots, err := s.complianceRoots(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	today := s.today()
	ids := make([]int64, len(roots))
	names := make([]string, len(roots))
	for i, o := range roots {
		ids[i], names[i] = o.ID, o.Name
	}
	d, err := notify.Collect(ctx, s.db, ids, today)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var thisMonth []compliance.Item
	seen := map[string]bool{}
	for _, o := range roots {
		if o.Kind != party.KindBranch && o.Kind != party.KindTempBranch {
			continue
		}
		list, err := compliance.DueThisMonth(ctx, s.db, o.ID, today)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, it := range list {
			k := string(it.Type) + "|" + it.Period.String() + "|" + it.OrgCode
			if !seen[k] {
				seen[k] = true
				thisMonth = append(thisMonth, it)
			}
		}
	}
	// Where the user may record events, each line links to the new-event form.
	paths := map[int64]string{}
	if party.PrincipalFrom(ctx).CanAny(party.ActEventWrite) {
		for _, o := range roots {
			orgs, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: o.ID})
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, x := range orgs {
				paths[x.ID] = x.Path
			}
		}
	}
	section := func(list []compliance.Item) reminderSection {
		sec := reminderSection{Total: len(list)}
		for i, it := range list {
			if i == maxReminderLines {
				sec.More = len(list) - i
				break
			}
			ri := reminderItem{Item: it, OrgURL: orgURL(it.OrgID),
				MatrixURL: withPeriod(orgURL(it.OrgID)+"/compliance", it.Period)}
			if p, ok := paths[it.OrgID]; ok && can(ctx, party.ActEventWrite, party.Target{OrgPath: p}) {
				ri.NewURL = orgURL(it.OrgID) + "/events/new?" + url.Values{"type": {string(it.Type)}}.Encode()
			}
			sec.Items = append(sec.Items, ri)
		}
		return sec
	}
	events := func(list []*party.Event) ([]reminderEvent, int) {
		var out []reminderEvent
		for i, e := range list {
			if i == maxReminderLines {
				return out, len(list) - i
			}
			out = append(out, reminderEvent{Event: e, URL: "/events/" + strconv.FormatInt(e.ID, 10)})
		}
		return out, 0
	}
	p, err := s.orgPageBase(ctx, nil, "待办提醒", crumb{Label: "待办提醒"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := remindersPage{page: p, Today: today, Horizon: notify.Horizon, Scope: strings.Join(names, "、"),
		MatrixURL: "/compliance", Overdue: section(d.Overdue), Due: section(d.Due), ThisMonth: section(thisMonth)}
	data.Upcoming, data.UpcomingMore = events(d.Upcoming)
	data.Unrecorded, data.UnrecordedMore = events(d.Unrecorded)
	data.UnrecordedMore += d.UnrecordedBeyond
	s.render(w, r, http.StatusOK, "reminders", "layout", data)
}
