// Package api serves the JSON API under /api/v1 for organizations and members.
package api

import (
	"log/slog"
	"net"
	"net/http"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// API holds what the JSON handlers need.
type API struct {
	db     *store.DB
	logger *slog.Logger
}

// New returns the API over db.
func New(db *store.DB, logger *slog.Logger) *API {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &API{db: db, logger: logger}
}

// handlerFunc is an API handler: it writes a success response itself and returns any error
// for handle to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts fn to http.Handler: it marks the request's actor for the audit trail, refuses
// query parameters that are not clean UTF-8, and turns a returned error into the JSON error
// answer.
func (a *API) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(party.WithActor(r.Context(), requestActor(r)))
		err := checkQuery(r)
		if err == nil {
			err = fn(w, r)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// requestActor keeps an actor already set by an outer layer (the accounts issue will add one)
// and otherwise names the API caller by its address.
func requestActor(r *http.Request) party.Actor {
	if act := party.ActorFrom(r.Context()); act != (party.Actor{Username: "system", Source: "system"}) {
		return act
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return party.Actor{Username: "api", Source: host}
}
