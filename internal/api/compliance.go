package api

import (
	"context"
	"net/http"

	"dangjian/internal/compliance"
	"dangjian/internal/party"
)

// complianceJSON is the compliance of a subtree over a period: the fields of
// `dangjian compliance --format json`, with the organization's id. The totals sum every row;
// rows are compliance.Row, the shape the command line prints.
type complianceJSON struct {
	OrgID      int64            `json:"org_id"`
	OrgCode    string           `json:"org_code"`
	OrgName    string           `json:"org_name"`
	Period     string           `json:"period"`
	PeriodName string           `json:"period_name"`
	From       party.Date       `json:"from"`
	To         party.Date       `json:"to"`
	Today      party.Date       `json:"today"`
	Required   int              `json:"required"`
	Held       int              `json:"held"`
	Missing    int              `json:"missing"`
	Pending    int              `json:"pending"`
	Rows       []compliance.Row `json:"rows"`
}

// getCompliance answers GET /api/v1/compliance: per organization of the subtree and event
// type, what the rules required in the period, what was held (with the days) and what is
// missing (with the periods).
func (a *API) getCompliance(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	root, err := queryID(r, "org")
	if err != nil {
		return err
	}
	if root != 0 {
		if err := a.auth.AllowOrg(ctx, p, party.ActComplianceRead, root); err != nil {
			return err
		}
	} else if root, err = a.defaultRoot(ctx, p, party.ActComplianceRead); err != nil {
		return err
	}
	today := party.Today(a.db.Now())
	period := party.PeriodOf(party.HalfYear, today)
	if v := r.URL.Query().Get("period"); v != "" {
		if period, err = party.ParsePeriod(v); err != nil {
			return invalid("period", "参数 period 无效，应写作 2026-03（月）、2026Q2（季度）、2026H1（半年）或 2026（年）")
		}
	}
	onlyMissing, err := queryBool(r, "missing")
	if err != nil {
		return err
	}
	rep, err := compliance.ForPeriod(ctx, a.db, root, period, today)
	if err != nil {
		return err
	}
	rows := rep.PrintableRows()
	if onlyMissing {
		kept := rows[:0]
		for _, x := range rows {
			if x.Missing > 0 {
				kept = append(kept, x)
			}
		}
		rows = kept
	}
	required, held, missing, pending := rep.Totals()
	writeJSON(w, http.StatusOK, complianceJSON{OrgID: rep.Root.ID, OrgCode: rep.Root.Code, OrgName: rep.Root.Name,
		Period: period.String(), PeriodName: period.Chinese(), From: rep.Span.From, To: rep.Span.Last(), Today: today,
		Required: required, Held: held, Missing: missing, Pending: pending, Rows: rows})
	return nil
}

// defaultRoot returns the organization a request without ?org= is about: the one subtree in
// which p may perform action (the one top-level organization for a grant on the whole
// installation); with several, the client must choose.
func (a *API) defaultRoot(ctx context.Context, p *party.Principal, action party.Action) (int64, error) {
	everywhere, ids := p.Scopes(action)
	if everywhere {
		roots, err := a.db.RootOrgs(ctx, false)
		if err != nil {
			return 0, err
		}
		ids = nil
		for _, o := range roots {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) != 1 {
		return 0, invalid("org", "请用参数 org 指定组织")
	}
	return ids[0], nil
}
