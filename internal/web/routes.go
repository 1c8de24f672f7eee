package web

import (
	"net/http"

	"dangjian/internal/api"
)

// Request body limits: forms are small; an upload carries one workbook plus multipart framing.
const (
	maxFormBody   = 1 << 20
	maxUploadFile = 20 << 20
	maxUploadBody = maxUploadFile + 1<<20
)

// routes is the whole route table: every page of the program and the file that serves it.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	form := func(h http.HandlerFunc) http.Handler { return http.MaxBytesHandler(h, maxFormBody) }
	upload := func(h http.HandlerFunc) http.Handler { return http.MaxBytesHandler(h, maxUploadBody) }

	// static.go
	mux.Handle("GET /static/{path...}", http.HandlerFunc(s.static))

	// JSON API (internal/api).
	api.New(s.db, s.log).Register(mux)

	// orgs.go: the tree and one organization with its members.
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /orgs", s.orgTree)
	mux.HandleFunc("GET /orgs/{id}", s.orgShow)

	// org_forms.go: create, edit, move, dissolve.
	mux.HandleFunc("GET /orgs/new", s.orgNew)
	mux.Handle("POST /orgs", form(s.orgCreate))
	mux.HandleFunc("GET /orgs/{id}/edit", s.orgEdit)
	mux.Handle("POST /orgs/{id}/edit", form(s.orgUpdate))
	mux.HandleFunc("GET /orgs/{id}/move", s.orgMoveForm)
	mux.Handle("POST /orgs/{id}/move", form(s.orgMove))
	mux.HandleFunc("GET /orgs/{id}/dissolve", s.orgDissolveForm)
	mux.Handle("POST /orgs/{id}/dissolve", form(s.orgDissolve))

	// exports.go: spreadsheets.
	mux.HandleFunc("GET /orgs/{id}/members.xlsx", s.membersExport)
	mux.HandleFunc("GET /orgs/{id}/template.xlsx", s.membersTemplate)
	mux.HandleFunc("GET /orgs/template.xlsx", s.orgsTemplate)

	// imports.go: roster and organization sheet, previewed before they are imported.
	mux.HandleFunc("GET /orgs/{id}/import", s.memberImportForm)
	mux.Handle("POST /orgs/{id}/import", upload(s.memberImportPreview))
	mux.Handle("POST /orgs/{id}/import/{token}", form(s.memberImportConfirm))
	mux.HandleFunc("GET /orgs/import", s.orgImportForm)
	mux.Handle("POST /orgs/import", upload(s.orgImportPreview))
	mux.Handle("POST /orgs/import/confirm/{token}", form(s.orgImportConfirm))

	// members.go: one member, and the forms that change a member.
	mux.HandleFunc("GET /orgs/{id}/members/new", s.memberNew)
	mux.Handle("POST /orgs/{id}/members", form(s.memberCreate))
	mux.HandleFunc("GET /members/{id}", s.memberShow)
	mux.HandleFunc("GET /members/{id}/edit", s.memberEdit)
	mux.Handle("POST /members/{id}/edit", form(s.memberUpdate))

	// member_records.go: transfers, positions, temporary-branch attachments.
	mux.HandleFunc("GET /members/{id}/transfer", s.memberTransferForm)
	mux.Handle("POST /members/{id}/transfer", form(s.memberTransfer))
	mux.HandleFunc("GET /members/{id}/move", s.memberMoveForm)
	mux.Handle("POST /members/{id}/move", form(s.memberMove))
	mux.HandleFunc("GET /members/{id}/positions/new", s.positionNew)
	mux.Handle("POST /members/{id}/positions", form(s.positionCreate))
	mux.Handle("POST /members/{id}/positions/{pid}/end", form(s.positionEnd))
	mux.HandleFunc("GET /members/{id}/attach", s.attachNew)
	mux.Handle("POST /members/{id}/attach", form(s.attachCreate))
	mux.Handle("POST /members/{id}/attachments/{aid}/end", form(s.attachEnd))
	return mux
}
