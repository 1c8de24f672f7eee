package api

import (
	"net/http"

	"dangjian/internal/auth"
	"dangjian/internal/party"
)

// ruleKind says what a route asks of the token's principal before its handler runs.
type ruleKind int

const (
	// signedIn: any valid token.
	ruleSignedIn ruleKind = iota
	// anywhere: the principal may perform the action somewhere; the handler checks records
	// (the organizations named in the body, the subtrees of a list).
	ruleAnywhere
	// installation: the principal may perform the action on the whole installation (a shared
	// catalogue such as the 第一议题 ledger).
	ruleInstallation
	// org, member, position, attachment, event: the path's {id} names such a record, on which
	// the principal must be allowed the action.
	ruleOrg
	ruleMember
	rulePosition
	ruleAttachment
	ruleEvent
)

// rule is who may use a route.
type rule struct {
	kind   ruleKind
	action party.Action
}

var signedIn = rule{kind: ruleSignedIn}

func anywhere(a party.Action) rule     { return rule{kind: ruleAnywhere, action: a} }
func installation(a party.Action) rule { return rule{kind: ruleInstallation, action: a} }
func onOrg(a party.Action) rule        { return rule{kind: ruleOrg, action: a} }
func onMember(a party.Action) rule     { return rule{kind: ruleMember, action: a} }
func onPosition(a party.Action) rule   { return rule{kind: rulePosition, action: a} }
func onAttachment(a party.Action) rule { return rule{kind: ruleAttachment, action: a} }
func onEvent(a party.Action) rule      { return rule{kind: ruleEvent, action: a} }

// String describes the rule for the route list.
func (r rule) String() string {
	switch r.kind {
	case ruleSignedIn:
		return "token"
	case ruleAnywhere:
		return string(r.action) + " somewhere"
	case ruleInstallation:
		return string(r.action) + " on the whole installation"
	case ruleOrg:
		return string(r.action) + " on organization {id}"
	case ruleMember:
		return string(r.action) + " on member {id}"
	case rulePosition:
		return string(r.action) + " on the organization of post {id}"
	case ruleEvent:
		return string(r.action) + " on event {id}"
	}
	return string(r.action) + " on the temporary branch of attachment {id}"
}

// check applies rule ru to p: a record of another subtree answers 404 like a missing one.
func (a *API) check(r *http.Request, ru rule, p *party.Principal) error {
	ctx := r.Context()
	if ru.kind == ruleSignedIn {
		return nil
	}
	if ru.kind == ruleAnywhere {
		if !p.CanAny(ru.action) {
			return auth.Forbidden()
		}
		return nil
	}
	if ru.kind == ruleInstallation {
		if !p.Can(ru.action, party.Target{OrgPath: party.RootPath}) {
			return auth.Forbidden()
		}
		return nil
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	switch ru.kind {
	case ruleOrg:
		return a.auth.AllowOrg(ctx, p, ru.action, id)
	case ruleMember:
		return a.auth.AllowMember(ctx, p, ru.action, id)
	case rulePosition:
		return a.auth.AllowPosition(ctx, p, ru.action, id)
	case ruleEvent:
		// A 党员 reaches only the events it is expected at; any other answers 404.
		return a.auth.AllowEvent(ctx, p, ru.action, id)
	}
	return a.auth.AllowAttachment(ctx, p, ru.action, id)
}

// principal returns the principal of a request that passed handle.
func principal(r *http.Request) *party.Principal { return party.PrincipalFrom(r.Context()) }

// allowBodyOrg checks action on an organization named in a request body: one the principal
// may not see is answered like a missing one, as a field error.
func (a *API) allowBodyOrg(r *http.Request, action party.Action, id int64, field, missing string) error {
	err := a.auth.AllowOrg(r.Context(), principal(r), action, id)
	switch party.ErrorCode(err) {
	case "":
		return nil
	case party.ENOTFOUND:
		return party.FieldErrorf(party.EINVALID, field, "%s", missing)
	case party.EFORBIDDEN:
		return party.FieldErrorf(party.EFORBIDDEN, field, "%s", party.ErrorMessage(err))
	}
	return err
}
