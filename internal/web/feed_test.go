package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// feedLink finds a calendar feed URL on the account page.
var feedLink = regexp.MustCompile(`http://example\.com(/feeds/[A-Za-z0-9_-]+\.ics)`)

// feedUnfold checks the physical form of an iCalendar stream (CRLF line ends, lines of at most
// 75 octets, valid UTF-8 on every physical line) and returns its unfolded content lines.
func feedUnfold(t *testing.T, body string) []string {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") {
		t.Fatal("the feed does not end with CRLF")
	}
	var out []string
	for i, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Fatalf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Fatalf("line %d splits a UTF-8 character: %q", i+1, line)
		}
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			if len(out) == 0 {
				t.Fatal("the feed starts with a continuation line")
			}
			out[len(out)-1] += line[1:]
			continue
		}
		out = append(out, line)
	}
	return out
}

// feedEvent is one VEVENT's properties by name.
type feedEvent map[string]string

// feedEvents returns the VEVENTs of unfolded content lines.
func feedEvents(t *testing.T, lines []string) []feedEvent {
	t.Helper()
	if len(lines) < 2 || lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("not a VCALENDAR: %q … %q", lines[0], lines[len(lines)-1])
	}
	var out []feedEvent
	var cur feedEvent
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("content line without a colon: %q", l)
		}
		switch {
		case l == "BEGIN:VEVENT":
			cur = feedEvent{}
		case l == "END:VEVENT":
			out = append(out, cur)
			cur = nil
		case cur != nil:
			cur[name] = value
		}
	}
	return out
}

// feedEscape is the RFC 5545 TEXT form of s, written out independently of the handler's.
func feedEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', ';', ',':
			b.WriteRune('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestCalendarFeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		li := fx.members[1]
		liCookie := fx.account(t, "li", party.Grant{Role: party.RoleMember, MemberID: li.ID})
		secCookie := fx.account(t, "tx-sec", party.Grant{Role: party.RoleSecretary, OrgID: fx.other.ID})

		at := func(d, clock string) time.Time {
			t, err := party.At(day(d), clock)
			if err != nil {
				panic(err)
			}
			return t
		}
		mk := func(org int64, typ party.EventTypeCode, d, title string, held bool) *party.Event {
			t.Helper()
			e := &party.Event{OrgID: org, Type: typ, Title: title, StartAt: at(d, "14:30"), EndAt: at(d, "16:00"),
				Place: "会议室,三楼;东侧"}
			if held {
				storetest.MustDo(t, "record "+title, db.RecordEvent(ctx, e, nil))
			} else {
				storetest.MustDo(t, "plan "+title, db.PlanEvent(ctx, e))
			}
			return e
		}
		punctuated := mk(fx.branch.ID, party.TypeBranchAssembly, "2026-10-15", `学习会议,第一次;讨论\总结`, true)
		longTitle := strings.Repeat("深入学习贯彻党的二十大精神", 8)
		long := mk(fx.branch.ID, party.TypeThemeDay, "2026-12-20", longTitle, false)
		cancelled := mk(fx.branch.ID, party.TypeThemeDay, "2026-12-21", "取消的主题党日", false)
		_, err := db.CancelEvent(ctx, cancelled.ID, "改期")
		storetest.MustDo(t, "cancel", err)
		tooOld := mk(fx.branch.ID, party.TypeBranchAssembly, "2026-08-01", "九十天以前的大会", true)
		tooFar := mk(fx.branch.ID, party.TypeThemeDay, "2027-12-31", "一年以后的主题党日", false)
		theirs := mk(fx.other.ID, party.TypeBranchAssembly, "2026-11-20", "体校支部党员大会", true)

		// createFeed creates a feed from the account page and returns its path.
		createFeed := func(t *testing.T, cookie *http.Cookie) string {
			t.Helper()
			w := fx.do(t, request{method: "POST", path: "/account/feed", cookie: cookie, form: url.Values{}})
			m := feedLink.FindStringSubmatch(w.Body.String())
			if w.Code != http.StatusOK || m == nil {
				t.Fatalf("create feed: %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			return m[1]
		}
		fetch := func(t *testing.T, path string) *http.Response {
			t.Helper()
			return fx.do(t, request{method: "GET", path: path, anonymous: true}).Result()
		}

		liFeed := createFeed(t, liCookie)
		w := fx.do(t, request{method: "GET", path: liFeed, anonymous: true})
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("feed: %d %q\n%s", w.Code, w.Header().Get("Content-Type"), excerpt(w.Body.String()))
		}
		body := w.Body.String()
		events := feedEvents(t, feedUnfold(t, body))
		byUID := map[string]feedEvent{}
		for _, e := range events {
			byUID[e["UID"]] = e
		}
		uid := func(e *party.Event) string { return "event-" + strconv.FormatInt(e.ID, 10) + "@dangjian" }

		t.Run("MemberSeesTheEventsItIsExpectedAt", func(t *testing.T) {
			if len(events) != 3 {
				t.Fatalf("%d VEVENTs, want 3: %v", len(events), events)
			}
			for _, e := range []*party.Event{punctuated, long, cancelled} {
				if byUID[uid(e)] == nil {
					t.Errorf("the feed lacks %s", e.Title)
				}
			}
			for _, e := range []*party.Event{tooOld, tooFar, theirs} {
				if byUID[uid(e)] != nil || strings.Contains(body, "event-"+strconv.FormatInt(e.ID, 10)+"@") {
					t.Errorf("the feed holds %s", e.Title)
				}
			}
		})
		t.Run("Properties", func(t *testing.T) {
			e := byUID[uid(punctuated)]
			if got, want := e["SUMMARY"], feedEscape("支部党员大会："+punctuated.Title); got != want {
				t.Errorf("SUMMARY %q, want %q", got, want)
			}
			if got, want := e["LOCATION"], `会议室\,三楼\;东侧`; got != want {
				t.Errorf("LOCATION %q, want %q", got, want)
			}
			if e["DTSTART"] != "20261015T063000Z" || e["DTEND"] != "20261015T080000Z" || e["DTSTAMP"] != "20261126T080000Z" {
				t.Errorf("times %q %q %q", e["DTSTART"], e["DTEND"], e["DTSTAMP"])
			}
			if e["STATUS"] != "CONFIRMED" || byUID[uid(long)]["STATUS"] != "TENTATIVE" || byUID[uid(cancelled)]["STATUS"] != "CANCELLED" {
				t.Errorf("statuses %q %q %q", e["STATUS"], byUID[uid(long)]["STATUS"], byUID[uid(cancelled)]["STATUS"])
			}
			if !strings.Contains(byUID[uid(cancelled)]["DESCRIPTION"], `\n取消原因：改期`) {
				t.Errorf("DESCRIPTION of the cancelled event %q", byUID[uid(cancelled)]["DESCRIPTION"])
			}
		})
		t.Run("LongChineseTitleFoldsIntact", func(t *testing.T) {
			if got, want := byUID[uid(long)]["SUMMARY"], "主题党日："+longTitle; got != want {
				t.Fatalf("unfolded SUMMARY %q, want %q", got, want)
			}
			if strings.Contains(body, longTitle) {
				t.Fatal("a title of more than 75 octets was not folded")
			}
		})
		t.Run("NoPersonalNumbers", func(t *testing.T) {
			if idNumberInLog.MatchString(body) || phoneInLog.MatchString(body) {
				t.Fatal("the feed holds an ID or phone number")
			}
		})
		t.Run("SecretarySeesItsBranchOnly", func(t *testing.T) {
			lines := feedUnfold(t, fx.do(t, request{method: "GET", path: createFeed(t, secCookie), anonymous: true}).Body.String())
			got := feedEvents(t, lines)
			if len(got) != 1 || got[0]["UID"] != uid(theirs) {
				t.Fatalf("the other branch's secretary sees %v", got)
			}
		})
		t.Run("AccountPageShowsTheLinkOnce", func(t *testing.T) {
			page := fx.do(t, request{method: "GET", path: "/account", cookie: liCookie}).Body.String()
			if !strings.Contains(page, "已有订阅链接") || strings.Contains(page, liFeed) {
				t.Fatalf("account page after creating a feed:\n%s", excerpt(page))
			}
		})
		t.Run("ReplaceAndRevoke", func(t *testing.T) {
			next := createFeed(t, liCookie)
			if next == liFeed {
				t.Fatal("a new feed reused the token")
			}
			if r := fetch(t, liFeed); r.StatusCode != http.StatusNotFound {
				t.Fatalf("the replaced feed: %d", r.StatusCode)
			}
			if r := fetch(t, next); r.StatusCode != http.StatusOK {
				t.Fatalf("the new feed: %d", r.StatusCode)
			}
			w := fx.do(t, request{method: "POST", path: "/account/feed/revoke", cookie: liCookie, form: url.Values{}})
			if w.Code != http.StatusSeeOther {
				t.Fatalf("revoke: %d", w.Code)
			}
			if r := fetch(t, next); r.StatusCode != http.StatusNotFound {
				t.Fatalf("the revoked feed: %d", r.StatusCode)
			}
			page := fx.do(t, request{method: "GET", path: w.Header().Get("Location"), cookie: liCookie}).Body.String()
			if !strings.Contains(page, "日历订阅链接已吊销") || !strings.Contains(page, "尚未创建订阅链接") {
				t.Fatalf("account page after revoking:\n%s", excerpt(page))
			}
			u, err := db.FindUserByName(ctx, "li")
			storetest.MustDo(t, "user", err)
			rows, _, err := db.SearchAudit(ctx, store.AuditFilter{ObjectType: store.ObjCalendarFeed, Username: "li"})
			storetest.MustDo(t, "audit", err)
			if len(rows) != 3 || rows[0].Action != store.ActRevoke || !strings.Contains(rows[0].Detail, strconv.FormatInt(u.ID, 10)) {
				t.Fatalf("audit rows of li's feeds: %+v", rows)
			}
		})
		t.Run("DisabledAccount", func(t *testing.T) {
			path := createFeed(t, secCookie)
			u, err := db.FindUserByName(ctx, "tx-sec")
			storetest.MustDo(t, "user", err)
			storetest.MustDo(t, "disable", db.SetDisabled(ctx, u.ID, true))
			if r := fetch(t, path); r.StatusCode != http.StatusNotFound {
				t.Fatalf("feed of a disabled account: %d", r.StatusCode)
			}
		})
		t.Run("MalformedPaths", func(t *testing.T) {
			token := strings.TrimSuffix(strings.TrimPrefix(liFeed, "/feeds/"), ".ics")
			for _, p := range []string{"/feeds/" + token, "/feeds/" + token + ".ICS", "/feeds/abc.ics", "/feeds/" + token[1:] + "A.ics",
				"/feeds/" + strings.Repeat("A", 43) + ".ics"} {
				if r := fetch(t, p); r.StatusCode != http.StatusNotFound {
					t.Errorf("%s: %d", p, r.StatusCode)
				}
			}
		})
		t.Run("TokensStayOutOfTheLogs", func(t *testing.T) {
			if strings.Contains(fx.logs.String(), strings.TrimSuffix(strings.TrimPrefix(liFeed, "/feeds/"), ".ics")) {
				t.Fatal("a feed token was logged")
			}
		})
	})
}
