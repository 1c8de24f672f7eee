package api

import (
	"time"

	"dangjian/internal/party"
)

// The response DTOs below fix the wire format apart from the domain structs, so a field added
// to party.Member never reaches clients unnoticed. Dates marshal as 2006-01-02 ("" when
// unset); IDNumber and Phone marshal masked by themselves.

// orgJSON is an organization as the API writes it.
type orgJSON struct {
	ID           int64         `json:"id"`
	ParentID     int64         `json:"parent_id"`
	Code         string        `json:"code"`
	Name         string        `json:"name"`
	Kind         party.OrgKind `json:"kind"`
	Path         string        `json:"path"`
	Depth        int           `json:"depth"`
	FoundedOn    party.Date    `json:"founded_on"`
	DissolvedOn  party.Date    `json:"dissolved_on"`
	DissolveNote string        `json:"dissolve_note"`
	StartOn      party.Date    `json:"start_on"`
	EndOn        party.Date    `json:"end_on"`
	Note         string        `json:"note"`
	MemberCount  int           `json:"member_count"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

func toOrg(o *party.Org, memberCount int) orgJSON {
	return orgJSON{ID: o.ID, ParentID: o.ParentID, Code: o.Code, Name: o.Name, Kind: o.Kind, Path: o.Path,
		Depth: o.Depth, FoundedOn: o.FoundedOn, DissolvedOn: o.DissolvedOn, DissolveNote: o.DissolveNote,
		StartOn: o.StartOn, EndOn: o.EndOn, Note: o.Note, MemberCount: memberCount, CreatedAt: o.CreatedAt,
		UpdatedAt: o.UpdatedAt}
}

// orgDetailJSON is one organization with its direct sub-organizations, current officers and
// the members attached to it (temporary branches only have those).
type orgDetailJSON struct {
	orgJSON
	Children    []orgJSON        `json:"children"`
	Officers    []positionJSON   `json:"officers"`
	Attachments []attachmentJSON `json:"attachments"`
}

// memberJSON is a member as the API writes it, with id_number and phone masked.
type memberJSON struct {
	ID        int64              `json:"id"`
	OrgID     int64              `json:"org_id"`
	OrgName   string             `json:"org_name"`
	GroupID   int64              `json:"group_id"`
	GroupName string             `json:"group_name"`
	Name      string             `json:"name"`
	Gender    party.Gender       `json:"gender"`
	Ethnicity string             `json:"ethnicity"`
	BirthDate party.Date         `json:"birth_date"`
	Age       int                `json:"age"`
	IDNumber  party.IDNumber     `json:"id_number"`
	Phone     party.Phone        `json:"phone"`
	Education string             `json:"education"`
	UnitPost  string             `json:"unit_post"`
	JoinedOn  party.Date         `json:"joined_on"`
	FullOn    party.Date         `json:"full_on"`
	Category  party.Category     `json:"category"`
	Status    party.MemberStatus `json:"status"`
	LeftOn    party.Date         `json:"left_on"`
	Note      string             `json:"note"`
	CreatedAt time.Time          `json:"created_at"`
	UpdatedAt time.Time          `json:"updated_at"`
}

func toMember(m *party.Member, today party.Date) memberJSON {
	return memberJSON{ID: m.ID, OrgID: m.OrgID, OrgName: m.OrgName, GroupID: m.GroupID, GroupName: m.GroupName,
		Name: m.Name, Gender: m.Gender, Ethnicity: m.Ethnicity, BirthDate: m.BirthDate, Age: m.Age(today),
		IDNumber: m.IDNumber, Phone: m.Phone, Education: m.Education, UnitPost: m.UnitPost, JoinedOn: m.JoinedOn,
		FullOn: m.FullOn, Category: m.Category, Status: m.Status, LeftOn: m.LeftOn, Note: m.Note,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// memberDetailJSON is one member with the posts, transfers and temporary-branch attachments
// of their history.
type memberDetailJSON struct {
	memberJSON
	Positions   []positionJSON   `json:"positions"`
	Transfers   []transferJSON   `json:"transfers"`
	Attachments []attachmentJSON `json:"attachments"`
}

// memberPageJSON is one page of a member list.
type memberPageJSON struct {
	Items   []memberJSON `json:"items"`
	Total   int          `json:"total"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
}

// positionJSON is a party post held by a member.
type positionJSON struct {
	ID         int64      `json:"id"`
	MemberID   int64      `json:"member_id"`
	MemberName string     `json:"member_name"`
	OrgID      int64      `json:"org_id"`
	OrgName    string     `json:"org_name"`
	Title      string     `json:"title"`
	StartOn    party.Date `json:"start_on"`
	EndOn      party.Date `json:"end_on"`
}

func toPositions(list []*party.Position) []positionJSON {
	out := make([]positionJSON, 0, len(list))
	for _, p := range list {
		out = append(out, toPosition(p))
	}
	return out
}

func toPosition(p *party.Position) positionJSON {
	return positionJSON{ID: p.ID, MemberID: p.MemberID, MemberName: p.MemberName, OrgID: p.OrgID,
		OrgName: p.OrgName, Title: p.Title, StartOn: p.StartOn, EndOn: p.EndOn}
}

// transferJSON is one 组织关系转接 record.
type transferJSON struct {
	ID          int64              `json:"id"`
	MemberID    int64              `json:"member_id"`
	Kind        party.TransferKind `json:"kind"`
	On          party.Date         `json:"on"`
	FromOrgID   int64              `json:"from_org_id"`
	FromOrgName string             `json:"from_org_name"`
	ToOrgID     int64              `json:"to_org_id"`
	ToOrgName   string             `json:"to_org_name"`
	Counterpart string             `json:"counterpart"`
	Note        string             `json:"note"`
}

func toTransfers(list []*party.Transfer) []transferJSON {
	out := make([]transferJSON, 0, len(list))
	for _, t := range list {
		out = append(out, transferJSON{ID: t.ID, MemberID: t.MemberID, Kind: t.Kind, On: t.On,
			FromOrgID: t.FromOrgID, FromOrgName: t.FromOrgName, ToOrgID: t.ToOrgID, ToOrgName: t.ToOrgName,
			Counterpart: t.Counterpart, Note: t.Note})
	}
	return out
}

// attachmentJSON is a member's attachment to a temporary branch.
type attachmentJSON struct {
	ID         int64      `json:"id"`
	MemberID   int64      `json:"member_id"`
	MemberName string     `json:"member_name"`
	OrgID      int64      `json:"org_id"`
	OrgName    string     `json:"org_name"`
	StartOn    party.Date `json:"start_on"`
	EndOn      party.Date `json:"end_on"`
}

func toAttachments(list []*party.TempAttachment) []attachmentJSON {
	out := make([]attachmentJSON, 0, len(list))
	for _, a := range list {
		out = append(out, toAttachment(a))
	}
	return out
}

func toAttachment(a *party.TempAttachment) attachmentJSON {
	return attachmentJSON{ID: a.ID, MemberID: a.MemberID, MemberName: a.MemberName, OrgID: a.OrgID,
		OrgName: a.OrgName, StartOn: a.StartOn, EndOn: a.EndOn}
}

// categoryCountJSON is the number of active members of one category.
type categoryCountJSON struct {
	Category party.Category `json:"category"`
	Count    int            `json:"count"`
}

// orgStatsJSON counts the active members of an organization's subtree.
type orgStatsJSON struct {
	OrgID      int64               `json:"org_id"`
	Total      int                 `json:"total"`
	ByCategory []categoryCountJSON `json:"by_category"`
}
