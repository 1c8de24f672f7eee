package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// maxPerPage bounds per_page on member lists.
const maxPerPage = 100

// listMembers answers GET /api/v1/members: one page of a filtered roster, sorted by pinyin.
func (a *API) listMembers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f store.MemberFilter
	var err error
	if f.Root, err = queryID(r, "org"); err != nil {
		return err
	}
	if f.OrgID, err = queryID(r, "branch"); err != nil {
		return err
	}
	if f.GroupID, err = queryID(r, "group"); err != nil {
		return err
	}
	// Every organization named must be readable; without one, the list is the user's subtree.
	for _, id := range []int64{f.Root, f.OrgID, f.GroupID} {
		if id != 0 {
			if err := a.auth.AllowOrg(r.Context(), principal(r), party.ActMemberRead, id); err != nil {
				return err
			}
		}
	}
	if f.Root == 0 && f.OrgID == 0 && f.GroupID == 0 {
		everywhere, ids := principal(r).Scopes(party.ActMemberRead)
		switch {
		case everywhere:
		case len(ids) == 1:
			f.Root = ids[0]
		case len(ids) == 0:
			writeJSON(w, http.StatusOK, memberPageJSON{Items: []memberJSON{}, Page: 1, PerPage: 20})
			return nil
		default:
			return invalid("org", "您的权限涵盖多个组织，请用参数 org 指定其中一个")
		}
	}
	f.Query = q.Get("q")
	if c := q.Get("category"); c != "" {
		if !slices.Contains(party.Categories, party.Category(c)) {
			return invalid("category", "参数 category 应为“正式党员”或“预备党员”")
		}
		f.Category = party.Category(c)
	}
	if e := q.Get("education"); e != "" {
		if !slices.Contains(party.Educations, e) {
			return invalid("education", fmt.Sprintf("参数 education 应为%s之一", strings.Join(party.Educations, "、")))
		}
		f.Education = e
	}
	f.AgeBand = q.Get("age")
	switch s := party.MemberStatus(q.Get("status")); s {
	case "", "all", party.StatusActive, party.StatusTransferredOut:
		f.Status = s
	default:
		return invalid("status", "参数 status 应为“在册”“已转出”或 all")
	}
	page, err := queryInt(r, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	perPage, err := queryInt(r, "per_page", 20, 1, maxPerPage)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = (page-1)*perPage, perPage
	list, total, err := a.db.ListMembers(r.Context(), f)
	if err != nil {
		return err
	}
	today := party.Today(a.db.Now())
	out := memberPageJSON{Items: make([]memberJSON, 0, len(list)), Total: total, Page: page, PerPage: perPage}
	for _, m := range list {
		out.Items = append(out.Items, toMember(m, today))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// memberRequest holds the editable fields of a member. id_number and phone arrive in full
// (plain strings); on PUT, leaving them out keeps the stored values, because clients only ever
// see them masked.
type memberRequest struct {
	OrgID     int64   `json:"org_id"`
	GroupID   int64   `json:"group_id"`
	Name      string  `json:"name"`
	Gender    string  `json:"gender"`
	Ethnicity string  `json:"ethnicity"`
	BirthDate string  `json:"birth_date"`
	IDNumber  *string `json:"id_number"`
	Phone     *string `json:"phone"`
	Education string  `json:"education"`
	UnitPost  string  `json:"unit_post"`
	JoinedOn  string  `json:"joined_on"`
	FullOn    string  `json:"full_on"`
	Category  string  `json:"category"`
	Note      string  `json:"note"`
}

// member builds the domain member from the request; old (nil on create) supplies the branch,
// ID number and phone that the request leaves out.
func (req *memberRequest) member(old *party.Member) (*party.Member, error) {
	m := &party.Member{OrgID: req.OrgID, GroupID: req.GroupID, Name: req.Name, Gender: party.Gender(req.Gender),
		Ethnicity: req.Ethnicity, Education: req.Education, UnitPost: req.UnitPost,
		Category: party.Category(req.Category), Note: req.Note}
	if old != nil {
		m.ID = old.ID
		if m.OrgID == 0 {
			m.OrgID = old.OrgID
		}
		m.IDNumber, m.Phone = old.IDNumber, old.Phone
	}
	if req.IDNumber != nil {
		m.IDNumber = party.IDNumber(*req.IDNumber)
	}
	if req.Phone != nil {
		m.Phone = party.Phone(*req.Phone)
	}
	var err error
	if m.BirthDate, err = parseDate("birth_date", req.BirthDate); err != nil {
		return nil, err
	}
	if m.JoinedOn, err = parseDate("joined_on", req.JoinedOn); err != nil {
		return nil, err
	}
	if m.FullOn, err = parseDate("full_on", req.FullOn); err != nil {
		return nil, err
	}
	return m, nil
}

// transferInRequest says where a member created by transfer comes from.
type transferInRequest struct {
	On   string `json:"on"`
	From string `json:"from"`
	Note string `json:"note"`
}

// memberCreateRequest is the body of POST /api/v1/members.
type memberCreateRequest struct {
	memberRequest
	TransferIn *transferInRequest `json:"transfer_in"`
}

// writeMember answers member id as it is now stored.
func (a *API) writeMember(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	m, err := a.db.FindMember(r.Context(), id)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", fmt.Sprintf("/api/v1/members/%d", m.ID))
	}
	writeJSON(w, status, toMember(m, party.Today(a.db.Now())))
	return nil
}

// createMember answers POST /api/v1/members: a new member, or with transfer_in a member whose
// organizational relation comes from outside (转入).
func (a *API) createMember(w http.ResponseWriter, r *http.Request) error {
	var req memberCreateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m, err := req.member(nil)
	if err != nil {
		return err
	}
	if m.OrgID != 0 {
		if err := a.allowBodyOrg(r, party.ActMemberWrite, m.OrgID, "org_id", "所在党支部不存在"); err != nil {
			return err
		}
	}
	if t := req.TransferIn; t != nil {
		on, err := parseDate("transfer_in.on", t.On)
		if err != nil {
			return err
		}
		// The member's own note shares the store's field name "note", so the transfer's is
		// checked here to name it unambiguously.
		if utf8.RuneCountInString(t.Note) > party.MaxTextLen {
			return invalid("transfer_in.note", fmt.Sprintf("转入说明不能超过%d个字", party.MaxTextLen))
		}
		err = a.db.TransferInMember(r.Context(), m, on, t.From, t.Note)
		if err != nil {
			return renameField(err, map[string]string{"on": "transfer_in.on", "counterpart": "transfer_in.from"})
		}
	} else if err := a.db.CreateMember(r.Context(), m); err != nil {
		return err
	}
	return a.writeMember(w, r, http.StatusCreated, m.ID)
}

// getMember answers GET /api/v1/members/{id} with the member's posts, transfers and
// temporary-branch attachments.
func (a *API) getMember(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := a.db.FindMember(ctx, id)
	if err != nil {
		return err
	}
	positions, err := a.db.MemberPositions(ctx, id)
	if err != nil {
		return err
	}
	transfers, err := a.db.Transfers(ctx, id)
	if err != nil {
		return err
	}
	attached, err := a.db.MemberAttachments(ctx, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, memberDetailJSON{memberJSON: toMember(m, party.Today(a.db.Now())),
		Positions: toPositions(positions), Transfers: toTransfers(transfers), Attachments: toAttachments(attached)})
	return nil
}

// updateMember answers PUT /api/v1/members/{id}: the editable fields are replaced.
func (a *API) updateMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req memberRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	old, err := a.db.FindMember(r.Context(), id)
	if err != nil {
		return err
	}
	m, err := req.member(old)
	if err != nil {
		return err
	}
	if err := a.db.UpdateMember(r.Context(), m); err != nil {
		return err
	}
	return a.writeMember(w, r, http.StatusOK, id)
}

// transferOutRequest is the body of POST /api/v1/members/{id}/transfer-out.
type transferOutRequest struct {
	On   string `json:"on"`
	To   string `json:"to"`
	Note string `json:"note"`
}

// transferOut answers POST /api/v1/members/{id}/transfer-out: the member leaves the roster
// for an organization outside the tree; the record and its history stay.
func (a *API) transferOut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req transferOutRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	on, err := parseDate("on", req.On)
	if err != nil {
		return err
	}
	if _, err := a.db.TransferOut(r.Context(), id, on, req.To, req.Note); err != nil {
		return renameField(err, map[string]string{"counterpart": "to"})
	}
	return a.writeMember(w, r, http.StatusOK, id)
}

// memberMoveRequest is the body of POST /api/v1/members/{id}/move.
type memberMoveRequest struct {
	OrgID   int64  `json:"org_id"`
	GroupID int64  `json:"group_id"`
	On      string `json:"on"`
	Note    string `json:"note"`
}

// moveMember answers POST /api/v1/members/{id}/move: a transfer to another branch of the tree.
func (a *API) moveMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req memberMoveRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	on, err := parseDate("on", req.On)
	if err != nil {
		return err
	}
	if req.OrgID != 0 {
		if err := a.allowBodyOrg(r, party.ActMemberWrite, req.OrgID, "org_id", "所在党支部不存在"); err != nil {
			return err
		}
	}
	if _, err := a.db.MoveMember(r.Context(), id, req.OrgID, req.GroupID, on, req.Note); err != nil {
		return err
	}
	return a.writeMember(w, r, http.StatusOK, id)
}

// positionRequest is the body of POST /api/v1/members/{id}/positions.
type positionRequest struct {
	OrgID   int64  `json:"org_id"`
	Title   string `json:"title"`
	StartOn string `json:"start_on"`
	EndOn   string `json:"end_on"`
}

// addPosition answers POST /api/v1/members/{id}/positions: the member takes up a party post.
func (a *API) addPosition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req positionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if _, err := a.db.FindMember(r.Context(), id); err != nil {
		return err
	}
	p := &party.Position{MemberID: id, OrgID: req.OrgID, Title: req.Title}
	if p.StartOn, err = parseDate("start_on", req.StartOn); err != nil {
		return err
	}
	if p.EndOn, err = parseDate("end_on", req.EndOn); err != nil {
		return err
	}
	if p.OrgID != 0 {
		if err := a.allowBodyOrg(r, party.ActMemberWrite, p.OrgID, "org_id", "组织不存在"); err != nil {
			return err
		}
	}
	if err := a.db.AddPosition(r.Context(), p); err != nil {
		// The member comes from the path, not the body.
		return renameField(err, map[string]string{"member_id": ""})
	}
	writeJSON(w, http.StatusCreated, toPosition(p))
	return nil
}

// endPosition answers POST /api/v1/positions/{id}/end.
func (a *API) endPosition(w http.ResponseWriter, r *http.Request) error {
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
	if err := a.db.EndPosition(r.Context(), id, on); err != nil {
		return err
	}
	p, err := a.db.FindPosition(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toPosition(p))
	return nil
}

// unmaskJSON is the answer of the unmask route: the full numbers of one member.
type unmaskJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// unmaskMember answers POST /api/v1/members/{id}/unmask with the member's full ID and phone
// numbers, after recording in the audit trail who saw them.
func (a *API) unmaskMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := a.db.FindMember(r.Context(), id)
	if err != nil {
		return err
	}
	if err := a.db.RecordUnmask(r.Context(), m.ID, m.OrgID, []string{"id_number", "phone"}, "api"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, unmaskJSON{ID: m.ID, Name: m.Name, IDNumber: m.IDNumber.Reveal(), Phone: m.Phone.Reveal()})
	return nil
}
