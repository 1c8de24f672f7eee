package web

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// membersExport downloads the members of the subtree of {id} (with the list's filters) as a
// roster workbook with masked ID and phone numbers, and records the export in the audit trail.
func (s *Server) membersExport(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	mv, err := s.membersView(ctx, o, r.URL.Query())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if mv.Error != "" {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "无法导出", mv.Error)
		return
	}
	members, err := s.allMembers(ctx, o, mv)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := office.WriteMembers(&buf, members, false); err != nil {
		s.serverError(w, r, err)
		return
	}
	name := o.Name + "党员名册.xlsx"
	detail := map[string]string{"file": name, "count": fmt.Sprint(len(members)), "masked": "true"}
	// The filters as the audit trail keeps them; an ID number searched for stays masked there.
	f := mv.filter
	for k, v := range map[string]string{"q": f.Query, "branch": fmt.Sprint(f.OrgID), "category": string(f.Category),
		"age": f.AgeBand, "education": f.Education} {
		if k == "q" && mv.IDSearch != "" {
			v = mv.IDSearch
		}
		if v != "" && v != "0" {
			detail["filter_"+k] = v
		}
	}
	if err := s.db.RecordExport(ctx, store.ObjMember, o.ID, detail); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendFile(w, name, "members.xlsx", buf.Bytes())
}

// allMembers loads every member matching the list's filters, page by page.
func (s *Server) allMembers(ctx context.Context, o *party.Org, mv *membersView) ([]*party.Member, error) {
	f := mv.filter
	const page = 500
	var out []*party.Member
	for {
		f.Limit, f.Offset = page, len(out)
		list, total, err := s.db.ListMembers(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if len(list) < page || len(out) >= total {
			return out, nil
		}
	}
}

// membersTemplate downloads the empty roster template with the subtree's branches and groups
// in its drop-down lists.
func (s *Server) membersTemplate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	orgs, err := s.db.ListOrgs(r.Context(), store.OrgFilter{Root: o.ID, Kinds: []party.OrgKind{party.KindBranch, party.KindGroup}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var branches, groups []*party.Org
	for _, x := range orgs {
		if x.Kind == party.KindBranch {
			branches = append(branches, x)
		} else {
			groups = append(groups, x)
		}
	}
	var buf bytes.Buffer
	if err := office.WriteTemplate(&buf, branches, groups); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendFile(w, o.Name+"党员名册导入模板.xlsx", "roster-template.xlsx", buf.Bytes())
}

// orgsTemplate downloads the empty organization sheet.
func (s *Server) orgsTemplate(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := office.WriteOrgs(&buf, nil, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendFile(w, "组织机构导入模板.xlsx", "orgs-template.xlsx", buf.Bytes())
}

// sendFile answers with a workbook download named in Chinese.
func sendFile(w http.ResponseWriter, name, fallback string, data []byte) {
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", attachmentHeader(name, fallback))
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.Write(data)
}

// attachmentHeader builds a Content-Disposition for a download named in Chinese: an ASCII
// fallback for old clients and the UTF-8 name (RFC 6266, RFC 8187) for the rest.
func attachmentHeader(name, fallback string) string {
	var b strings.Builder
	for _, c := range []byte(safeFileName(name)) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return mime.FormatMediaType("attachment", map[string]string{"filename": fallback}) + "; filename*=UTF-8''" + b.String()
}

// safeFileName replaces characters that file systems or browsers refuse in a name.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
}
