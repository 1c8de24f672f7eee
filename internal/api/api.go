// Package api serves the JSON API under /api/v1 for organizations and members. Every request
// carries an API token (Authorization: Bearer dj_...) and acts with its user's own grants.
package api

import (
	"log/slog"
	"net"
	"net/http"
	"strings"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// API holds what the JSON handlers need.
type API struct {
	db     *store.DB
	auth   *auth.Service
	logger *slog.Logger
}

// New returns the API over db; authn recognizes the tokens.
func New(db *store.DB, authn *auth.Service, logger *slog.Logger) *API {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &API{db: db, auth: authn, logger: logger}
}

// handlerFunc is an API handler: it writes a success response itself and returns any error
// for handle to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts fn to http.Handler: it recognizes the token, checks the route's rule, marks
// the request's actor for the audit trail, refuses query parameters that are not clean UTF-8,
// and turns a returned error into the JSON error answer.
func (a *API) handle(ru rule, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.principal(r)
		if party.ErrorCode(err) == party.EUNAUTHORIZED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dangjian"`)
		}
		if err == nil {
			ctx := party.WithPrincipal(r.Context(), p)
			ctx = party.WithActor(ctx, party.Actor{UserID: p.UserID, Username: p.Username, Source: "api " + clientHost(r)})
			r = r.WithContext(ctx)
			err = a.check(r, ru, p)
		}
		if err == nil {
			err = checkQuery(r)
		}
		if err == nil {
			err = fn(w, r)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// principal returns the principal of the request's bearer token.
func (a *API) principal(r *http.Request) (*party.Principal, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, party.Errorf(party.EUNAUTHORIZED, "请在请求头 Authorization: Bearer 中提供访问令牌")
	}
	return a.auth.TokenPrincipal(r.Context(), strings.TrimSpace(token))
}

// clientHost returns the address of the client without its port.
func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
