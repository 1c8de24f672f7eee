package notify_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dangjian/internal/notify"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

var msg = notify.Message{Title: "党建工作提醒（2026年11月26日）", Markdown: "### 党建工作提醒\n\n- 机关党支部 主题党日"}

// sentAt is the fixed time of the signed requests: 2026-11-26 08:00:00 UTC.
var sentAt = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)

func TestDingTalkSendsSignedMarkdown(t *testing.T) {
	const secret = "SEC0123456789abcdef"
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		q := r.URL.Query()
		if r.Method != http.MethodPost || r.URL.Path != "/robot/send" || q.Get("access_token") != "tok" {
			t.Errorf("request %s %s", r.Method, r.URL)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		// The signature, computed here independently of the code under test.
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte("1795680000000\n" + secret))
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if q.Get("timestamp") != "1795680000000" || q.Get("sign") != want {
			t.Errorf("timestamp %q sign %q, want 1795680000000 and %q", q.Get("timestamp"), q.Get("sign"), want)
		}
		if raw := r.URL.RawQuery; strings.Contains(raw, "+") || strings.Contains(raw, "sign="+want) && strings.ContainsAny(want, "+/=") {
			t.Errorf("sign not URL-encoded in %q", raw)
		}
		body, _ := io.ReadAll(r.Body)
		wantBody := `{"markdown":{"text":"### 党建工作提醒\n\n- 机关党支部 主题党日","title":"党建工作提醒（2026年11月26日）"},"msgtype":"markdown"}`
		if string(body) != wantBody {
			t.Errorf("body\n%s\nwant\n%s", body, wantBody)
		}
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer srv.Close()
	d := &notify.DingTalk{URL: srv.URL + "/robot/send?access_token=tok", Secret: secret, Client: srv.Client(),
		Now: func() time.Time { return sentAt }}
	if err := d.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if hits != 1 {
		t.Fatalf("hits %d", hits)
	}
	if got := notify.DingTalkSign(secret, 1795680000000); got == "" || strings.ContainsAny(got, " \n") {
		t.Fatalf("sign %q", got)
	}
}

func TestRobotErrorsKeepTheKeyOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":310000,"errmsg":"sign not match"}`)
	}))
	defer srv.Close()
	d := &notify.DingTalk{URL: srv.URL + "/robot/send?access_token=SECRETTOKEN", Secret: "s", Client: srv.Client(), Now: time.Now}
	err := d.Send(context.Background(), msg)
	if err == nil || !strings.Contains(err.Error(), "310000") || strings.Contains(err.Error(), "SECRETTOKEN") {
		t.Fatalf("got %v", err)
	}
	srv.Close()
	err = (&notify.WeCom{URL: srv.URL + "/cgi-bin/webhook/send?key=SECRETKEY", Client: http.DefaultClient}).Send(context.Background(), msg)
	if err == nil || strings.Contains(err.Error(), "SECRETKEY") {
		t.Fatalf("closed server: got %v", err)
	}
}

func TestWeComSendsMarkdown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("key") != "k1" || r.URL.Query().Has("sign") {
			t.Errorf("query %q", r.URL.RawQuery)
		}
		body, _ := io.ReadAll(r.Body)
		want := `{"markdown":{"content":"### 党建工作提醒\n\n- 机关党支部 主题党日"},"msgtype":"markdown"}`
		if string(body) != want {
			t.Errorf("body\n%s\nwant\n%s", body, want)
		}
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer srv.Close()
	if err := (&notify.WeCom{URL: srv.URL + "/cgi-bin/webhook/send?key=k1", Client: srv.Client()}).Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

func TestLongMessagesAreCutOnACharacter(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Markdown struct{ Content string } `json:"markdown"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		got = body.Markdown.Content
		io.WriteString(w, `{"errcode":0}`)
	}))
	defer srv.Close()
	long := notify.Message{Title: "t", Markdown: strings.Repeat("党建", 2000)}
	if err := (&notify.WeCom{URL: srv.URL, Client: srv.Client()}).Send(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	if len(got) > 4096 || !strings.HasSuffix(got, "已截断，请登录系统查看）") || strings.ContainsRune(got, '\uFFFD') {
		t.Fatalf("%d bytes, ends %q", len(got), got[len(got)-40:])
	}
}

// smtpServer accepts one SMTP session on a local port and sends what it received.
func smtpServer(t *testing.T) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		say := func(s string) { io.WriteString(conn, s+"\r\n") }
		var log strings.Builder
		say("220 test ESMTP")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			log.WriteString(line + "\n")
			switch cmd := strings.ToUpper(line); {
			case strings.HasPrefix(cmd, "EHLO"):
				say("250-test")
				say("250 AUTH PLAIN")
			case strings.HasPrefix(cmd, "AUTH PLAIN"):
				say("235 2.7.0 ok")
			case strings.HasPrefix(cmd, "MAIL FROM"), strings.HasPrefix(cmd, "RCPT TO"):
				say("250 ok")
			case cmd == "DATA":
				say("354 go ahead")
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						log.WriteString("<<END>>\n")
						break
					}
					log.WriteString(l)
				}
				say("250 queued")
			case cmd == "QUIT":
				say("221 bye")
				got <- log.String()
				return
			default:
				say("502 unknown")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSMTPSendsUTF8Mail(t *testing.T) {
	addr, got := smtpServer(t)
	host, port, _ := net.SplitHostPort(addr)
	s := &notify.SMTP{Host: host, Username: "dj", Password: "pw", From: "dangjian@example.cn",
		To: []string{"a@example.cn", "b@example.cn"}, Now: func() time.Time { return sentAt }}
	s.Port = atoi(port)
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	var session string
	select {
	case session = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no session")
	}
	auth := base64.StdEncoding.EncodeToString([]byte("\x00dj\x00pw"))
	for _, want := range []string{"AUTH PLAIN " + auth, "MAIL FROM:<dangjian@example.cn>", "RCPT TO:<a@example.cn>",
		"RCPT TO:<b@example.cn>", "Subject: =?UTF-8?b?", "Content-Type: text/plain; charset=UTF-8"} {
		if !strings.Contains(session, want) {
			t.Errorf("session lacks %q:\n%s", want, session)
		}
	}
	const head = "Content-Transfer-Encoding: base64\r\n\r\n"
	body := session[strings.Index(session, head)+len(head) : strings.Index(session, "<<END>>")]
	plain, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r\n", "", "\n", "").Replace(body))
	if err != nil || string(plain) != msg.Markdown {
		t.Fatalf("body %q: %v", plain, err)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// fakeClock advances at once by whatever it is asked to wait, and remembers the waits.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// bureau sets up a branch with one member, a planned meeting two days ahead and nothing held,
// so every digest has items.
func bureau(t *testing.T, db *store.DB) (top, branch *party.Org) {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return sentAt }
	top = &party.Org{Code: "T", Name: "局党组", Kind: party.KindLeadingGroup, FoundedOn: party.Date{Year: 2001, Month: 1, Day: 1}}
	storetest.MustDo(t, "top", db.CreateOrg(ctx, top))
	branch = &party.Org{Code: "T-JG", Name: "机关党支部", Kind: party.KindBranch, ParentID: top.ID, FoundedOn: party.Date{Year: 2002, Month: 1, Day: 1}}
	storetest.MustDo(t, "branch", db.CreateOrg(ctx, branch))
	start, _ := party.At(party.Date{Year: 2026, Month: 11, Day: 28}, "14:30")
	storetest.MustDo(t, "plan", db.PlanEvent(ctx, &party.Event{OrgID: branch.ID, Type: party.TypeThemeDay, Title: "重温入党誓词",
		StartAt: start, EndAt: start.Add(time.Hour)}))
	return top, branch
}

func TestCollectAndMessage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		top, branch := bureau(t, db)
		today := party.Today(sentAt)
		d, err := notify.Collect(ctx, db, []int64{top.ID, branch.ID}, today)
		storetest.MustDo(t, "collect", err)
		if len(d.Upcoming) != 1 || len(d.Overdue) == 0 || len(d.Due) == 0 {
			t.Fatalf("digest: %d upcoming, %d due, %d overdue", len(d.Upcoming), len(d.Due), len(d.Overdue))
		}
		seen := map[string]bool{}
		for _, it := range d.Overdue {
			k := it.OrgCode + string(it.Type) + it.Period.String()
			if seen[k] {
				t.Fatalf("overlapping subtrees listed %s twice", k)
			}
			seen[k] = true
		}
		m := d.Message("局党组", 3)
		for _, want := range []string{"### 党建工作提醒（2026年11月26日）", "**未来7天的活动（1项）**",
			"- 11月28日 14:30 机关党支部：主题党日·重温入党誓词", "**已逾期", "另有", "请登录系统查看", "11月30日截止"} {
			if !strings.Contains(m.Markdown, want) {
				t.Errorf("message lacks %q:\n%s", want, m.Markdown)
			}
		}
	})
}

func TestSchedulerRetriesAndRecordsFailures(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		top, _ := bureau(t, db)
		var flaky, broken atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "broken") {
				broken.Add(1)
				http.Error(w, "down", http.StatusBadGateway)
				return
			}
			if flaky.Add(1) < 3 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
		}))
		defer srv.Close()
		good := &store.Channel{Kind: store.ChannelDingTalk, Name: "钉钉群", RootOrgID: top.ID, Enabled: true,
			Config: store.ChannelConfig{URL: srv.URL + "/flaky?access_token=a", Secret: "s"}}
		bad := &store.Channel{Kind: store.ChannelWeCom, Name: "企业微信群", RootOrgID: top.ID, Enabled: true,
			Config: store.ChannelConfig{URL: srv.URL + "/broken?key=b"}}
		off := &store.Channel{Kind: store.ChannelWeCom, Name: "停用", RootOrgID: top.ID,
			Config: store.ChannelConfig{URL: srv.URL + "/broken?key=c"}}
		for _, c := range []*store.Channel{good, bad, off} {
			storetest.MustDo(t, "channel", db.CreateChannel(ctx, c))
		}
		clock := &fakeClock{now: sentAt}
		s := &notify.Scheduler{DB: db, Clock: clock, Client: srv.Client()}
		res, err := s.RunOnce(ctx)
		storetest.MustDo(t, "run", err)
		if res.Sent != 1 || res.Failed != 1 || flaky.Load() != 3 || broken.Load() != 3 {
			t.Fatalf("result %+v, flaky hits %d, broken hits %d", res, flaky.Load(), broken.Load())
		}
		waits := clock.Waits()
		if len(waits) != 4 || waits[0] != notify.FirstBackoff || waits[1] != 2*notify.FirstBackoff {
			t.Fatalf("backoff waits %v", waits)
		}
		failed, err := db.Deliveries(ctx, 0, true, 10)
		storetest.MustDo(t, "deliveries", err)
		if len(failed) != 1 || failed[0].ChannelID != bad.ID || failed[0].Attempts != 3 || !strings.Contains(failed[0].Error, "502") ||
			strings.Contains(failed[0].Error, "key=b") {
			t.Fatalf("failures: %+v", failed)
		}
		all, err := db.Deliveries(ctx, good.ID, false, 10)
		storetest.MustDo(t, "deliveries", err)
		if len(all) != 1 || !all[0].OK || all[0].Attempts != 3 || all[0].Items == 0 {
			t.Fatalf("good channel: %+v", all)
		}
	})
}

func TestRateLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		top, _ := bureau(t, db)
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			io.WriteString(w, `{"errcode":0}`)
		}))
		defer srv.Close()
		storetest.MustDo(t, "channel", db.CreateChannel(ctx, &store.Channel{Kind: store.ChannelWeCom, Name: "群", RootOrgID: top.ID,
			Enabled: true, Config: store.ChannelConfig{URL: srv.URL}}))
		clock := &fakeClock{now: sentAt}
		s := &notify.Scheduler{DB: db, Clock: clock, Client: srv.Client()}
		for i := 0; i < notify.RatePerMinute+1; i++ {
			_, err := s.RunOnce(ctx)
			storetest.MustDo(t, "run", err)
		}
		waits := clock.Waits()
		if hits.Load() != notify.RatePerMinute+1 || len(waits) != 1 || waits[0] != time.Minute {
			t.Fatalf("%d sends, waits %v: the 21st send within a minute must wait for the window", hits.Load(), waits)
		}
	})
}

func TestSchedulerRunsDaily(t *testing.T) {
	s := &notify.Scheduler{}
	for _, tc := range []struct{ now, next string }{
		{"2026-11-26T06:00:00+08:00", "2026-11-26T07:30:00+08:00"},
		{"2026-11-26T07:30:00+08:00", "2026-11-27T07:30:00+08:00"},
		{"2026-11-26T23:59:00+08:00", "2026-11-27T07:30:00+08:00"},
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		want, _ := time.Parse(time.RFC3339, tc.next)
		if got := s.Next(now); !got.Equal(want) {
			t.Errorf("Next(%s) = %s, want %s", tc.now, got, want)
		}
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		top, _ := bureau(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var runs atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if runs.Add(1) == 2 {
				cancel()
			}
			io.WriteString(w, `{"errcode":0}`)
		}))
		defer srv.Close()
		storetest.MustDo(t, "channel", db.CreateChannel(context.Background(), &store.Channel{Kind: store.ChannelWeCom, Name: "群",
			RootOrgID: top.ID, Enabled: true, Config: store.ChannelConfig{URL: srv.URL}}))
		clock := &fakeClock{now: sentAt} // 16:00 in Shanghai
		s := &notify.Scheduler{DB: db, Clock: clock, Client: srv.Client()}
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		select {
		case err := <-done:
			if err != context.Canceled {
				t.Fatalf("Run returned %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not stop")
		}
		waits := clock.Waits()
		if len(waits) < 2 || waits[0] != 15*time.Hour+30*time.Minute || waits[1] != 24*time.Hour {
			t.Fatalf("waits %v: want 15h30m to the next 07:30, then a day", waits)
		}
	})
}

// A planned meeting whose day passed stays on the list until it is recorded, however long ago,
// back to the ledger start.
func TestUnrecordedStayUntilRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		top, branch := bureau(t, db)
		db.Now = func() time.Time { return time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC) }
		start, _ := party.At(party.Date{Year: 2026, Month: 9, Day: 10}, "14:30")
		old := &party.Event{OrgID: branch.ID, Type: party.TypeBranchCommittee, Title: "九月支委会", StartAt: start,
			EndAt: start.Add(time.Hour)}
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, old))
		start, _ = party.At(party.Date{Year: 2026, Month: 11, Day: 10}, "14:30")
		newer := &party.Event{OrgID: branch.ID, Type: party.TypeThemeDay, Title: "十一月主题党日", StartAt: start,
			EndAt: start.Add(time.Hour)}
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, newer))
		db.Now = func() time.Time { return sentAt }
		listed := func() bool {
			d, err := notify.Collect(ctx, db, []int64{top.ID}, party.Today(sentAt))
			storetest.MustDo(t, "collect", err)
			for _, e := range d.Unrecorded {
				if e.ID == old.ID {
					return true
				}
			}
			return false
		}
		storetest.MustDo(t, "ledger start", db.SetLedgerStart(ctx, party.Date{Year: 2026, Month: 1, Day: 1}))
		if !listed() {
			t.Fatal("a meeting planned 77 days ago and never recorded is not listed")
		}
		// The latest come first, so a long list shows what is freshest to record.
		d, err := notify.Collect(ctx, db, []int64{top.ID}, party.Today(sentAt))
		storetest.MustDo(t, "collect", err)
		if len(d.Unrecorded) != 2 || d.Unrecorded[0].ID != newer.ID || d.Unrecorded[1].ID != old.ID || d.UnrecordedBeyond != 0 {
			t.Fatalf("unrecorded: %d listed, %d beyond, first %q", len(d.Unrecorded), d.UnrecordedBeyond, d.Unrecorded[0].Title)
		}
		m := d.Message("局党组", 1)
		if !strings.Contains(m.Markdown, "**已过日期、未登记召开情况（2项）**\n\n- 11月10日 机关党支部：主题党日·十一月主题党日") ||
			!strings.Contains(m.Markdown, "另有1项") {
			t.Errorf("message:\n%s", m.Markdown)
		}
		storetest.MustDo(t, "ledger start", db.SetLedgerStart(ctx, party.Date{Year: 2026, Month: 10, Day: 1}))
		if listed() {
			t.Fatal("a meeting planned before the ledger start is listed")
		}
		// A database that does not know its ledger start looks a year back.
		storetest.MustDo(t, "forget ledger start", db.SetMeta(ctx, "ledger_start", ""))
		if !listed() {
			t.Fatal("without a ledger start, a meeting planned 77 days ago is not listed")
		}
	})
}
