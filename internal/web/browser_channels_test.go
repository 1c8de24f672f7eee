package web_test

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"dangjian/internal/store/storetest"
)

// TestBrowserChannelFormShowsItsKind checks in Chromium that the notification channel form
// shows the settings of the chosen kind only: the robot's address for DingTalk and WeCom,
// the signing secret for DingTalk, the mail server settings for e-mail.
func TestBrowserChannelFormShowsItsKind(t *testing.T) {
	ctx := browser(t)
	fx := newFixture(t, storetest.OpenSQLite(t))
	srv := httptest.NewServer(fx.h)
	t.Cleanup(srv.Close)
	failOnConsoleErrors(t, ctx)

	storetest.MustDo(t, "sign in", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/admin/channels/new"),
		chromedp.SendKeys(chromedp.ID("f-username"), "admin"),
		chromedp.SendKeys(chromedp.ID("f-password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("f-kind"))))

	shown := func(t *testing.T, kind string) map[string]bool {
		t.Helper()
		storetest.MustDo(t, "choose "+kind, chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("f-kind"), kind)))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]bool](`(() => {
			const out = {};
			for (const id of ["name", "url", "secret", "host", "port", "from", "to"]) {
				out[id] = getComputedStyle(document.getElementById("f-" + id).closest(".field")).display !== "none";
			}
			return out;
		})()`))
		storetest.MustDo(t, "read fields", err)
		return got
	}
	for _, c := range []struct {
		kind string
		want map[string]bool
	}{
		{"dingtalk", map[string]bool{"name": true, "url": true, "secret": true, "host": false, "port": false, "from": false, "to": false}},
		{"wecom", map[string]bool{"name": true, "url": true, "secret": false, "host": false, "port": false, "from": false, "to": false}},
		{"smtp", map[string]bool{"name": true, "url": false, "secret": false, "host": true, "port": true, "from": true, "to": true}},
	} {
		got := shown(t, c.kind)
		for id, want := range c.want {
			if got[id] != want {
				t.Errorf("kind %s: field %s shown = %v, want %v", c.kind, id, got[id], want)
			}
		}
	}
	screenshot(t, ctx, "channel-smtp.png")
}
