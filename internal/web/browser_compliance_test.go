package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dangjian/internal/auth"
	"dangjian/internal/demo"
	"dangjian/internal/party"
	"dangjian/internal/store/storetest"
	"dangjian/internal/web"
)

// TestBrowserComplianceMatrix loads the demo bureau with its first half-year of organizational
// life (on 15 July 2026) and drives the compliance matrix in Chromium: the gap the demo plants
// (the third party group of the 机关党支部 did not meet in April and May) shows as a red cell
// marked 缺2, and its drill-down lists those two months and the meetings that were held.
func TestBrowserComplianceMatrix(t *testing.T) {
	// The browser's deadline starts now; loading the demo takes a few seconds of it.
	ctx := browser(t)
	db := storetest.OpenSQLite(t)
	clock := func() time.Time { return time.Date(2026, 7, 15, 8, 0, 0, 0, time.UTC) }
	db.Now = clock
	today := party.Today(clock())
	bg := context.Background()
	_, err := demo.Load(bg, db, today)
	storetest.MustDo(t, "demo bureau", err)
	_, err = demo.LoadEvents(bg, db, today)
	storetest.MustDo(t, "demo events", err)
	group, err := db.FindOrgByCode(bg, "QCTY-JG-3")
	storetest.MustDo(t, "third party group", err)
	top, err := db.FindOrgByCode(bg, demo.TopCode)
	storetest.MustDo(t, "top", err)
	a := auth.New(db, auth.Options{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
	_, err = a.CreateUser(bg, auth.NewUser{Username: "dangjianban", Password: testPassword,
		Grants: []party.Grant{{Role: party.RolePartyAdmin, OrgID: top.ID}}})
	storetest.MustDo(t, "account", err)
	logs := &syncBuffer{}
	t.Cleanup(func() { scanLogs(t, logs.String()) })
	srv := httptest.NewServer(web.New(web.Options{DB: db, Auth: a, Now: clock,
		Logger: slog.New(slog.NewTextHandler(logs, nil))}))
	t.Cleanup(srv.Close)

	failOnConsoleErrors(t, ctx)
	text := func(t *testing.T, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	// The matrix asks for a session first and comes back to it after signing in.
	matrixPath := path("/orgs/%d/compliance?period=2026H1", top.ID)
	storetest.MustDo(t, "open matrix", chromedp.Do(ctx, chromedp.Navigate(srv.URL+matrixPath)))
	storetest.MustDo(t, "sign in", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("f-username"), "dangjianban"),
		chromedp.SendKeys(chromedp.ID("f-password"), testPassword)))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("sign in and back to the matrix: %v", err)
	}
	if h := text(t, "h1"); !strings.Contains(h, "组织生活落实情况") {
		t.Fatalf("after signing in the browser is not on the matrix: %q", h)
	}
	if s := text(t, ".compliance-summary"); !strings.Contains(s, "2026年上半年") || !strings.Contains(s, "缺") {
		t.Fatalf("matrix summary %q", s)
	}

	// The third group's 党小组会 cell: 4 held of 6, red, and saying 缺2 in words.
	groupLink := path("/orgs/%d/compliance?", group.ID)
	cellJS := `(() => {
		const a = document.querySelector('th.org-cell a[href^="` + groupLink + `"]');
		if (!a) return "no row";
		const heads = [...document.querySelectorAll("table.compliance-matrix thead th")].map(th => th.textContent.trim());
		const i = heads.indexOf("党小组会");
		if (i < 0) return "no column";
		const td = a.closest("tr").children[i];
		td.id = "jg3-group-meeting";
		return td.className + "|" + td.textContent.trim();
	})()`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](cellJS))
	storetest.MustDo(t, "read cell", err)
	if got != "num cell-missing|4/6 缺2" {
		t.Fatalf("the third group's 党小组会 cell is %q, want a red 4/6 缺2", got)
	}
	// The cell is red by its style, not by its class name alone.
	bgColor, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("jg3-group-meeting")).backgroundColor`))
	storetest.MustDo(t, "cell colour", err)
	if bgColor != "rgb(251, 227, 228)" {
		t.Errorf("the missing cell's background is %s", bgColor)
	}
	// The other two groups met every month.
	for _, code := range []string{"QCTY-JG-1", "QCTY-JG-2"} {
		o, err := db.FindOrgByCode(bg, code)
		storetest.MustDo(t, code, err)
		js := strings.ReplaceAll(cellJS, groupLink, path("/orgs/%d/compliance?", o.ID))
		js = strings.ReplaceAll(js, `td.id = "jg3-group-meeting";`, "")
		if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js)); err != nil || got != "num cell-ok|6/6 达标" {
			t.Errorf("%s's 党小组会 cell is %q (%v), want 6/6 达标", code, got, err)
		}
	}
	screenshot(t, ctx, "compliance-matrix.png")

	// Drill down into the cell.
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("#jg3-group-meeting a")))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("drill-down: %v", err)
	}
	u, err := url.Parse(resp.URL)
	storetest.MustDo(t, "parse drill-down URL", err)
	if u.Path != path("/orgs/%d/compliance/detail", group.ID) || u.Query().Get("period") != "2026H1" {
		t.Fatalf("the cell opened %s", resp.URL)
	}
	missing := text(t, ".missing-list")
	if !strings.Contains(missing, "2026年4月") || !strings.Contains(missing, "2026年5月") || strings.Contains(missing, "2026年3月") {
		t.Fatalf("the drill-down's missing months: %q", missing)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.compliance-events tbody a[href^='/events/']").length`))
	if err != nil || n != 4 {
		t.Fatalf("the drill-down lists %d meetings (%v), want the 4 held", n, err)
	}
	screenshot(t, ctx, "compliance-detail.png")

	// The period chooser keeps the cell and changes the period: the first quarter had no gap.
	storetest.MustDo(t, "choose Q1", chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("period"), "2026Q1")))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("form.period-chooser button[type=submit]")))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("choose a period: %v", err)
	}
	if !strings.Contains(text(t, "#missing-h + *"), "没有缺的期间") {
		t.Errorf("the first quarter shows a missing month: %q", text(t, "#missing-h + *"))
	}
	if !strings.Contains(resp.URL, "rule=") || !strings.Contains(resp.URL, "period=2026Q1") {
		t.Errorf("the chooser lost the cell: %s", resp.URL)
	}
}
