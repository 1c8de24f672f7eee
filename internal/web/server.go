// Package web serves the platform's pages: server-rendered HTML in Chinese, enhanced with the
// vendored htmx where it helps, and working without JavaScript everywhere. Every route but
// the sign-in, the one-time setup, static files and the health check needs a session.
package web

import (
	"dangjian/internal/files"
	"log/slog"
	"net/http"
	"time"

	"dangjian/internal/api"
	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Options configures the web handler; DB is required, the rest is optional.
type Options struct {
	DB *store.DB
	// Auth signs people in; a service with the production settings when nil.
	Auth   *auth.Service
	Logger *slog.Logger
	// Now is the clock for default dates and upload expiry; time.Now when nil.
	Now func() time.Time
	// Files keeps event attachments (photos, sign-in sheets, PDFs); attachments are refused
	// when nil.
	Files *files.Store
}

// Server holds what the page handlers share; it is the http.Handler of the whole program.
type Server struct {
	db      *store.DB
	auth    *auth.Service
	api     *api.API
	log     *slog.Logger
	now     func() time.Time
	views   *views
	uploads *uploads
	files   *files.Store
	handler http.Handler
}

// New returns the handler for every page, the static files and the JSON API.
func New(o Options) *Server {
	s := &Server{db: o.DB, auth: o.Auth, log: o.Logger, now: o.Now, files: o.Files}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.auth == nil {
		s.auth = auth.New(s.db, auth.Options{})
	}
	s.api = api.New(s.db, s.auth, s.log)
	s.views = mustLoadViews()
	s.uploads = newUploads(s.now)
	s.handler = s.middleware(s.register())
	return s
}

// ServeHTTP serves every page, static file and API route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// today returns the current calendar day in the display zone.
func (s *Server) today() party.Date { return party.Today(s.now()) }
