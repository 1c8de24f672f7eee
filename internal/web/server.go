// Package web serves the platform's pages: server-rendered HTML in Chinese, enhanced with the
// vendored htmx where it helps, and working without JavaScript everywhere.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Options configures the web handler; DB is required, the rest is optional.
type Options struct {
	DB     *store.DB
	Logger *slog.Logger
	// Now is the clock for default dates and upload expiry; time.Now when nil.
	Now func() time.Time
}

// Server holds what the page handlers share.
type Server struct {
	db      *store.DB
	log     *slog.Logger
	now     func() time.Time
	views   *views
	uploads *uploads
}

// New returns the handler for every page, the static files and the JSON API.
func New(o Options) http.Handler {
	s := &Server{db: o.DB, log: o.Logger, now: o.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.views = mustLoadViews()
	s.uploads = newUploads(s.now)
	return s.middleware(s.routes())
}

// today returns the current calendar day in the display zone.
func (s *Server) today() party.Date { return party.Today(s.now()) }
