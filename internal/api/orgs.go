package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// itemsJSON wraps a list, so a list answer can grow fields without breaking clients.
type itemsJSON[T any] struct {
	Items []T `json:"items"`
}

// listOrgs answers GET /api/v1/orgs: a subtree (root included), or every organization the
// token's user may read.
func (a *API) listOrgs(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	root, err := queryID(r, "root")
	if err != nil {
		return err
	}
	incl, err := queryBool(r, "include_dissolved")
	if err != nil {
		return err
	}
	roots := []int64{root}
	if root != 0 {
		if err := a.auth.AllowOrg(ctx, principal(r), party.ActOrgRead, root); err != nil {
			return err
		}
	} else if everywhere, ids := principal(r).Scopes(party.ActOrgRead); !everywhere {
		roots = ids
	}
	var orgs []*party.Org
	counts := map[int64]int{}
	for _, id := range roots {
		list, err := a.db.ListOrgs(ctx, store.OrgFilter{Root: id, IncludeDissolved: incl})
		if err != nil {
			return err
		}
		orgs = append(orgs, list...)
		for _, o := range list {
			if id != 0 && o.ID != id || id == 0 && o.ParentID != 0 {
				continue
			}
			c, err := a.db.MemberCounts(ctx, o.ID)
			if err != nil {
				return err
			}
			for k, n := range c {
				counts[k] = n
			}
		}
	}
	slices.SortFunc(orgs, func(x, y *party.Org) int { return strings.Compare(x.Path, y.Path) })
	items := make([]orgJSON, 0, len(orgs))
	for _, o := range orgs {
		items = append(items, toOrg(o, counts[o.ID]))
	}
	writeJSON(w, http.StatusOK, itemsJSON[orgJSON]{items})
	return nil
}

// memberCount returns the active members whose own branch or party group is o.
func (a *API) memberCount(ctx context.Context, o *party.Org) (int, error) {
	counts, err := a.db.MemberCounts(ctx, o.ID)
	if err != nil {
		return 0, err
	}
	return counts[o.ID], nil
}

// writeOrg answers org id as it is now stored, with its member count.
func (a *API) writeOrg(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	o, err := a.db.FindOrg(r.Context(), id)
	if err != nil {
		return err
	}
	n, err := a.memberCount(r.Context(), o)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", fmt.Sprintf("/api/v1/orgs/%d", o.ID))
	}
	writeJSON(w, status, toOrg(o, n))
	return nil
}

// allowParent checks that the token's user may put organizations under parent (0: at the top).
func (a *API) allowParent(r *http.Request, parent int64) error {
	err := a.auth.AllowParent(r.Context(), principal(r), party.ActOrgWrite, parent)
	if party.ErrorCode(err) == party.ENOTFOUND {
		return party.FieldErrorf(party.EINVALID, "parent_id", "上级组织不存在")
	}
	return err
}

// getOrg answers GET /api/v1/orgs/{id} with its sub-organizations, officers and attachments.
func (a *API) getOrg(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	incl, err := queryBool(r, "include_dissolved")
	if err != nil {
		return err
	}
	o, err := a.db.FindOrg(ctx, id)
	if err != nil {
		return err
	}
	counts, err := a.db.MemberCounts(ctx, id)
	if err != nil {
		return err
	}
	children, err := a.db.Children(ctx, id, incl)
	if err != nil {
		return err
	}
	officers, err := a.db.Officers(ctx, id)
	if err != nil {
		return err
	}
	attached, err := a.db.Attached(ctx, id)
	if err != nil {
		return err
	}
	out := orgDetailJSON{orgJSON: toOrg(o, counts[o.ID]), Children: make([]orgJSON, 0, len(children)),
		Officers: toPositions(officers), Attachments: toAttachments(attached)}
	for _, c := range children {
		out.Children = append(out.Children, toOrg(c, counts[c.ID]))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// orgCreateRequest is the body of POST /api/v1/orgs.
type orgCreateRequest struct {
	ParentID  int64  `json:"parent_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	FoundedOn string `json:"founded_on"`
	StartOn   string `json:"start_on"`
	EndOn     string `json:"end_on"`
	Note      string `json:"note"`
}

// createOrg answers POST /api/v1/orgs.
func (a *API) createOrg(w http.ResponseWriter, r *http.Request) error {
	var req orgCreateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o := &party.Org{ParentID: req.ParentID, Code: req.Code, Name: req.Name, Kind: party.OrgKind(req.Kind), Note: req.Note}
	var err error
	if o.FoundedOn, err = parseDate("founded_on", req.FoundedOn); err != nil {
		return err
	}
	if o.StartOn, err = parseDate("start_on", req.StartOn); err != nil {
		return err
	}
	if o.EndOn, err = parseDate("end_on", req.EndOn); err != nil {
		return err
	}
	if err := a.allowParent(r, o.ParentID); err != nil {
		return err
	}
	if err := a.db.CreateOrg(r.Context(), o); err != nil {
		return err
	}
	return a.writeOrg(w, r, http.StatusCreated, o.ID)
}

// orgPatchRequest is the body of PATCH /api/v1/orgs/{id}; absent fields stay unchanged.
type orgPatchRequest struct {
	Name      *string `json:"name"`
	Code      *string `json:"code"`
	FoundedOn *string `json:"founded_on"`
	StartOn   *string `json:"start_on"`
	EndOn     *string `json:"end_on"`
	Note      *string `json:"note"`
}

// updateOrg answers PATCH /api/v1/orgs/{id}: rename, recode, dates, note.
func (a *API) updateOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req orgPatchRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u := store.OrgUpdate{Name: req.Name, Code: req.Code, Note: req.Note}
	if u.FoundedOn, err = parseDatePtr("founded_on", req.FoundedOn); err != nil {
		return err
	}
	if u.StartOn, err = parseDatePtr("start_on", req.StartOn); err != nil {
		return err
	}
	if u.EndOn, err = parseDatePtr("end_on", req.EndOn); err != nil {
		return err
	}
	if _, err := a.db.UpdateOrg(r.Context(), id, u); err != nil {
		return err
	}
	return a.writeOrg(w, r, http.StatusOK, id)
}

// orgMoveRequest is the body of POST /api/v1/orgs/{id}/move; parent_id 0 moves to the top.
type orgMoveRequest struct {
	ParentID *int64 `json:"parent_id"`
}

// moveOrg answers POST /api/v1/orgs/{id}/move: the organization and its subtree change parent.
func (a *API) moveOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req orgMoveRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.ParentID == nil || *req.ParentID < 0 {
		return invalid("parent_id", "请填写新的上级组织 parent_id（移为最上级组织时填 0）")
	}
	if err := a.allowParent(r, *req.ParentID); err != nil {
		return err
	}
	if _, err := a.db.MoveOrg(r.Context(), id, *req.ParentID); err != nil {
		return err
	}
	return a.writeOrg(w, r, http.StatusOK, id)
}

// orgDissolveRequest is the body of POST /api/v1/orgs/{id}/dissolve.
type orgDissolveRequest struct {
	DissolvedOn string `json:"dissolved_on"`
	Note        string `json:"note"`
}

// dissolveOrg answers POST /api/v1/orgs/{id}/dissolve; the organization stays readable.
func (a *API) dissolveOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req orgDissolveRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	on, err := parseDate("dissolved_on", req.DissolvedOn)
	if err != nil {
		return err
	}
	if _, err := a.db.DissolveOrg(r.Context(), id, on, req.Note); err != nil {
		return renameField(err, map[string]string{"dissolve_note": "note"})
	}
	return a.writeOrg(w, r, http.StatusOK, id)
}

// orgOfficers answers GET /api/v1/orgs/{id}/officers: the posts currently held there.
func (a *API) orgOfficers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.db.FindOrg(r.Context(), id); err != nil {
		return err
	}
	officers, err := a.db.Officers(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsJSON[positionJSON]{toPositions(officers)})
	return nil
}

// orgStats answers GET /api/v1/orgs/{id}/stats: active members of the subtree by category.
func (a *API) orgStats(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	counts, err := a.db.CountByCategory(r.Context(), id)
	if err != nil {
		return err
	}
	out := orgStatsJSON{OrgID: id, ByCategory: make([]categoryCountJSON, 0, len(party.Categories))}
	for _, c := range party.Categories {
		out.ByCategory = append(out.ByCategory, categoryCountJSON{Category: c, Count: counts[c]})
		out.Total += counts[c]
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// attachRequest is the body of POST /api/v1/orgs/{id}/attachments.
type attachRequest struct {
	MemberID int64  `json:"member_id"`
	StartOn  string `json:"start_on"`
	EndOn    string `json:"end_on"`
}

// attachMember answers POST /api/v1/orgs/{id}/attachments: a member joins a temporary branch
// without leaving their own branch.
func (a *API) attachMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req attachRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.MemberID != 0 {
		err := a.auth.AllowMember(r.Context(), principal(r), party.ActMemberRead, req.MemberID)
		if party.ErrorCode(err) == party.ENOTFOUND {
			return party.FieldErrorf(party.EINVALID, "member_id", "党员不存在")
		}
		if err != nil {
			return err
		}
	}
	at := &party.TempAttachment{MemberID: req.MemberID, OrgID: id}
	if at.StartOn, err = parseDate("start_on", req.StartOn); err != nil {
		return err
	}
	if at.EndOn, err = parseDate("end_on", req.EndOn); err != nil {
		return err
	}
	if err := a.db.Attach(r.Context(), at); err != nil {
		// The organization comes from the path, not the body.
		return renameField(err, map[string]string{"org_id": ""})
	}
	writeJSON(w, http.StatusCreated, toAttachment(at))
	return nil
}

// endRequest is the body of the routes that end a post or an attachment.
type endRequest struct {
	EndOn string `json:"end_on"`
}

// endAttachment answers POST /api/v1/attachments/{id}/end.
func (a *API) endAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req endRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	on, err := parseDate("end_on", req.EndOn)
	if err != nil {
		return err
	}
	if err := a.db.EndAttachment(r.Context(), id, on); err != nil {
		return err
	}
	at, err := a.db.FindAttachment(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAttachment(at))
	return nil
}
