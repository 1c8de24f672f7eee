package web

import (
	"context"
	"net"
	"net/http"
	"net/url"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// ruleKind says what a route asks of the request before its handler runs.
type ruleKind int

const (
	// anyone: no session needed (sign-in, static files, health check).
	ruleAnyone ruleKind = iota
	// setup: only on loopback, and only while no account exists.
	ruleSetup
	// signedIn: any session whose account is fully set up.
	ruleSignedIn
	// self: any session, also one restricted to changing the password or setting up TOTP.
	ruleSelf
	// anywhere: the principal may perform the action somewhere; the handler checks records.
	ruleAnywhere
	// installation: the principal may perform the action on the whole installation (a shared
	// catalogue such as the 第一议题 ledger, which every organization's figures depend on).
	ruleInstallation
	// org: the path's {id} is an organization, on which the principal must be allowed the action.
	ruleOrg
	// member: the path's {id} is a member record, likewise.
	ruleMember
	// event: the path's {id} is an event (组织生活/学习活动), likewise; a 党员 sees the events
	// it is expected at.
	ruleEvent
	// parent: the organization named by ?parent= (GET) or the form's parent_id (POST); none
	// means a new top-level organization, which needs a grant on the whole installation.
	ruleParent
)

// rule is who may use a route.
type rule struct {
	kind   ruleKind
	action party.Action
}

var (
	anyone    = rule{kind: ruleAnyone}
	setupOnly = rule{kind: ruleSetup}
	signedIn  = rule{kind: ruleSignedIn}
	self      = rule{kind: ruleSelf}
)

func anywhere(a party.Action) rule { return rule{kind: ruleAnywhere, action: a} }
func installation(a party.Action) rule {
	return rule{kind: ruleInstallation, action: a}
}
func onOrg(a party.Action) rule    { return rule{kind: ruleOrg, action: a} }
func onMember(a party.Action) rule { return rule{kind: ruleMember, action: a} }
func onParent(a party.Action) rule { return rule{kind: ruleParent, action: a} }
func onEvent(a party.Action) rule  { return rule{kind: ruleEvent, action: a} }

// String describes the rule for the route list.
func (r rule) String() string {
	switch r.kind {
	case ruleAnyone:
		return "anyone"
	case ruleSetup:
		return "loopback, while no account exists"
	case ruleSignedIn:
		return "signed in"
	case ruleSelf:
		return "signed in (also before the password change or TOTP set-up)"
	case ruleAnywhere:
		return string(r.action) + " somewhere"
	case ruleInstallation:
		return string(r.action) + " on the whole installation"
	case ruleOrg:
		return string(r.action) + " on organization {id}"
	case ruleMember:
		return string(r.action) + " on member {id}"
	case ruleEvent:
		return string(r.action) + " on event {id}"
	}
	return string(r.action) + " on the parent organization"
}

// sessionCookie names the cookie holding the session token.
const sessionCookie = "dangjian_session"

type sessionKey struct{}

// sessionFrom returns the session of a signed-in request, or nil.
func sessionFrom(ctx context.Context) *store.Session {
	s, _ := ctx.Value(sessionKey{}).(*store.Session)
	return s
}

// clientHost returns the address of the client without its port.
func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// source names where a web request comes from, for the audit trail and the rate limit.
func source(r *http.Request) string { return "web " + clientHost(r) }

// guard wraps a route's handler with its rule: it recognizes the session, refuses anonymous
// and restricted requests, checks the permission on the record the path names, and puts the
// principal and the actor for the audit trail into the request's context.
func (s *Server) guard(rt route) http.Handler {
	h := http.HandlerFunc(rt.handler)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		switch rt.rule.kind {
		case ruleAnyone:
			h.ServeHTTP(w, r.WithContext(party.WithActor(ctx, party.Actor{Username: "anonymous", Source: source(r)})))
			return
		case ruleSetup:
			if !s.setupOpen(r) {
				s.notFound(w, r)
				return
			}
			h.ServeHTTP(w, r.WithContext(party.WithActor(ctx, party.Actor{Username: "setup", Source: source(r)})))
			return
		}
		p, sess, err := s.session(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if p == nil {
			s.signInFirst(w, r)
			return
		}
		ctx = party.WithPrincipal(ctx, p)
		ctx = party.WithActor(ctx, party.Actor{UserID: p.UserID, Username: p.Username, Source: source(r)})
		ctx = context.WithValue(ctx, sessionKey{}, sess)
		r = r.WithContext(ctx)
		if p.Restricted() && rt.rule.kind != ruleSelf {
			s.finishSetupFirst(w, r, p)
			return
		}
		if s.check(w, r, rt.rule, p) {
			h.ServeHTTP(w, r)
		}
	})
}

// session returns the principal and session of the request's cookie, or nils when there is
// no valid one.
func (s *Server) session(r *http.Request) (*party.Principal, *store.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	p, sess, err := s.auth.Authenticate(r.Context(), c.Value)
	if party.ErrorCode(err) == party.EUNAUTHORIZED {
		return nil, nil, nil
	}
	return p, sess, err
}

// signInFirst answers an anonymous request: a page request goes to the sign-in page and comes
// back afterwards; anything else is refused.
func (s *Server) signInFirst(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.errorPage(w, r, http.StatusUnauthorized, "请先登录", "登录已失效或尚未登录，请重新登录后再操作。")
		return
	}
	target := "/signin"
	if r.URL.Path != "/" {
		target += "?" + url.Values{"next": {r.URL.RequestURI()}}.Encode()
	}
	if r.Header.Get("HX-Request") == "true" {
		// htmx would put the sign-in page inside the page; send the whole window there.
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// finishSetupFirst sends a restricted session to the page it must complete.
func (s *Server) finishSetupFirst(w http.ResponseWriter, r *http.Request, p *party.Principal) {
	target := "/account/2fa"
	if p.MustChangePassword {
		target = "/account/password"
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.errorPage(w, r, http.StatusForbidden, "请先完成账户设置", "请先修改密码或设置双因素认证，然后再进行其他操作。")
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// check applies a route's rule to principal p and answers a refusal itself: 404 for a record
// p may not see (as for a missing one), 403 for one it may see but not change. It reports
// whether the handler may run.
func (s *Server) check(w http.ResponseWriter, r *http.Request, ru rule, p *party.Principal) bool {
	ctx := r.Context()
	var err error
	switch ru.kind {
	case ruleSignedIn, ruleSelf:
	case ruleAnywhere:
		if !p.CanAny(ru.action) {
			err = auth.Forbidden()
		}
	case ruleInstallation:
		if !p.Can(ru.action, party.Target{OrgPath: party.RootPath}) {
			err = auth.Forbidden()
		}
	case ruleOrg, ruleMember, ruleEvent:
		id, ok := pathID(r, "id")
		if !ok {
			s.notFound(w, r)
			return false
		}
		switch ru.kind {
		case ruleOrg:
			err = s.auth.AllowOrg(ctx, p, ru.action, id)
		case ruleMember:
			err = s.auth.AllowMember(ctx, p, ru.action, id)
		default:
			err = s.auth.AllowEvent(ctx, p, ru.action, id)
		}
	default: // ruleParent
		v := r.URL.Query().Get("parent")
		if r.Method == http.MethodPost {
			f, ok := s.parseForm(w, r)
			if !ok {
				return false
			}
			v = f.get("parent_id")
		}
		id, ok := parseID(v)
		if v == "" || v == "0" {
			id, ok = 0, true
		}
		if !ok {
			s.notFound(w, r)
			return false
		}
		err = s.auth.AllowParent(ctx, p, ru.action, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	return true
}

// formOrgError checks action a on organization id chosen in a form; it returns the message to
// show beside the field, the same for a missing organization and one the user may not see.
func (s *Server) formOrgError(ctx context.Context, a party.Action, id int64, missing string) (string, error) {
	err := s.auth.AllowParent(ctx, party.PrincipalFrom(ctx), a, id)
	switch party.ErrorCode(err) {
	case "":
		return "", nil
	case party.ENOTFOUND:
		return missing, nil
	case party.EFORBIDDEN:
		return party.ErrorMessage(err), nil
	}
	return "", err
}

// can reports whether the request's principal may perform a on t; templates use it to show
// only the actions that will work.
func can(ctx context.Context, a party.Action, t party.Target) bool {
	return party.PrincipalFrom(ctx).Can(a, t)
}

// setupOpen reports whether the one-time setup page answers r: on loopback, with no account.
func (s *Server) setupOpen(r *http.Request) bool {
	if !isLoopback(r.RemoteAddr) {
		return false
	}
	n, err := s.db.CountUsers(r.Context())
	return err == nil && n == 0
}
