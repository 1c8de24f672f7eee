package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dangjian/internal/store/storetest"
)

// TestBrowserRecordMeeting records a held 主题党日 in Chromium the way a branch secretary does:
// from the branch page to its calendar, the new-event form whose attendance list appears when
// the type is chosen, one member on leave with a reason and one absent, then the event page.
func TestBrowserRecordMeeting(t *testing.T) {
	ctx := browser(t)
	fx := newFixture(t, storetest.OpenSQLite(t))
	srv := httptest.NewServer(fx.h)
	t.Cleanup(srv.Close)
	li, wang := fx.members[1], fx.members[2]

	failOnConsoleErrors(t, ctx)
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

	storetest.MustDo(t, "open sign-in", chromedp.Do(ctx, chromedp.Navigate(srv.URL+orgPath(fx.branch.ID)),
		chromedp.SendKeys(chromedp.ID("f-username"), "admin"),
		chromedp.SendKeys(chromedp.ID("f-password"), testPassword)))
	if got := follow(t, `form[action="/signin"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("sign in: status %d", got)
	}
	if got := follow(t, `a[href="`+orgPath(fx.branch.ID)+`/calendar"]`); got != http.StatusOK {
		t.Fatalf("calendar: status %d", got)
	}
	screenshot(t, ctx, "calendar.png")
	if got := follow(t, `.actions a[href$="status=held"]`); got != http.StatusOK {
		t.Fatalf("new event form: status %d", got)
	}

	// Choosing the type fetches the attendance list through htmx, without reloading.
	storetest.MustDo(t, "choose type", chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`),
		chromedp.SetValue(chromedp.ID("f-type"), "theme_day"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-type").dispatchEvent(new Event("change", {bubbles: true}))`)))
	rows, err := chromedp.Run(ctx, chromedp.Poll[int](
		`(() => { const n = document.querySelectorAll("#type-dependent input[type=radio][value='出席']:checked").length; return n === 3 ? n : 0 })()`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil || rows != 3 {
		t.Fatalf("the attendance list of three, all present, did not appear: %d, %v", rows, err)
	}
	if kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !kept {
		t.Fatalf("choosing the type reloaded the page (%v)", err)
	}

	status := func(id int64, v string) string { return path(`input[name="status_%d"][value="%s"]`, id, v) }
	storetest.MustDo(t, "fill form", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("f-title"), "重温入党誓词"),
		chromedp.SetValue(chromedp.ID("f-on"), "2026-11-20"),
		chromedp.SetValue(chromedp.ID("f-start_at"), "14:30"),
		chromedp.SetValue(chromedp.ID("f-end_at"), "16:00"),
		chromedp.SendKeys(chromedp.ID("f-place"), "党员活动室"),
		chromedp.SendKeys(chromedp.ID("f-host"), "张三"),
		chromedp.Click(chromedp.CSS(status(li.ID, "请假"))),
		chromedp.SendKeys(chromedp.CSS(path(`input[name="reason_%d"]`, li.ID)), "出差"),
		chromedp.Click(chromedp.CSS(status(wang.ID, "缺席"))),
		chromedp.SendKeys(chromedp.ID("f-content"), "<b>学习</b>党章\n第二项")))
	screenshot(t, ctx, "event-form.png")
	if got := follow(t, `form.event-form button[type=submit]`); got != http.StatusOK {
		t.Fatalf("record: status %d\n%s", got, text(t, "main"))
	}

	if f := text(t, ".flash"); !strings.Contains(f, "活动已登记") {
		t.Fatalf("no confirmation after recording: %q", f)
	}
	if c := text(t, ".ev-counts"); !strings.Contains(c, "应到 3 人，出席 1 人，请假 1 人，缺席 1 人") {
		t.Fatalf("event page counts: %q", c)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](path(
		`[document.querySelector('select[name="status_%d"]').value, document.querySelector('input[name="reason_%d"]').value,
		  document.querySelector('select[name="status_%d"]').value].join("|")`, li.ID, li.ID, wang.ID)))
	if err != nil || got != "请假|出差|缺席" {
		t.Fatalf("attendance on the event page: %q, %v", got, err)
	}
	if m := text(t, ".minutes"); !strings.Contains(m, "<b>学习</b>党章") {
		t.Fatalf("minutes not shown as typed: %q", m)
	}
	screenshot(t, ctx, "event.png")

	// The calendar of the month shows the meeting with its attendance.
	storetest.MustDo(t, "open calendar", chromedp.Do(ctx, chromedp.Navigate(srv.URL+orgPath(fx.branch.ID)+"/calendar?month=2026-11")))
	if c := text(t, "table.calendar"); !strings.Contains(c, "重温入党誓词") || !strings.Contains(c, "出席1/3") {
		t.Fatalf("calendar cell: %q", c)
	}
	// A 390-px phone: the month folds into a list, nothing wider than the screen.
	storetest.MustDo(t, "phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+orgPath(fx.branch.ID)+"/calendar?month=2026-11")))
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	storetest.MustDo(t, "measure", err)
	if width > 390 {
		t.Errorf("calendar is %d px wide on a 390-px phone", width)
	}
	screenshot(t, ctx, "calendar-phone.png")
}
