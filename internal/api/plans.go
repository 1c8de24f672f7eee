package api

import (
	"fmt"
	"net/http"
	"strings"

	"dangjian/internal/party"
)

// planHorizon is how many days ahead a new recurring plan's events are created at once, as
// the web form and the daily scheduler do.
const planHorizon = 60

// planJSON is a recurring plan (周期计划) that creates planned events.
type planJSON struct {
	ID        int64       `json:"id"`
	OrgID     int64       `json:"org_id"`
	OrgName   string      `json:"org_name"`
	Type      string      `json:"type"`
	Title     string      `json:"title"`
	Place     string      `json:"place"`
	Host      string      `json:"host"`
	Frequency string      `json:"frequency"`
	Day       int         `json:"day"`
	StartTime string      `json:"start_time"`
	Minutes   int         `json:"minutes"`
	FromOn    party.Date  `json:"from_on"`
	UntilOn   *party.Date `json:"until_on"`
	Active    bool        `json:"active"`
}

func toPlan(p *party.Plan) planJSON {
	out := planJSON{ID: p.ID, OrgID: p.OrgID, OrgName: p.OrgName, Type: string(p.Type), Title: p.Title, Place: p.Place,
		Host: p.Host, Frequency: string(p.Frequency), Day: p.Day, StartTime: p.StartTime, Minutes: p.Minutes,
		FromOn: p.FromOn, Active: p.Active}
	if !p.UntilOn.IsZero() {
		until := p.UntilOn
		out.UntilOn = &until
	}
	return out
}

// listPlans answers GET /api/v1/orgs/{id}/plans: the recurring plans of the organization's
// subtree, active ones first.
func (a *API) listPlans(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := a.db.Plans(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]planJSON, 0, len(list))
	for _, p := range list {
		out = append(out, toPlan(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// planCreateRequest is the body of POST /api/v1/orgs/{id}/plans.
type planCreateRequest struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Place     string `json:"place"`
	Host      string `json:"host"`
	Frequency string `json:"frequency"`
	Day       *int   `json:"day"`
	StartTime string `json:"start_time"`
	Minutes   int    `json:"minutes"`
	FromOn    string `json:"from_on"`
	UntilOn   string `json:"until_on"`
}

// createPlan answers POST /api/v1/orgs/{id}/plans: a recurring plan of organization {id},
// whose planned events of the next 60 days are created at once (the daily scheduler creates
// the later ones).
func (a *API) createPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req planCreateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p := &party.Plan{OrgID: id, Type: party.EventTypeCode(req.Type), Title: req.Title, Place: req.Place, Host: req.Host,
		Frequency: party.PlanFrequency(req.Frequency), StartTime: req.StartTime, Minutes: req.Minutes}
	if req.Type == "" {
		return invalid("type", "字段 type 不能为空（活动类型编码，见 GET /api/v1/event-types）")
	}
	if req.Day == nil {
		return invalid("day", "字段 day 不能为空：每月计划为1至31日，每周计划为0（星期日）至6（星期六）")
	}
	p.Day = *req.Day
	if p.FromOn, err = parseDate("from_on", req.FromOn); err != nil {
		return err
	}
	if p.UntilOn, err = parseDate("until_on", req.UntilOn); err != nil {
		return err
	}
	ctx := r.Context()
	if err := a.db.CreatePlan(ctx, p); err != nil {
		return err
	}
	if _, err := a.db.MaterializePlan(ctx, p.ID, party.Today(a.db.Now()).AddDays(planHorizon)); err != nil {
		return err
	}
	stored, err := a.db.FindPlan(ctx, p.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/orgs/%d/plans", id))
	writeJSON(w, http.StatusCreated, toPlan(stored))
	return nil
}

// planStopRequest is the body of POST /api/v1/orgs/{id}/plans/{pid}/stop.
type planStopRequest struct {
	LastDay string `json:"last_day"`
}

// stopPlan answers POST /api/v1/orgs/{id}/plans/{pid}/stop: the plan of the organization's
// subtree creates nothing after last_day (default today), and its later planned events are
// cancelled.
func (a *API) stopPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	var req planStopRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	last, err := parseDate("last_day", req.LastDay)
	if err != nil {
		return err
	}
	if last.IsZero() {
		last = party.Today(a.db.Now())
	}
	ctx := r.Context()
	root, err := a.db.FindOrg(ctx, id)
	if err != nil {
		return err
	}
	p, err := a.db.FindPlan(ctx, pid)
	if err != nil {
		return err
	}
	owner, err := a.db.FindOrg(ctx, p.OrgID)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(owner.Path, root.Path) {
		return notFound("周期计划不存在")
	}
	if err := a.db.StopPlan(ctx, pid, last); err != nil {
		return renameField(err, map[string]string{"until_on": "last_day"})
	}
	stored, err := a.db.FindPlan(ctx, pid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toPlan(stored))
	return nil
}
