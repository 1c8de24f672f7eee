package web

import (
	"net/http"
	"strconv"
	"strings"

	"dangjian/internal/party"
)

// planHorizon is how many days ahead a new recurring plan's events are created at once, as the
// daily scheduler does.
const planHorizon = 60

// planFieldNames are the plan form fields, in the store's error field names.
func planFieldNames() []string {
	return []string{"type", "title", "day", "start_time", "minutes", "from_on", "until_on", "place", "host"}
}

// planNew shows the form for a recurring plan ("主题党日 on the 15th of every month").
func (s *Server) planNew(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok || s.refuseDissolved(w, r, o) {
		return
	}
	f := newForm(nil)
	f.set("type", r.URL.Query().Get("type"))
	f.set("minutes", "90")
	f.set("from_on", monthValue(s.today()))
	s.showPlanForm(w, r, http.StatusOK, o, f)
}

func (s *Server) showPlanForm(w http.ResponseWriter, r *http.Request, status int, o *party.Org, f *form) {
	ctx := r.Context()
	types, err := s.activeTypes(ctx, o)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	opts := []option{{Value: "", Label: "请选择"}}
	for _, t := range types {
		opts = append(opts, option{Value: string(t.Code), Label: t.Name})
	}
	p, err := s.orgPageBase(ctx, o, "新建周期计划", crumb{Label: "组织生活", URL: calendarURL(o.ID)}, crumb{Label: "新建周期计划"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showForm(w, r, status, formPage{page: p, Action: orgURL(o.ID) + "/plans", Submit: "创建", Cancel: calendarURL(o.ID),
		Intro: "为“" + o.Name + "”设定每月固定日期的活动，如“每月15日 主题党日”。系统按计划提前生成" +
			strconv.Itoa(planHorizon) + "天内的活动计划，召开后逐次登记。",
		Form: f, Fields: []field{
			f.choice("type", "活动类型", opts).req(),
			f.input("title", "主题", "text").req().max(party.MaxTitleLen),
			f.input("day", "每月几日", "text").req().numeric().max(2).hint("1至31；小月没有该日时安排在月末最后一天"),
			f.input("start_time", "开始时间", "text").req().max(5).hint("如 14:30"),
			f.input("minutes", "时长（分钟）", "text").req().numeric().max(4),
			f.input("from_on", "开始月份", "text").req().max(7).hint("如 2026-06"),
			f.input("until_on", "结束月份", "text").max(7).hint("如 2026-12；不填表示长期执行"),
			f.input("place", "地点", "text").max(party.MaxPlaceLen),
			f.input("host", "主持人", "text").max(party.MaxPersonNameLen),
		}})
}

// planCreate creates a recurring plan and its planned events of the coming weeks.
func (s *Server) planCreate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok || s.refuseDissolved(w, r, o) {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := &party.Plan{OrgID: o.ID, Type: party.EventTypeCode(f.get("type")), Title: f.get("title"), Place: f.get("place"),
		Host: f.get("host"), Frequency: party.PlanMonthly, StartTime: strings.ReplaceAll(f.get("start_time"), "：", ":")}
	if p.Type == "" {
		f.setErr("type", "请选择活动类型")
	}
	if p.Title == "" {
		f.setErr("title", "请填写主题")
	}
	number := func(name, label string) int {
		v := f.get(name)
		n, err := strconv.Atoi(v)
		switch {
		case v == "":
			f.setErr(name, "请填写"+label)
		case err != nil:
			f.setErr(name, label+"应为数字")
		}
		return n
	}
	p.Day = number("day", "每月几日")
	p.Minutes = number("minutes", "时长")
	if d, ok := parseMonth(f.get("from_on")); ok {
		p.FromOn = d
	} else if f.get("from_on") == "" {
		f.setErr("from_on", "请填写开始月份")
	} else {
		f.setErr("from_on", "开始月份应写作 2026-06")
	}
	if v := f.get("until_on"); v != "" {
		if d, ok := parseMonth(v); ok {
			p.UntilOn = addMonths(d, 1).AddDays(-1)
		} else {
			f.setErr("until_on", "结束月份应写作 2026-12")
		}
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.CreatePlan(ctx, p)
		if err == nil {
			if _, err := s.db.MaterializePlan(ctx, p.ID, s.today().AddDays(planHorizon)); err != nil {
				s.serverError(w, r, err)
				return
			}
			redirect(w, r, calendarURL(o.ID)+"?done=plan-created#plans")
			return
		}
		if err := f.fail(err, planFieldNames()...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showPlanForm(w, r, status, o, f)
}

// planStop stops a recurring plan of the organization's subtree after the day the form names
// (today when empty); its later planned events are cancelled.
func (s *Server) planStop(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	pid, ok := pathID(r, "pid")
	if !ok {
		s.notFound(w, r)
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p, err := s.db.FindPlan(ctx, pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	owner, err := s.db.FindOrg(ctx, p.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !strings.HasPrefix(owner.Path, o.Path) {
		s.fail(w, r, party.Errorf(party.ENOTFOUND, "周期计划不存在"))
		return
	}
	last := s.today()
	if f.get("until_on") != "" {
		if last = f.date("until_on"); last.IsZero() {
			s.errorPage(w, r, http.StatusUnprocessableEntity, "无法停止周期计划", "停止日期："+f.errs["until_on"])
			return
		}
	}
	if err := s.db.StopPlan(ctx, pid, last); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, calendarURL(o.ID)+"?done=plan-stopped#plans")
}
