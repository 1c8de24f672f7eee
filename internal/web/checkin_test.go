package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
	"dangjian/internal/web"
)

// checkinLink finds the sign-in URL a QR code page shows.
var checkinLink = regexp.MustCompile(`http://example\.com/c/([A-Za-z0-9_-]+)`)

// ckToday returns local time hh:mm on the fixture's day, 2026-11-26 (now is 16:00 there).
func ckToday(clock string) time.Time {
	t, err := party.At(day("2026-11-26"), clock)
	if err != nil {
		panic(err)
	}
	return t
}

// ckAttendance returns how member stood at event id.
func ckAttendance(t *testing.T, db *store.DB, id, member int64) party.AttendanceStatus {
	t.Helper()
	e, err := db.FindEvent(context.Background(), id)
	storetest.MustDo(t, "find event", err)
	for _, a := range e.Attendance {
		if a.MemberID == member {
			return a.Status
		}
	}
	return ""
}

func TestCheckin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		li, zhao := fx.members[1], fx.members[3]
		liCookie := fx.account(t, "li", party.Grant{Role: party.RoleMember, MemberID: li.ID})
		zhaoCookie := fx.account(t, "zhao", party.Grant{Role: party.RoleMember, MemberID: zhao.ID})

		// Held this afternoon with 李四 recorded absent, so signing in changes something.
		meeting := &party.Event{OrgID: fx.branch.ID, Type: party.TypeBranchAssembly, Title: "十一月支部党员大会",
			StartAt: ckToday("14:30"), EndAt: ckToday("15:30"), Place: "三楼会议室"}
		storetest.MustDo(t, "meeting", db.RecordEvent(ctx, meeting, []party.Attendance{{MemberID: li.ID, Status: party.Absent}}))
		elsewhere := &party.Event{OrgID: fx.other.ID, Type: party.TypeBranchAssembly, Title: "体校支部党员大会",
			StartAt: ckToday("14:00"), EndAt: ckToday("15:00")}
		storetest.MustDo(t, "elsewhere", db.RecordEvent(ctx, elsewhere, nil))
		// Planned for this morning and not yet recorded as held.
		planned := &party.Event{OrgID: fx.branch.ID, Type: party.TypeThemeDay, Title: "计划中的主题党日",
			StartAt: ckToday("09:00"), EndAt: ckToday("10:00")}
		storetest.MustDo(t, "planned", db.PlanEvent(ctx, planned))
		cancelled := &party.Event{OrgID: fx.branch.ID, Type: party.TypeThemeDay, Title: "已取消的主题党日",
			StartAt: ckToday("19:00"), EndAt: ckToday("20:00")}
		storetest.MustDo(t, "to cancel", db.PlanEvent(ctx, cancelled))
		_, err := db.CancelEvent(ctx, cancelled.ID, "改期")
		storetest.MustDo(t, "cancel", err)
		june := &party.Event{OrgID: fx.branch.ID, Type: party.TypeBranchAssembly, Title: "六月支部党员大会",
			StartAt: time.Date(2026, 6, 10, 14, 30, 0, 0, party.Zone), EndAt: time.Date(2026, 6, 10, 16, 0, 0, 0, party.Zone)}
		storetest.MustDo(t, "june", db.RecordEvent(ctx, june, nil))

		eventPath := "/events/" + strconv.FormatInt(meeting.ID, 10)
		page := fx.get(t, eventPath+"/checkin")
		m := checkinLink.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("the QR code page shows no sign-in URL\n%s", excerpt(page))
		}
		token := m[1]
		for _, want := range []string{"刷新二维码", "有效至", "2026年11月26日 18:00", meeting.Title, "checkin.png?t=" + token} {
			if !strings.Contains(page, want) {
				t.Errorf("QR code page lacks %q", want)
			}
		}
		signIn := "/c/" + token

		t.Run("QRCodeIsAPNG", func(t *testing.T) {
			w := fx.do(t, request{method: "GET", path: eventPath + "/checkin.png?t=" + token})
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/png" || w.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("image: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
			}
			img, err := png.Decode(bytes.NewReader(w.Body.Bytes()))
			storetest.MustDo(t, "decode PNG", err)
			b := img.Bounds()
			if b.Dx() != b.Dy() || b.Dx() < 200 {
				t.Fatalf("QR image %v", b)
			}
			dark := 0
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if r, _, _, _ := img.At(x, y).RGBA(); r == 0 {
						dark++
					}
				}
			}
			// A QR code is roughly half dark modules inside a white quiet zone.
			if share := float64(dark) / float64(b.Dx()*b.Dy()); share < .2 || share > .6 {
				t.Fatalf("dark share %.2f: not a QR code", share)
			}
			if r, _, _, _ := img.At(b.Min.X+1, b.Min.Y+1).RGBA(); r == 0 {
				t.Fatal("no quiet zone around the QR code")
			}
		})

		t.Run("AnonymousScanGoesToSignInAndBack", func(t *testing.T) {
			w := fx.do(t, request{method: "GET", path: signIn, anonymous: true})
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/signin?next="+url.QueryEscape(signIn) {
				t.Fatalf("anonymous scan: %d %q", w.Code, w.Header().Get("Location"))
			}
			w = fx.do(t, request{method: "POST", path: "/signin", anonymous: true,
				form: url.Values{"username": {"li"}, "password": {testPassword}, "next": {signIn}}})
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != signIn {
				t.Fatalf("signing in from a scan: %d %q", w.Code, w.Header().Get("Location"))
			}
		})

		t.Run("TokenRoundTripAndSignIn", func(t *testing.T) {
			w := fx.do(t, request{method: "GET", path: signIn, cookie: liCookie})
			body := w.Body.String()
			if w.Code != http.StatusOK || !strings.Contains(body, meeting.Title) || !strings.Contains(body, `action="/c/`+token+`"`) ||
				!strings.Contains(body, "2026年11月26日 14:30") {
				t.Fatalf("scan as 李四: %d\n%s", w.Code, excerpt(body))
			}
			before, err := db.AuditFor(ctx, store.ObjEvent, meeting.ID, 100)
			storetest.MustDo(t, "audit", err)
			w = fx.do(t, request{method: "POST", path: signIn, cookie: liCookie, form: url.Values{}})
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != signIn+"?done=checkin" {
				t.Fatalf("sign in: %d %q\n%s", w.Code, w.Header().Get("Location"), excerpt(w.Body.String()))
			}
			if got := ckAttendance(t, db, meeting.ID, li.ID); got != party.Present {
				t.Fatalf("李四 after signing in: %q, want 出席", got)
			}
			after, err := db.AuditFor(ctx, store.ObjEvent, meeting.ID, 100)
			storetest.MustDo(t, "audit", err)
			if len(after) != len(before)+1 || after[0].Action != store.ActEventAttendance || after[0].Username != "li" ||
				!strings.Contains(after[0].Detail, "出席") {
				t.Fatalf("audit rows after signing in: %d then %d, newest %+v", len(before), len(after), after[0])
			}
			body = fx.do(t, request{method: "GET", path: signIn + "?done=checkin", cookie: liCookie}).Body.String()
			if !strings.Contains(body, "签到成功") || !strings.Contains(body, "您已签到") || strings.Contains(body, `action="/c/`) {
				t.Fatalf("page after signing in:\n%s", excerpt(body))
			}

			t.Run("Idempotent", func(t *testing.T) {
				w := fx.do(t, request{method: "POST", path: signIn, cookie: liCookie, form: url.Values{}})
				if w.Code != http.StatusSeeOther || w.Header().Get("Location") != signIn {
					t.Fatalf("second sign-in: %d %q", w.Code, w.Header().Get("Location"))
				}
				again, err := db.AuditFor(ctx, store.ObjEvent, meeting.ID, 100)
				storetest.MustDo(t, "audit", err)
				if len(again) != len(after) {
					t.Fatalf("a second sign-in wrote %d audit rows", len(again)-len(after))
				}
				body := fx.do(t, request{method: "GET", path: signIn, cookie: liCookie}).Body.String()
				if !strings.Contains(body, "您已签到") || strings.Contains(body, "签到成功") {
					t.Fatalf("page after the second sign-in:\n%s", excerpt(body))
				}
			})
		})

		t.Run("TamperedToken", func(t *testing.T) {
			raw, err := base64.RawURLEncoding.DecodeString(token)
			storetest.MustDo(t, "decode token", err)
			for i := range raw {
				bad := bytes.Clone(raw)
				bad[i] ^= 0x01
				path := "/c/" + base64.RawURLEncoding.EncodeToString(bad)
				w := fx.do(t, request{method: "GET", path: path, cookie: liCookie})
				if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "请让会议记录人刷新二维码") ||
					strings.Contains(w.Body.String(), meeting.Title) {
					t.Fatalf("byte %d changed: %d\n%s", i, w.Code, excerpt(w.Body.String()))
				}
			}
			for _, junk := range []string{"x", "%21%21", strings.Repeat("A", 200)} {
				if w := fx.do(t, request{method: "POST", path: "/c/" + junk, cookie: liCookie, form: url.Values{}}); w.Code != http.StatusNotFound {
					t.Errorf("token %.10q: %d", junk, w.Code)
				}
			}
		})

		t.Run("ExpiredToken", func(t *testing.T) {
			fx.later = 2*time.Hour + time.Minute
			defer func() { fx.later = 0 }()
			for _, method := range []string{"GET", "POST"} {
				w := fx.do(t, request{method: method, path: signIn, cookie: liCookie, form: url.Values{}})
				if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "签到二维码已过期，请让会议记录人刷新二维码") {
					t.Fatalf("%s an expired token: %d\n%s", method, w.Code, excerpt(w.Body.String()))
				}
			}
			// A fresh code works again, and late at night it stops a few hours after the day ends.
			fx.later = 11 * time.Hour // 03:00 the next morning in Beijing
			page := fx.get(t, eventPath+"/checkin")
			if !strings.Contains(page, "2026年11月27日 04:00") {
				t.Fatalf("a code shown after midnight should stop at 04:00\n%s", excerpt(page))
			}
			fx.later = 13 * time.Hour
			if w := fx.do(t, request{method: "GET", path: eventPath + "/checkin"}); w.Code != http.StatusConflict ||
				!strings.Contains(w.Body.String(), "已经结束") {
				t.Fatalf("QR code the day after: %d", w.Code)
			}
		})

		t.Run("NotExpected", func(t *testing.T) {
			for name, cookie := range map[string]*http.Cookie{"赵六 of another branch": zhaoCookie, "党建管理员": fx.cookie} {
				for _, method := range []string{"GET", "POST"} {
					w := fx.do(t, request{method: method, path: signIn, cookie: cookie, form: url.Values{}})
					if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), meeting.Title) {
						t.Errorf("%s %s: %d", name, method, w.Code)
					}
				}
			}
			other := "/c/" + web.CheckinToken(fx.srv, elsewhere.ID, now().Add(time.Hour))
			w := fx.do(t, request{method: "POST", path: other, cookie: liCookie, form: url.Values{}})
			if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), elsewhere.Title) {
				t.Fatalf("李四 with a token of another branch's meeting: %d", w.Code)
			}
			if got := ckAttendance(t, db, elsewhere.ID, li.ID); got != "" {
				t.Fatalf("李四 was added to another branch's meeting: %q", got)
			}
			if w := fx.do(t, request{method: "GET", path: "/c/" + web.CheckinToken(fx.srv, 999999, now().Add(time.Hour)),
				cookie: liCookie}); w.Code != http.StatusNotFound {
				t.Fatalf("token of a missing event: %d", w.Code)
			}
		})

		t.Run("CancelledEventRefuses", func(t *testing.T) {
			path := "/c/" + web.CheckinToken(fx.srv, cancelled.ID, now().Add(time.Hour))
			for _, method := range []string{"GET", "POST"} {
				w := fx.do(t, request{method: method, path: path, cookie: liCookie, form: url.Values{}})
				if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "已取消") {
					t.Fatalf("%s on a cancelled event: %d\n%s", method, w.Code, excerpt(w.Body.String()))
				}
			}
			if w := fx.do(t, request{method: "GET", path: "/events/" + strconv.FormatInt(cancelled.ID, 10) + "/checkin"}); w.Code != http.StatusConflict ||
				strings.Contains(w.Body.String(), "checkin.png") {
				t.Fatalf("QR code of a cancelled event: %d", w.Code)
			}
			if w := fx.do(t, request{method: "GET", path: "/events/" + strconv.FormatInt(cancelled.ID, 10) + "/checkin.png"}); w.Code != http.StatusConflict {
				t.Fatalf("QR image of a cancelled event: %d", w.Code)
			}
			// Someone not expected learns nothing, not even that it was cancelled.
			if w := fx.do(t, request{method: "GET", path: path, cookie: zhaoCookie}); w.Code != http.StatusNotFound {
				t.Fatalf("赵六 on another branch's cancelled event: %d", w.Code)
			}
		})

		t.Run("PlannedEventKeepsSignInsForTheRecorder", func(t *testing.T) {
			plannedPath := "/events/" + strconv.FormatInt(planned.ID, 10)
			page := fx.get(t, plannedPath+"/checkin")
			if !strings.Contains(page, "党员现在即可扫码签到") || strings.Contains(page, "才能签到") || !checkinLink.MatchString(page) ||
				!strings.Contains(page, "已签到 <strong>0</strong> 人") {
				t.Fatalf("QR code page of a planned event:\n%s", excerpt(page))
			}
			link := "/c/" + web.CheckinToken(fx.srv, planned.ID, now().Add(time.Hour))
			w := fx.do(t, request{method: "GET", path: link, cookie: liCookie})
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `action="`+link+`"`) {
				t.Fatalf("scan of a planned event: %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			w = fx.do(t, request{method: "POST", path: link, cookie: liCookie, form: url.Values{}})
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != link+"?done=checkin" {
				t.Fatalf("signing in to a planned event: %d %q\n%s", w.Code, w.Header().Get("Location"), excerpt(w.Body.String()))
			}
			signed, err := db.EventCheckins(ctx, planned.ID)
			storetest.MustDo(t, "sign-ins", err)
			if len(signed) != 1 || signed[0].MemberID != li.ID || !signed[0].At.Equal(now()) {
				t.Fatalf("sign-ins: %+v", signed)
			}
			audit, err := db.AuditFor(ctx, store.ObjEvent, planned.ID, 100)
			storetest.MustDo(t, "audit", err)
			if len(audit) != 2 || audit[0].Action != store.ActEventCheckIn || audit[0].Username != "li" {
				t.Fatalf("audit rows after signing in: %+v", audit)
			}
			if got := ckAttendance(t, db, planned.ID, li.ID); got != "" {
				t.Fatalf("a sign-in at a planned event recorded attendance %q", got)
			}
			body := fx.do(t, request{method: "GET", path: link + "?done=checkin", cookie: liCookie}).Body.String()
			if !strings.Contains(body, "签到成功") || !strings.Contains(body, "您已签到。会议结束后") || strings.Contains(body, `action="/c/`) {
				t.Fatalf("page after signing in to a planned event:\n%s", excerpt(body))
			}
			// The projected page's count, polled by htmx, now says one.
			count := fx.do(t, request{method: "GET", path: plannedPath + "/checkin",
				header: map[string]string{"HX-Request": "true", "HX-Target": "checkin-count"}}).Body.String()
			if !strings.Contains(count, "已签到 <strong>1</strong> 人") || strings.Contains(count, "<html") {
				t.Fatalf("the sign-in count fragment:\n%s", excerpt(count))
			}

			t.Run("Idempotent", func(t *testing.T) {
				w := fx.do(t, request{method: "POST", path: link, cookie: liCookie, form: url.Values{}})
				if w.Code != http.StatusSeeOther || w.Header().Get("Location") != link {
					t.Fatalf("second sign-in: %d %q", w.Code, w.Header().Get("Location"))
				}
				again, err := db.AuditFor(ctx, store.ObjEvent, planned.ID, 100)
				storetest.MustDo(t, "audit", err)
				if len(again) != len(audit) {
					t.Fatalf("a second sign-in wrote %d audit rows", len(again)-len(audit))
				}
				if signed, err := db.EventCheckins(ctx, planned.ID); err != nil || len(signed) != 1 {
					t.Fatalf("sign-ins after the second: %+v %v", signed, err)
				}
			})

			t.Run("NotExpected", func(t *testing.T) {
				for _, method := range []string{"GET", "POST"} {
					w := fx.do(t, request{method: method, path: link, cookie: zhaoCookie, form: url.Values{}})
					if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), planned.Title) {
						t.Errorf("赵六 of another branch, %s: %d", method, w.Code)
					}
				}
				if signed, err := db.EventCheckins(ctx, planned.ID); err != nil || len(signed) != 1 {
					t.Fatalf("sign-ins after 赵六 tried: %+v %v", signed, err)
				}
			})

			t.Run("EventPageListsSignIns", func(t *testing.T) {
				page := fx.get(t, plannedPath)
				if !strings.Contains(page, "已扫码签到 <strong>1</strong> 人") || !strings.Contains(page, "<li>李四 ") {
					t.Fatalf("planned event page:\n%s", excerpt(page))
				}
				page = fx.get(t, "/events/"+strconv.FormatInt(cancelled.ID, 10))
				if strings.Contains(page, "扫码签到") {
					t.Fatalf("a cancelled event lists sign-ins:\n%s", excerpt(page))
				}
			})

			t.Run("MemberSeesOwnSignInOnly", func(t *testing.T) {
				page := fx.do(t, request{method: "GET", path: plannedPath, cookie: liCookie}).Body.String()
				if !strings.Contains(page, "扫码签到。") || !strings.Contains(page, "您已于") || strings.Contains(page, "checkin-list") {
					t.Fatalf("李四's view of the planned event:\n%s", excerpt(page))
				}
			})

			t.Run("CompletionStartsFromSignIns", func(t *testing.T) {
				// After the meeting the recorder completes the event.
				form := fx.get(t, plannedPath+"/complete")
				zhang, wang := fx.members[0], fx.members[2]
				for _, want := range []string{
					"已扫码签到 1 人",
					path(`name="status_%d" value="出席" checked`, li.ID),
					path(`name="status_%d" value="缺席" checked`, zhang.ID),
					path(`name="status_%d" value="缺席" checked`, wang.ID),
					`李四 <span class="tag checkin-mark">已签到</span>`,
				} {
					if !strings.Contains(form, want) {
						t.Errorf("completion form lacks %q", want)
					}
				}
				if strings.Contains(form, `张三 <span class="tag checkin-mark">`) || t.Failed() {
					t.Fatalf("completion form:\n%s", excerpt(form))
				}
				// The recorder turns 王五 to 请假 and submits the rest as preselected.
				post := url.Values{"title": {planned.Title}, "on": {"2026-11-26"}, "start_at": {"09:00"}, "end_at": {"10:00"}}
				post.Set(path("status_%d", li.ID), "出席")
				post.Set(path("status_%d", zhang.ID), "缺席")
				post.Set(path("status_%d", wang.ID), "请假")
				post.Set(path("reason_%d", wang.ID), "出差")
				w := fx.do(t, request{method: "POST", path: plannedPath + "/complete", form: post})
				if w.Code != http.StatusSeeOther {
					t.Fatalf("complete: %d\n%s", w.Code, excerpt(w.Body.String()))
				}
				e, err := db.FindEvent(ctx, planned.ID)
				storetest.MustDo(t, "find", err)
				if e.Status != party.EventHeld || e.Expected != 3 || e.Present != 1 || e.Absent != 1 || e.Leave != 1 {
					t.Fatalf("completed: %+v", e)
				}
				if page := fx.get(t, plannedPath); strings.Contains(page, "已扫码签到") {
					t.Fatalf("a held event still lists sign-ins instead of its attendance:\n%s", excerpt(page))
				}
			})
		})

		t.Run("PastEventHasNoCode", func(t *testing.T) {
			w := fx.do(t, request{method: "GET", path: "/events/" + strconv.FormatInt(june.ID, 10) + "/checkin"})
			if w.Code != http.StatusConflict || checkinLink.MatchString(w.Body.String()) {
				t.Fatalf("QR code of June's meeting: %d", w.Code)
			}
		})

		t.Run("TokensStayOutOfTheLogs", func(t *testing.T) {
			if strings.Contains(fx.logs.String(), token) {
				t.Fatal("a sign-in token was logged")
			}
		})
	})
}
