package web_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store/storetest"
	"dangjian/internal/web"
)

// The permission matrix rows of meeting sign-in and calendar feeds (routes_checkin.go).
func init() {
	matrixExtraRows = append(matrixExtraRows, checkinMatrix)
	matrixExtraRecords = append(matrixExtraRecords, checkinMatrixRecords)
}

func checkinMatrix() []cell {
	empty := url.Values{}
	return []cell{
		// The QR code is shown by whoever records the event; a 党员 expected there may see the
		// event but not project its code.
		{pattern: "GET /events/{id}/checkin", own: "/events/{ckevent}/checkin",
			wantOwn: "anon=303 admin,sec,org=200 jj,ld,mem=403 *=404", other: "/events/{otherevent}/checkin", wantOther: "anon=303 *=404"},
		{pattern: "GET /events/{id}/checkin.png", own: "/events/{ckevent}/checkin.png",
			wantOwn: "anon=303 admin,sec,org=200 jj,ld,mem=403 *=404", other: "/events/{otherevent}/checkin.png", wantOther: "anon=303 *=404"},
		// A sign-in link works only for a member expected at the event; to everyone else it is
		// a missing page. Signing in again (李四 is already present) goes back to the page.
		{pattern: "GET /c/{token}", own: "/c/{cktoken}", wantOwn: "anon=303 mem=200 *=404",
			other: "/c/{othercktoken}", wantOther: "anon=303 *=404"},
		{pattern: "POST /c/{token}", own: "/c/{cktoken}", form: empty, wantOwn: "anon=401 mem=303 *=404",
			other: "/c/{othercktoken}", wantOther: "anon=401 *=404"},
		// The token is the credential of a feed: no session needed, and a revoked one is gone.
		{pattern: "GET /feeds/{file}", own: "/feeds/{feedtoken}.ics", wantOwn: "*=200",
			other: "/feeds/{revokedfeed}.ics", wantOther: "*=404"},
		{pattern: "POST /account/feed", own: "/account/feed", form: empty, wantOwn: "anon=401 *=200"},
		{pattern: "POST /account/feed/revoke", own: "/account/feed/revoke", form: empty, wantOwn: "anon=401 *=303"},
	}
}

// checkinMatrixRecords adds a meeting of the fixture's branch held this afternoon (its QR code
// can still be shown), sign-in tokens of {event} and {otherevent} valid for an hour, and a live
// and a revoked calendar feed of a 支部书记.
func checkinMatrixRecords(t *testing.T, fx *fixture, vars map[string]string) {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 11, 26, 14, 30, 0, 0, party.Zone)
	ev := &party.Event{OrgID: fx.branch.ID, Type: party.TypeBranchAssembly, Title: "十一月支部党员大会",
		StartAt: start, EndAt: start.Add(time.Hour)}
	storetest.MustDo(t, "checkin event", fx.db.RecordEvent(ctx, ev, nil))
	vars["ckevent"] = strconv.FormatInt(ev.ID, 10)
	for name, event := range map[string]string{"cktoken": vars["event"], "othercktoken": vars["otherevent"]} {
		id, err := strconv.ParseInt(event, 10, 64)
		storetest.MustDo(t, "event id", err)
		vars[name] = web.CheckinToken(fx.srv, id, now().Add(time.Hour))
	}
	u, err := fx.auth.CreateUser(ctx, auth.NewUser{Username: "feed-owner", Password: testPassword,
		Grants: []party.Grant{{Role: party.RoleSecretary, OrgID: fx.branch.ID}}})
	storetest.MustDo(t, "feed owner", err)
	revoked, err := web.NewFeed(ctx, fx.srv, u.ID)
	storetest.MustDo(t, "first feed", err)
	live, err := web.NewFeed(ctx, fx.srv, u.ID)
	storetest.MustDo(t, "second feed", err)
	vars["feedtoken"], vars["revokedfeed"] = live, revoked
}
