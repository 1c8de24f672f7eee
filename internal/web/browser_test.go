package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dangjian/internal/party"
	"dangjian/internal/store/storetest"
)

// chromiumPath is Debian's browser, which CI installs with apt-get.
const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Chromium for the test, or skips the test when there is none
// (unless DANGJIAN_REQUIRE_BROWSER=1, as in CI).
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("DANGJIAN_REQUIRE_BROWSER") == "1" {
			t.Fatalf("browser test needs %s (apt-get install -y chromium): %v", chromiumPath, err)
		}
		t.Skipf("browser test skipped: %s not found (apt-get install -y chromium)", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "zh-CN"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// TestBrowserImportFlow drives the real pages in Chromium: tree, branch, roster import with a
// bad row, the fix, confirmation, the members on the branch page, live filtering, and the
// phone layout.
func TestBrowserImportFlow(t *testing.T) {
	ctx := browser(t)
	fx := newFixture(t, storetest.OpenSQLite(t))
	srv := httptest.NewServer(fx.h)
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	badRow := rosterRow("孙八", "1987-05-05", 32, "机关党支部", "")
	badRow[4] = "11010119870505003" // 17 characters
	bad := filepath.Join(dir, "名册-有误.xlsx")
	good := filepath.Join(dir, "名册.xlsx")
	storetest.MustDo(t, "write bad roster", os.WriteFile(bad, rosterFile(t, [][]string{
		rosterRow("钱七", "1986-04-04", 31, "机关党支部", "第一党小组"), badRow}), 0o600))
	storetest.MustDo(t, "write good roster", os.WriteFile(good, rosterFile(t, [][]string{
		rosterRow("钱七", "1986-04-04", 31, "机关党支部", "第一党小组"),
		rosterRow("孙八", "1987-05-05", 32, "机关党支部", "")}), 0o600))

	// follow clicks a link or button and waits for the next page; it returns the status.
	follow := func(t *testing.T, sel string) int64 {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
		return resp.Status
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	failOnConsoleErrors(t, ctx, "status of 422") // the previews that list errors answer 422 on purpose

	// Without a session the tree sends the browser to the sign-in page, and back after it.
	storetest.MustDo(t, "open tree", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/orgs")))
	if h := text(t, "h1"); h != "登录" {
		t.Fatalf("an anonymous visit did not land on the sign-in page: %q", h)
	}
	screenshot(t, ctx, "signin.png")
	storetest.MustDo(t, "type credentials", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("f-username"), "admin"),
		chromedp.SendKeys(chromedp.ID("f-password"), testPassword)))
	if got := follow(t, `form[action="/signin"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("sign in: status %d", got)
	}
	if !strings.Contains(text(t, ".org-tree"), "机关党支部") || !strings.Contains(text(t, ".user-menu"), "admin") {
		t.Fatal("after signing in the browser is not on the tree, signed in as admin")
	}
	screenshot(t, ctx, "tree.png")
	if got := follow(t, `.org-tree a[href="`+orgPath(fx.branch.ID)+`"]`); got != http.StatusOK {
		t.Fatalf("branch page: status %d", got)
	}
	if h := text(t, "h1"); !strings.Contains(h, "机关党支部") {
		t.Fatalf("branch page heading %q", h)
	}
	follow(t, `a[href="`+orgPath(fx.branch.ID)+`/import"]`)

	storetest.MustDo(t, "choose bad file", chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{bad})))
	if got := follow(t, `form[enctype] button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Fatalf("preview of a bad file: status %d", got)
	}
	errs := text(t, "table.row-errors tbody")
	if !strings.Contains(errs, "第3行") || !strings.Contains(errs, "身份证号") {
		t.Fatalf("row error not shown with row and column: %q", errs)
	}
	screenshot(t, ctx, "import-errors.png")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("form[action*='/import/']").length`)); err != nil || n != 0 {
		t.Fatalf("a file with errors offers a confirm button (%d, %v)", n, err)
	}

	storetest.MustDo(t, "choose fixed file", chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{good})))
	if got := follow(t, `form[enctype] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("preview of the fixed file: status %d", got)
	}
	if p := text(t, ".result-preview"); !strings.Contains(p, "将新增 2 人") {
		t.Fatalf("preview counts: %q", p)
	}
	follow(t, `form[action*="/import/"] button`)
	if r := text(t, ".result-ok"); !strings.Contains(r, "导入完成") {
		t.Fatalf("import result: %q", r)
	}
	follow(t, `.result-ok a.button`)
	list := text(t, "#members")
	for _, name := range []string{"钱七", "孙八", "张三"} {
		if !strings.Contains(list, name) {
			t.Fatalf("branch list lacks %s after the import: %q", name, list)
		}
	}

	// Typing in the search box filters through htmx, without reloading the page.
	storetest.MustDo(t, "mark page", chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`)))
	storetest.MustDo(t, "type search", chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "qq")))
	rows, err := chromedp.Run(ctx, chromedp.Poll[int](
		`(() => { const n = document.querySelectorAll("#members tbody tr").length; return n === 1 ? n : 0 })()`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil || rows != 1 {
		t.Fatalf("live search did not narrow the list to one row: %d, %v", rows, err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`))
	if err != nil || !kept || !strings.Contains(text(t, "#members"), "钱七") {
		t.Fatalf("live search reloaded the page or found the wrong member (%v, %v)", kept, err)
	}
	screenshot(t, ctx, "org-desktop.png")

	// A member form with a bad ID number says so right above that field.
	storetest.MustDo(t, "open member form", chromedp.Do(ctx, chromedp.Navigate(srv.URL+orgPath(fx.branch.ID)+"/members/new")))
	for id, v := range map[string]string{"f-name": "孙丽", "f-gender": "女", "f-birth_date": "1988-08-08",
		"f-id_number": "110101198808080000", "f-education": "大学本科", "f-joined_on": "2012-06-01",
		"f-full_on": "2013-06-01", "f-category": "正式党员"} {
		storetest.MustDo(t, "fill "+id, chromedp.Do(ctx, chromedp.SetValue(chromedp.ID(id), v)))
	}
	if got := follow(t, `form.stacked button[type=submit]`); got != http.StatusUnprocessableEntity {
		t.Fatalf("bad ID number: status %d", got)
	}
	beside, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.getElementById("f-id_number").previousElementSibling.textContent`))
	if err != nil || !strings.Contains(beside, "身份证号") {
		t.Fatalf("no error message beside the ID number field: %q, %v", beside, err)
	}
	screenshot(t, ctx, "member-form-error.png")
	storetest.MustDo(t, "open member", chromedp.Do(ctx, chromedp.Navigate(srv.URL+path("/members/%d", fx.members[0].ID))))
	screenshot(t, ctx, "member.png")

	// A 390-px phone: nothing wider than the screen, and the navigation folded away.
	storetest.MustDo(t, "phone viewport", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+orgPath(fx.top.ID))))
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	storetest.MustDo(t, "measure", err)
	if width > 390 {
		t.Errorf("org page is %d px wide on a 390-px phone", width)
	}
	navHeight, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector(".nav-body").offsetHeight`))
	if err != nil || navHeight != 0 {
		t.Errorf("navigation is not folded on a phone (height %d, %v)", navHeight, err)
	}
	screenshot(t, ctx, "org-phone.png")
	for _, id := range fx.ids {
		html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		storetest.MustDo(t, "read page", err)
		if strings.Contains(html, id) {
			t.Errorf("org page shows the full ID number %s", party.IDNumber(id).Masked())
		}
	}

	// The session cookie is out of the scripts' reach, and signing out ends the session.
	if c, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`)); err != nil || strings.Contains(c, "dangjian_session") {
		t.Fatalf("scripts can read the session cookie (%q, %v)", c, err)
	}
	storetest.MustDo(t, "desktop viewport", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	follow(t, `form.signout button`)
	if h := text(t, "h1"); h != "登录" || !strings.Contains(text(t, ".flash"), "已退出登录") {
		t.Fatalf("sign-out did not come back to the sign-in page: %q", h)
	}
	storetest.MustDo(t, "open tree after sign-out", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/orgs")))
	if h := text(t, "h1"); h != "登录" {
		t.Fatalf("the tree opened after signing out: %q", h)
	}
}

func orgPath(id int64) string { return path("/orgs/%d", id) }

// screenshot saves the page into DANGJIAN_SCREENSHOT_DIR when it is set, to look at the
// layout while developing; tests never write screenshots otherwise.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DANGJIAN_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	storetest.MustDo(t, "screenshot", err)
	storetest.MustDo(t, "save screenshot", os.WriteFile(filepath.Join(dir, name), png, 0o600))
}

// failOnConsoleErrors fails t, when it ends, for every line the pages wrote to the browser
// console that reports a Content Security Policy violation or an error, except lines holding
// one of the allowed substrings.
func failOnConsoleErrors(t *testing.T, ctx context.Context, allowed ...string) {
	t.Helper()
	var mu sync.Mutex
	var lines []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			lines = append(lines, m.String())
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
	next:
		for _, l := range lines {
			for _, a := range allowed {
				if strings.Contains(l, a) {
					continue next
				}
			}
			if strings.Contains(l, "Content Security Policy") || strings.Contains(strings.ToLower(l), "error") {
				t.Errorf("browser console: %s", l)
			}
		}
	})
}
