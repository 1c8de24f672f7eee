package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func init() {
	matrixExtraRows = append(matrixExtraRows, topicMatrixRows)
	matrixExtraRecords = append(matrixExtraRecords, topicMatrixRecords)
}

// topicMatrixRecords adds a 第一议题 item ({topic}), a 读书活动 rule of the fixture's branch
// ({rule}) and one of the other bureau's branch ({otherrule}), and a DingTalk channel of the
// fixture's bureau ({channel}) and one of the other bureau ({otherchannel}), whose robot is a
// local server. The rules are of a type no seeded rule governs, so they replace none that
// other rows rely on.
func topicMatrixRecords(t *testing.T, fx *fixture, vars map[string]string) {
	t.Helper()
	ctx := context.Background()
	db := fx.db
	n := func(id int64) string { return strconv.FormatInt(id, 10) }
	topic := &party.FirstTopic{Title: "矩阵用第一议题", IssuedOn: day("2026-06-01")}
	storetest.MustDo(t, "topic", db.CreateFirstTopic(ctx, topic))
	otherBranch, err := strconv.ParseInt(vars["otherroot"], 10, 64)
	storetest.MustDo(t, "other root", err)
	orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: otherBranch, Kinds: []party.OrgKind{party.KindBranch}})
	storetest.MustDo(t, "other branch", err)
	if len(orgs) == 0 {
		t.Fatal("the other bureau has no branch")
	}
	rule := func(root int64) string {
		r := &party.Rule{Type: party.EventTypeCode("reading"), Kinds: []party.OrgKind{party.KindBranch}, RootOrgID: root,
			Frequency: party.Monthly, MinCount: 2, EffectiveFrom: day("2026-01-01"), Source: "局党组通知"}
		storetest.MustDo(t, "rule", db.CreateRule(ctx, r))
		return n(r.ID)
	}
	vars["rule"], vars["otherrule"] = rule(fx.branch.ID), rule(orgs[0].ID)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	channel := func(root int64, name string) string {
		c := &store.Channel{Kind: store.ChannelDingTalk, Name: name, RootOrgID: root, Enabled: true,
			Config: store.ChannelConfig{URL: srv.URL + "/robot/send?access_token=m", Secret: "SECm"}}
		storetest.MustDo(t, "channel", db.CreateChannel(ctx, c))
		return n(c.ID)
	}
	// The matrix's 党建管理员 holds the fixture's bureau (fx.top): {channel} is its own.
	vars["channel"], vars["otherchannel"] = channel(fx.top.ID, "矩阵钉钉群"), channel(otherBranch, "外局矩阵钉钉群")
	vars["topic"] = n(topic.ID)
}

// topicMatrixRows are the rows of the 第一议题 ledger (its readers see it; the 党建管理员 keeps
// it), the rules and event types (the 党建管理员, within its subtree: the matrix's one holds
// the bureau, not the installation) and the notification channels (the 党建管理员 too, within
// its subtree: another bureau's channel is as missing; the 系统管理员 has none, as they send
// party data).
func topicMatrixRows() []cell {
	empty := url.Values{}
	const readers = "anon=303 " + webReaders + "=200 *=403"
	const keeper = "anon=303 admin=200 *=403"
	const keeperPost = "anon=401 admin=422 *=403"
	const channels = "anon=303 admin=200 *=403"
	const channelsMissing = "anon=303 admin=404 *=403"
	valid := func(scope string) url.Values {
		return url.Values{"type": {"theme_day"}, "kinds": {"党支部"}, "root_org_id": {scope}, "frequency": {"month"},
			"min_count": {"1"}, "effective_from": {"2026-01-01"}, "source": {"矩阵"}}
	}
	return []cell{
		{pattern: "GET /topics", own: "/topics", wantOwn: readers},
		// The ledger and the event-type catalogue are shared by the whole installation: the
		// fixture's 党建管理员 holds a bureau, so it reads them and may change neither
		// (topics_test.go and rules_admin_test.go change them as an administrator of the whole
		// installation).
		{pattern: "GET /topics/new", own: "/topics/new", wantOwn: "anon=303 *=403"},
		{pattern: "POST /topics", own: "/topics", form: empty, wantOwn: "anon=401 *=403"},
		{pattern: "GET /topics/{tid}", own: "/topics/{topic}", wantOwn: readers,
			other: "/topics/999999", wantOther: "anon=303 " + webReaders + "=404 *=403"},
		{pattern: "GET /topics/{tid}/edit", own: "/topics/{topic}/edit", wantOwn: "anon=303 *=403",
			other: "/topics/999999/edit", wantOther: "anon=303 *=403"},
		{pattern: "POST /topics/{tid}/edit", own: "/topics/{topic}/edit", form: empty, wantOwn: "anon=401 *=403",
			other: "/topics/999999/edit", wantOther: "anon=401 *=403"},

		{pattern: "GET /admin/rules", own: "/admin/rules", wantOwn: keeper},
		{pattern: "GET /admin/rules/new", own: "/admin/rules/new", wantOwn: keeper},
		// A rule for all branches needs a grant on the whole installation; one for another
		// bureau's branch is refused as if that branch did not exist.
		{pattern: "POST /admin/rules", own: "/admin/rules", form: valid("0"), wantOwn: "anon=401 admin=403 *=403"},
		{pattern: "POST /admin/rules", own: "/admin/rules", form: valid("{otherorg}"), wantOwn: keeperPost},
		{pattern: "GET /admin/rules/{rid}/edit", own: "/admin/rules/{rule}/edit", wantOwn: keeper,
			other: "/admin/rules/{otherrule}/edit", wantOther: "anon=303 admin=404 *=403"},
		{pattern: "POST /admin/rules/{rid}/edit", own: "/admin/rules/{rule}/edit", form: empty, wantOwn: keeperPost,
			other: "/admin/rules/{otherrule}/edit", wantOther: "anon=401 admin=404 *=403"},
		{pattern: "POST /admin/rules/{rid}/end", own: "/admin/rules/{rule}/end", form: empty, wantOwn: keeperPost,
			other: "/admin/rules/{otherrule}/end", wantOther: "anon=401 admin=404 *=403"},
		{pattern: "GET /admin/event-types", own: "/admin/event-types", wantOwn: keeper},
		// The catalogue is shared by the whole installation: the fixture's 党建管理员 holds a
		// bureau's subtree, so it reads the catalogue and may not change it (rules_admin_test.go
		// changes it as an administrator of the whole installation).
		{pattern: "POST /admin/event-types", own: "/admin/event-types", form: empty, wantOwn: "anon=401 *=403"},
		{pattern: "POST /admin/event-types/{code}/active", own: "/admin/event-types/theme_day/active", form: empty, wantOwn: "anon=401 *=403",
			other: "/admin/event-types/no_such_type/active", wantOther: "anon=401 *=403"},
		{pattern: "POST /admin/event-types/{code}/kinds", own: "/admin/event-types/theme_day/kinds", form: empty, wantOwn: "anon=401 *=403",
			other: "/admin/event-types/no_such_type/kinds", wantOther: "anon=401 *=403"},

		{pattern: "GET /admin/channels", own: "/admin/channels", wantOwn: channels},
		{pattern: "GET /admin/channels/new", own: "/admin/channels/new", wantOwn: channels},
		{pattern: "POST /admin/channels", own: "/admin/channels", form: empty, wantOwn: "anon=401 admin=422 *=403"},
		// A channel rooted in another bureau is refused beside the field, as if that bureau did
		// not exist.
		{pattern: "POST /admin/channels", own: "/admin/channels", form: url.Values{"kind": {"dingtalk"}, "name": {"矩阵越权"},
			"root_org_id": {"{otherorg}"}, "url": {"https://robot.example/send"}}, wantOwn: "anon=401 admin=422 *=403"},
		{pattern: "GET /admin/channels/{cid}/edit", own: "/admin/channels/{channel}/edit", wantOwn: channels,
			other: "/admin/channels/{otherchannel}/edit", wantOther: channelsMissing},
		{pattern: "POST /admin/channels/{cid}/edit", own: "/admin/channels/{channel}/edit", form: empty, wantOwn: "anon=401 admin=422 *=403",
			other: "/admin/channels/{otherchannel}/edit", wantOther: "anon=401 admin=404 *=403"},
		{pattern: "POST /admin/channels/{cid}/test", own: "/admin/channels/{channel}/test", form: empty, wantOwn: "anon=401 admin=303 *=403",
			other: "/admin/channels/{otherchannel}/test", wantOther: "anon=401 admin=404 *=403"},
		{pattern: "GET /admin/channels/{cid}/deliveries", own: "/admin/channels/{channel}/deliveries", wantOwn: channels,
			other: "/admin/channels/{otherchannel}/deliveries", wantOther: channelsMissing},
	}
}
