package web_test

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store/storetest"
)

func init() {
	matrixExtraRows = append(matrixExtraRows, eventMatrixRows)
	matrixExtraRecords = append(matrixExtraRecords, eventMatrixRecords)
}

// eventMatrixRecords serves the matrix with attachments kept, and names a planned event of the
// fixture's branch ({plannedevent}), an attachment of {event} and one of {otherevent} ({file},
// {otherfile}), and a recurring plan of each bureau ({plan}, {otherplan}).
func eventMatrixRecords(t *testing.T, fx *fixture, vars map[string]string) {
	t.Helper()
	ctx := context.Background()
	fs := fx.withFiles(t, 0)
	id := func(k string) int64 {
		n, err := strconv.ParseInt(vars[k], 10, 64)
		storetest.MustDo(t, "placeholder "+k, err)
		return n
	}
	other, err := fx.db.FindEvent(ctx, id("otherevent"))
	storetest.MustDo(t, "other event", err)
	start := time.Date(2026, 12, 10, 14, 30, 0, 0, party.Zone)
	planned := &party.Event{OrgID: fx.branch.ID, Type: party.TypeBranchAssembly, Title: "年终支部党员大会",
		StartAt: start, EndAt: start.Add(90 * time.Minute)}
	storetest.MustDo(t, "planned event", fx.db.PlanEvent(ctx, planned))
	f, err := fx.db.AddEventFile(ctx, fs, id("event"), "签到表.png", bytes.NewReader(pngBytes))
	storetest.MustDo(t, "file", err)
	otherFile, err := fx.db.AddEventFile(ctx, fs, other.ID, "外局签到表.png", bytes.NewReader(pngBytes))
	storetest.MustDo(t, "other file", err)
	plan := &party.Plan{OrgID: fx.branch.ID, Type: party.TypeThemeDay, Title: "主题党日", Frequency: party.PlanMonthly,
		Day: 15, StartTime: "14:30", Minutes: 90, FromOn: day("2027-01-01")}
	storetest.MustDo(t, "plan", fx.db.CreatePlan(ctx, plan))
	otherPlan := &party.Plan{OrgID: other.OrgID, Type: party.TypeThemeDay, Title: "外局主题党日", Frequency: party.PlanMonthly,
		Day: 15, StartTime: "14:30", Minutes: 90, FromOn: day("2027-01-01")}
	storetest.MustDo(t, "other plan", fx.db.CreatePlan(ctx, otherPlan))
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	vars["plannedevent"], vars["file"], vars["otherfile"] = n(planned.ID), n(f.ID), n(otherFile.ID)
	vars["plan"], vars["otherplan"] = n(plan.ID), n(otherPlan.ID)
}

// eventMatrixRows are the rows of the calendars, events, attachments and recurring plans:
// every reader of a subtree sees its events, a 党员 the events it is expected at (held ones by
// their attendance, planned ones by the audience they will have); the 党建管理员, 支部书记 and 组织委员 change them.
func eventMatrixRows() []cell {
	empty := url.Values{}
	const (
		readers       = "anon=303 " + webReaders + "=200 *=404"
		writers       = "anon=303 admin,sec,org=200 jj,ld=403 *=404"
		postWriters   = "anon=401 admin,sec,org=422 jj,ld=403 *=404"
		eventReaders  = "anon=303 " + webReaders + ",mem=200 *=404"
		eventWriters  = "anon=303 admin,sec,org=200 jj,ld,mem=403 *=404"
		eventPost     = "anon=401 admin,sec,org=422 jj,ld,mem=403 *=404"
		otherGet      = "anon=303 *=404"
		otherPost     = "anon=401 *=404"
		badStopDate   = "not-a-date"
		unknownMember = "999999"
	)
	return []cell{
		{pattern: "GET /events", own: "/events", wantOwn: "anon,admin,sec,org,jj,ld=303 mem=200 *=403"},
		{pattern: "GET /orgs/{id}/calendar", own: "/orgs/{org}/calendar?month=2026-06", wantOwn: readers,
			other: "/orgs/{otherorg}/calendar?month=2026-06", wantOther: otherGet},
		{pattern: "GET /events/{id}", own: "/events/{event}", wantOwn: eventReaders, other: "/events/{otherevent}", wantOther: otherGet},

		{pattern: "GET /orgs/{id}/events/new", own: "/orgs/{org}/events/new?type=theme_day", wantOwn: writers,
			other: "/orgs/{otherorg}/events/new?type=theme_day", wantOther: otherGet},
		{pattern: "POST /orgs/{id}/events", own: "/orgs/{org}/events", form: empty, wantOwn: postWriters,
			other: "/orgs/{otherorg}/events", wantOther: otherPost},
		{pattern: "GET /events/{id}/edit", own: "/events/{event}/edit", wantOwn: eventWriters,
			other: "/events/{otherevent}/edit", wantOther: otherGet},
		{pattern: "POST /events/{id}/edit", own: "/events/{event}/edit", form: empty, wantOwn: eventPost,
			other: "/events/{otherevent}/edit", wantOther: otherPost},
		{pattern: "GET /events/{id}/complete", own: "/events/{plannedevent}/complete", wantOwn: eventWriters,
			other: "/events/{otherevent}/complete", wantOther: otherGet},
		{pattern: "POST /events/{id}/complete", own: "/events/{plannedevent}/complete", form: empty, wantOwn: eventPost,
			other: "/events/{otherevent}/complete", wantOther: otherPost},
		// An empty reason is refused, so the planned event stays for every principal.
		{pattern: "POST /events/{id}/cancel", own: "/events/{plannedevent}/cancel", form: empty, wantOwn: eventPost,
			other: "/events/{otherevent}/cancel", wantOther: otherPost},
		{pattern: "POST /events/{id}/attendance", own: "/events/{event}/attendance",
			form: url.Values{"status_" + unknownMember: {"缺席"}}, wantOwn: eventPost,
			other: "/events/{otherevent}/attendance", wantOther: otherPost},

		{pattern: "POST /events/{id}/files", own: "/events/{event}/files", form: empty, wantOwn: eventPost,
			other: "/events/{otherevent}/files", wantOther: otherPost},
		{pattern: "GET /events/{id}/files/{fid}", own: "/events/{event}/files/{file}", wantOwn: eventReaders,
			other: "/events/{otherevent}/files/{otherfile}", wantOther: otherGet},
		// The own request names the other bureau's attachment through an own event, so the writers
		// get 404 and the attachment survives the matrix; handler tests cover a deletion.
		{pattern: "POST /events/{id}/files/{fid}/delete", own: "/events/{event}/files/{otherfile}/delete", form: empty,
			wantOwn: "anon=401 jj,ld,mem=403 *=404", other: "/events/{otherevent}/files/{otherfile}/delete", wantOther: otherPost},

		{pattern: "GET /orgs/{id}/plans/new", own: "/orgs/{org}/plans/new", wantOwn: writers,
			other: "/orgs/{otherorg}/plans/new", wantOther: otherGet},
		{pattern: "POST /orgs/{id}/plans", own: "/orgs/{org}/plans", form: empty, wantOwn: postWriters,
			other: "/orgs/{otherorg}/plans", wantOther: otherPost},
		{pattern: "POST /orgs/{id}/plans/{pid}/stop", own: "/orgs/{org}/plans/{plan}/stop",
			form: url.Values{"until_on": {badStopDate}}, wantOwn: postWriters,
			other: "/orgs/{otherorg}/plans/{otherplan}/stop", wantOther: otherPost},
	}
}
