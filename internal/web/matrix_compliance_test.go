package web_test

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store/storetest"
)

func init() {
	matrixExtraRows = append(matrixExtraRows, complianceMatrixRows)
	matrixExtraRecords = append(matrixExtraRecords, complianceMatrixRecords)
}

// complianceMatrixRecords names the default 主题党日 rule for branches ({comprule}), the cell
// the drill-down rows open.
func complianceMatrixRecords(t *testing.T, fx *fixture, vars map[string]string) {
	t.Helper()
	vars["comprule"] = strconv.FormatInt(themeDayRule(t, fx).ID, 10)
}

// themeDayRule returns the seeded rule that asks a 党支部 for a monthly 主题党日.
func themeDayRule(t *testing.T, fx *fixture) *party.Rule {
	t.Helper()
	rules, err := fx.db.Rules(context.Background())
	storetest.MustDo(t, "rules", err)
	for _, r := range rules {
		if r.Type == party.TypeThemeDay && r.RootOrgID == 0 && slices.Contains(r.Kinds, party.KindBranch) {
			return r
		}
	}
	t.Fatal("no 主题党日 rule for branches is seeded")
	return nil
}

// complianceMatrixRows are the rows of the compliance, reminder, study, ledger and event
// import routes: every reader of a subtree sees its compliance; only those who record events
// import them.
func complianceMatrixRows() []cell {
	empty := url.Values{}
	const readers = "anon=303 " + webReaders + "=200 *=404"
	const writers = "anon=303 admin,sec,org=200 jj,ld=403 *=404"
	return []cell{
		{pattern: "GET /compliance", own: "/compliance", wantOwn: "anon,admin,sec,org,jj,ld=303 *=403"},
		{pattern: "GET /orgs/{id}/compliance", own: "/orgs/{org}/compliance?period=2026H1", wantOwn: readers,
			other: "/orgs/{otherorg}/compliance?period=2026H1", wantOther: "anon=303 *=404"},
		{pattern: "GET /orgs/{id}/compliance/detail", own: "/orgs/{org}/compliance/detail?period=2026H1&rule={comprule}",
			wantOwn: readers, other: "/orgs/{otherorg}/compliance/detail?period=2026H1&rule={comprule}", wantOther: "anon=303 *=404"},
		{pattern: "GET /reminders", own: "/reminders", wantOwn: "anon=303 " + webReaders + "=200 *=403"},
		{pattern: "GET /orgs/{id}/study", own: "/orgs/{org}/study?period=2026", wantOwn: readers,
			other: "/orgs/{otherorg}/study?period=2026", wantOther: "anon=303 *=404"},
		{pattern: "GET /orgs/{id}/ledger.xlsx", own: "/orgs/{org}/ledger.xlsx?period=2026H1", wantOwn: readers,
			other: "/orgs/{otherorg}/ledger.xlsx?period=2026H1", wantOther: "anon=303 *=404"},
		{pattern: "GET /orgs/{id}/compliance.xlsx", own: "/orgs/{org}/compliance.xlsx?period=2026H1", wantOwn: readers,
			other: "/orgs/{otherorg}/compliance.xlsx?period=2026H1", wantOther: "anon=303 *=404"},
		{pattern: "GET /orgs/{id}/events/import", own: "/orgs/{org}/events/import", wantOwn: writers,
			other: "/orgs/{otherorg}/events/import", wantOther: "anon=303 *=404"},
		{pattern: "GET /orgs/{id}/events/template.xlsx", own: "/orgs/{org}/events/template.xlsx", wantOwn: writers,
			other: "/orgs/{otherorg}/events/template.xlsx", wantOther: "anon=303 *=404"},
		{pattern: "POST /orgs/{id}/events/import", own: "/orgs/{org}/events/import", form: empty,
			wantOwn: "anon=401 admin,sec,org=422 jj,ld=403 *=404", other: "/orgs/{otherorg}/events/import", wantOther: "anon=401 *=404"},
		{pattern: "POST /orgs/{id}/events/import/{token}", own: "/orgs/{org}/events/import/{token}", form: empty,
			wantOwn: "anon=401 admin,sec,org=410 jj,ld=403 *=404", other: "/orgs/{otherorg}/events/import/{token}", wantOther: "anon=401 *=404"},
	}
}
