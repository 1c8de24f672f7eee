package api

import (
	"fmt"
	"net/http"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// topicJSON is an item of the 第一议题 ledger.
type topicJSON struct {
	ID       int64      `json:"id"`
	Title    string     `json:"title"`
	IssuedOn party.Date `json:"issued_on"`
	Source   string     `json:"source"`
	Note     string     `json:"note"`
}

func toTopic(t *party.FirstTopic) topicJSON {
	return topicJSON{ID: t.ID, Title: t.Title, IssuedOn: t.IssuedOn, Source: t.Source, Note: t.Note}
}

// topicStudyJSON says when an organization first studied an item, at how many held events.
type topicStudyJSON struct {
	OrgID   int64         `json:"org_id"`
	OrgCode string        `json:"org_code"`
	OrgName string        `json:"org_name"`
	OrgKind party.OrgKind `json:"org_kind"`
	FirstOn party.Date    `json:"first_on"`
	Events  int           `json:"events"`
}

// topicDetailJSON is an item with the organizations of the account's subtrees that studied it.
type topicDetailJSON struct {
	topicJSON
	Coverage []topicStudyJSON `json:"coverage"`
}

// listTopics answers GET /api/v1/topics: the ledger, newest first, optionally of one year's
// items and by part of the title.
func (a *API) listTopics(w http.ResponseWriter, r *http.Request) error {
	year, err := queryInt(r, "year", 0, 1921, 2200)
	if err != nil {
		return err
	}
	f := store.TopicFilter{Query: r.URL.Query().Get("q")}
	if year != 0 {
		f.From = party.Date{Year: year, Month: 1, Day: 1}
		f.To = party.Date{Year: year + 1, Month: 1, Day: 1}
	}
	list, err := a.db.FirstTopics(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]topicJSON, 0, len(list))
	for _, t := range list {
		out = append(out, toTopic(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// getTopic answers GET /api/v1/topics/{id}: the item and, for the account's subtrees only,
// which organizations studied it at held events.
func (a *API) getTopic(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := a.db.FindFirstTopic(ctx, id)
	if err != nil {
		return err
	}
	everywhere, roots := principal(r).Scopes(party.ActComplianceRead)
	if everywhere {
		tops, err := a.db.RootOrgs(ctx, true)
		if err != nil {
			return err
		}
		roots = nil
		for _, o := range tops {
			roots = append(roots, o.ID)
		}
	}
	out := topicDetailJSON{topicJSON: toTopic(t), Coverage: []topicStudyJSON{}}
	for _, root := range roots {
		studies, err := a.db.TopicStudies(ctx, id, root)
		if err != nil {
			return err
		}
		for _, s := range studies {
			out.Coverage = append(out.Coverage, topicStudyJSON{OrgID: s.OrgID, OrgCode: s.OrgCode, OrgName: s.OrgName,
				OrgKind: s.OrgKind, FirstOn: s.FirstOn, Events: s.Events})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// topicRequest is the body of POST /api/v1/topics.
type topicRequest struct {
	Title    string `json:"title"`
	IssuedOn string `json:"issued_on"`
	Source   string `json:"source"`
	Note     string `json:"note"`
}

// createTopic answers POST /api/v1/topics: a new item of the ledger.
func (a *API) createTopic(w http.ResponseWriter, r *http.Request) error {
	var req topicRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t := &party.FirstTopic{Title: req.Title, Source: req.Source, Note: req.Note}
	var err error
	if t.IssuedOn, err = parseDate("issued_on", req.IssuedOn); err != nil {
		return err
	}
	if err := a.db.CreateFirstTopic(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/topics/%d", t.ID))
	writeJSON(w, http.StatusCreated, toTopic(t))
	return nil
}
