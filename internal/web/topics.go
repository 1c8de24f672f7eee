package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"dangjian/internal/compliance"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// topicYears is how many past years the ledger's year filter offers besides the current one.
const topicYears = 5

// topicRow is one item of the 第一议题 ledger with its coverage in the user's subtrees.
type topicRow struct {
	Topic   *party.FirstTopic
	URL     string
	Studied int
	NotYet  int
}

// topicsPage is the 第一议题 ledger.
type topicsPage struct {
	page
	Rows     []topicRow
	Years    []option
	Query    string
	Error    string
	Scope    string
	CanWrite bool
}

// topicList shows the 第一议题 ledger of a year (or of every year), each item with how many
// organizations of the user's subtrees have studied it and how many not yet.
func (s *Server) topicList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	today := s.today()
	q := r.URL.Query()
	data := topicsPage{Query: strings.TrimSpace(q.Get("q")), CanWrite: can(ctx, party.ActTopicWrite, party.Target{OrgPath: party.RootPath})}
	year := strconv.Itoa(today.Year)
	if v, ok := q["year"]; ok {
		year = strings.TrimSpace(v[0])
	}
	filter := store.TopicFilter{Query: data.Query}
	if year != "" {
		y, err := strconv.Atoi(year)
		if err != nil || y < 1921 || y > 2200 {
			data.Error = "年份“" + year + "”无效，应为四位数字，如 " + strconv.Itoa(today.Year)
			y = today.Year
		}
		year = strconv.Itoa(y)
		filter.From, filter.To = party.Date{Year: y, Month: 1, Day: 1}, party.Date{Year: y + 1, Month: 1, Day: 1}
	}
	data.Years = []option{{Value: "", Label: "全部年份", Selected: year == ""}}
	years := []string{}
	for y := today.Year; y >= today.Year-topicYears; y-- {
		years = append(years, strconv.Itoa(y))
	}
	if year != "" && !slices.Contains(years, year) {
		years = append(years, year)
	}
	for _, y := range years {
		data.Years = append(data.Years, option{Value: y, Label: y + "年", Selected: y == year})
	}
	topics, err := s.db.FirstTopics(ctx, filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	roots, err := s.complianceRoots(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	names := make([]string, len(roots))
	for i, o := range roots {
		names[i] = o.Name
	}
	data.Scope = strings.Join(names, "、")
	for _, t := range topics {
		row := topicRow{Topic: t, URL: topicURL(t.ID)}
		for _, o := range roots {
			c, err := compliance.TopicCoverage(ctx, s.db, t.ID, o.ID, today)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			row.Studied += len(c.Studied)
			row.NotYet += len(c.NotYet)
		}
		data.Rows = append(data.Rows, row)
	}
	p := s.frame(ctx, "第一议题台账")
	p.Flash = topicFlash(q.Get("done"))
	data.page = p
	s.render(w, r, http.StatusOK, "topics", "layout", data)
}

// topicFlash confirms a change of the ledger; unknown keys show nothing.
func topicFlash(key string) string {
	switch key {
	case "created":
		return "第一议题已登记。"
	case "saved":
		return "第一议题已保存。"
	}
	return ""
}

func topicURL(id int64) string { return "/topics/" + strconv.FormatInt(id, 10) }

// loadTopic finds the 第一议题 item of the {tid} path value, answering 404 itself.
func (s *Server) loadTopic(w http.ResponseWriter, r *http.Request) (*party.FirstTopic, bool) {
	id, ok := pathID(r, "tid")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	t, err := s.db.FindFirstTopic(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return t, true
}

// topicStudyRow is one organization that studied the item, with the event of its first study.
type topicStudyRow struct {
	compliance.TopicOrg
	OrgURL   string
	EventURL string
}

// topicScope is the coverage of the item in one of the user's subtrees.
type topicScope struct {
	Root    *party.Org
	Studied []topicStudyRow
	NotYet  []*party.Org
}

// topicPage is one 第一议题 item with its coverage.
type topicPage struct {
	page
	Topic    *party.FirstTopic
	Scopes   []topicScope
	Studied  int
	NotYet   int
	CanWrite bool
}

// topicShow shows one 第一议题 item: for each organization of the user's subtrees, when it was
// first studied, at which event and how many days after its issue; then those that have not
// studied it yet.
func (s *Server) topicShow(w http.ResponseWriter, r *http.Request) {
	t, ok := s.loadTopic(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	roots, err := s.complianceRoots(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := topicPage{Topic: t, CanWrite: can(ctx, party.ActTopicWrite, party.Target{OrgPath: party.RootPath})}
	for _, o := range roots {
		c, err := compliance.TopicCoverage(ctx, s.db, t.ID, o.ID, s.today())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		events, err := s.firstStudyEvents(r, t, o.ID, c.Studied)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		sc := topicScope{Root: o, NotYet: c.NotYet}
		for _, st := range c.Studied {
			row := topicStudyRow{TopicOrg: st}
			if can(ctx, party.ActOrgRead, party.Target{OrgPath: o.Path}) {
				row.OrgURL = orgURL(st.OrgID)
			}
			if id := events[st.OrgID]; id != 0 {
				row.EventURL = "/events/" + strconv.FormatInt(id, 10)
			}
			sc.Studied = append(sc.Studied, row)
		}
		data.Studied += len(sc.Studied)
		data.NotYet += len(sc.NotYet)
		data.Scopes = append(data.Scopes, sc)
	}
	p := s.frame(ctx, "第一议题："+t.Title)
	p.Crumbs = []crumb{{Label: "第一议题台账", URL: "/topics"}, {Label: t.Title}}
	p.Flash = topicFlash(r.URL.Query().Get("done"))
	data.page = p
	s.render(w, r, http.StatusOK, "topic", "layout", data)
}

// firstStudyEvents finds, for each organization of studies, the held event of the subtree of
// root on its first-study day at which item t was studied; it returns event ids by
// organization. Organizations study an item within days of each other, so the lookup goes by
// distinct day.
func (s *Server) firstStudyEvents(r *http.Request, t *party.FirstTopic, root int64, studies []compliance.TopicOrg) (map[int64]int64, error) {
	ctx := r.Context()
	byDay := map[party.Date][]int64{}
	for _, st := range studies {
		byDay[st.FirstOn] = append(byDay[st.FirstOn], st.OrgID)
	}
	var candidates []*party.Event
	for d := range byDay {
		list, _, err := s.db.ListEvents(ctx, store.EventFilter{Root: root, From: d, To: d.AddDays(1),
			Status: party.EventHeld, Limit: 2000})
		if err != nil {
			return nil, err
		}
		candidates = append(candidates, list...)
	}
	ids := make([]int64, len(candidates))
	for i, e := range candidates {
		ids[i] = e.ID
	}
	titles, err := s.db.EventTopicTitles(ctx, ids)
	if err != nil {
		return nil, err
	}
	first := map[int64]*party.Event{}
	for _, e := range candidates {
		if !slices.Contains(byDay[e.Date()], e.OrgID) || !slices.Contains(titles[e.ID], t.Title) {
			continue
		}
		if cur := first[e.OrgID]; cur == nil || e.StartAt.Before(cur.StartAt) {
			first[e.OrgID] = e
		}
	}
	out := map[int64]int64{}
	for org, e := range first {
		out[org] = e.ID
	}
	return out, nil
}

// topicFields are the fields of the 第一议题 form.
func topicFields(f *form) []field {
	return []field{
		f.input("title", "标题", "text").req().max(party.MaxTitleLen).hint("讲话、指示或文件的标题，如：习近平在……时的讲话"),
		f.input("issued_on", "发表或印发日期", "date").hint("用于计算各组织在发表后多少天内完成学习；不详可不填"),
		f.input("source", "出处", "text").max(party.MaxTitleLen).hint("如：《求是》2026年第1期、新华社"),
		f.input("note", "备注", "textarea").max(party.MaxTextLen),
	}
}

// topicNew shows the form for a new 第一议题 item.
func (s *Server) topicNew(w http.ResponseWriter, r *http.Request) {
	s.showTopicForm(w, r, http.StatusOK, newForm(nil), nil)
}

func (s *Server) showTopicForm(w http.ResponseWriter, r *http.Request, status int, f *form, t *party.FirstTopic) {
	p := s.frame(r.Context(), "登记第一议题")
	p.Crumbs = []crumb{{Label: "第一议题台账", URL: "/topics"}, {Label: "登记第一议题"}}
	fp := formPage{page: p, Action: "/topics", Submit: "登记", Cancel: "/topics", Form: f, Fields: topicFields(f),
		Intro: "第一议题台账登记党组织会议应当首先学习的重要讲话、重要指示批示精神；各组织在活动记录中选择所学议题后，本台账自动统计学习情况。"}
	if t != nil {
		p.Title = "修改第一议题"
		p.Crumbs = []crumb{{Label: "第一议题台账", URL: "/topics"}, {Label: t.Title, URL: topicURL(t.ID)}, {Label: "修改"}}
		fp.page, fp.Action, fp.Submit, fp.Cancel = p, topicURL(t.ID)+"/edit", "保存", topicURL(t.ID)
		fp.Intro = "修改后，已记录的学习情况随之按新的标题和日期显示。"
	}
	s.showForm(w, r, status, fp)
}

// topicFromForm reads a 第一议题 item from the form, recording a bad date beside its field.
func topicFromForm(f *form) *party.FirstTopic {
	return &party.FirstTopic{Title: f.get("title"), IssuedOn: f.date("issued_on"), Source: f.get("source"),
		Note: strings.TrimSpace(f.values.Get("note"))}
}

// topicCreate adds an item to the ledger.
func (s *Server) topicCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	t := topicFromForm(f)
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.CreateFirstTopic(r.Context(), t)
		if err == nil {
			redirect(w, r, topicURL(t.ID)+"?done=created")
			return
		}
		if err := f.fail(err, "title", "issued_on", "source", "note"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showTopicForm(w, r, status, f, nil)
}

// topicEdit shows the form that changes an item.
func (s *Server) topicEdit(w http.ResponseWriter, r *http.Request) {
	t, ok := s.loadTopic(w, r)
	if !ok {
		return
	}
	f := newForm(url.Values{"title": {t.Title}, "source": {t.Source}, "note": {t.Note}})
	if !t.IssuedOn.IsZero() {
		f.set("issued_on", t.IssuedOn.String())
	}
	s.showTopicForm(w, r, http.StatusOK, f, t)
}

// topicUpdate saves a changed item.
func (s *Server) topicUpdate(w http.ResponseWriter, r *http.Request) {
	old, ok := s.loadTopic(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	t := topicFromForm(f)
	t.ID = old.ID
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.UpdateFirstTopic(r.Context(), t)
		if err == nil {
			redirect(w, r, topicURL(t.ID)+"?done=saved")
			return
		}
		if err := f.fail(err, "title", "issued_on", "source", "note"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showTopicForm(w, r, status, f, old)
}
