package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangjian/internal/files"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
	"dangjian/internal/web"
)

// withFiles serves the fixture from a server that keeps attachments in a temporary directory
// with a size limit of limit bytes; sessions stay valid, as they live in the database.
func (fx *fixture) withFiles(t *testing.T, limit int64) *files.Store {
	t.Helper()
	fs, err := files.New(t.TempDir(), limit)
	storetest.MustDo(t, "file store", err)
	fx.srv = web.New(web.Options{DB: fx.db, Auth: fx.auth, Logger: slog.New(slog.NewTextHandler(fx.logs, nil)),
		Now: func() time.Time { return now().Add(fx.later) }, Files: fs})
	fx.h = fx.srv
	return fs
}

// pngBytes is the start of a PNG image, enough for the content check.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 200)...)

// eventID reads the event id from the redirect after a successful event form.
func eventID(t *testing.T, w interface{ Header() http.Header }) int64 {
	t.Helper()
	loc := w.Header().Get("Location")
	rest, ok := strings.CutPrefix(loc, "/events/")
	if !ok {
		t.Fatalf("redirect to %q, want an event page", loc)
	}
	rest, _, _ = strings.Cut(rest, "?")
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		t.Fatalf("redirect to %q: %v", loc, err)
	}
	return id
}

// heldForm is a valid form recording a held event of type typ on 2026-11-20.
func heldForm(typ, title string) url.Values {
	return url.Values{"status": {"held"}, "type": {typ}, "title": {title}, "on": {"2026-11-20"},
		"start_at": {"14:30"}, "end_at": {"16:00"}, "place": {"党员活动室"}, "host": {"张三"}, "recorder": {"李四"}}
}

func evPath(id int64) string { return path("/events/%d", id) }

func countEvents(t *testing.T, fx *fixture) int {
	t.Helper()
	_, n, err := fx.db.ListEvents(context.Background(), store.EventFilter{Limit: 1})
	storetest.MustDo(t, "count events", err)
	return n
}

func TestEventRecordHeldWithAttendance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		zhang, li, wang, zhao := fx.members[0], fx.members[1], fx.members[2], fx.members[3]
		newURL := path("/orgs/%d/events/new?type=theme_day", fx.branch.ID)

		t.Run("FormListsExpectedAttendeesAllPresent", func(t *testing.T) {
			body := fx.get(t, newURL)
			if !strings.Contains(body, "<h1>登记已召开的活动</h1>") && !strings.Contains(body, "<h1>安排活动计划</h1>") {
				t.Errorf("the form's heading is not its title:\n%s", excerpt(body))
			}
			for _, name := range []string{"张三", "李四", "王五"} {
				if !strings.Contains(body, name) {
					t.Errorf("form lacks expected attendee %s", name)
				}
			}
			if strings.Contains(body, "赵六") {
				t.Error("form lists a member of another branch")
			}
			for _, m := range []*party.Member{zhang, li, wang} {
				if !strings.Contains(body, path(`name="status_%d" value="出席" checked`, m.ID)) {
					t.Errorf("%s does not default to 出席", m.Name)
				}
			}
		})

		t.Run("GroupMeetingListsGroupMembers", func(t *testing.T) {
			body := fx.get(t, path("/orgs/%d/events/new?type=group_meeting", fx.group.ID))
			if !strings.Contains(body, path(`name="status_%d"`, zhang.ID)) || strings.Contains(body, path(`name="status_%d"`, li.ID)) {
				t.Fatal("a 党小组会 form should list exactly the group's members")
			}
		})

		t.Run("TypeChangeRefreshesTheList", func(t *testing.T) {
			w := fx.do(t, request{method: "GET", path: path("/orgs/%d/events/new?type=group_meeting&on=2026-11-20&status=held", fx.group.ID),
				header: map[string]string{"HX-Request": "true", "HX-Target": "type-dependent"}})
			body := w.Body.String()
			if w.Code != 200 || !strings.HasPrefix(body, `<div id="type-dependent">`) || !strings.Contains(body, "张三") {
				t.Fatalf("fragment: %d %.200s", w.Code, body)
			}
		})

		var id int64
		t.Run("RecordsExceptionsAndEscapesText", func(t *testing.T) {
			form := heldForm("theme_day", "重温入党誓词<b>粗体</b>")
			form.Set(path("status_%d", li.ID), "请假")
			form.Set(path("reason_%d", li.ID), "出差")
			form.Set(path("status_%d", wang.ID), "缺席")
			form.Set(path("status_%d", zhang.ID), "出席")
			form.Set("content", "<script>alert(1)</script>\n第二行发言")
			form.Set("guests", "王明 局办公室主任\n\n李华　市委组织部干部")
			w := fx.do(t, request{method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: form})
			if w.Code != http.StatusSeeOther {
				t.Fatalf("status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			id = eventID(t, w)
			e, err := db.FindEvent(context.Background(), id)
			storetest.MustDo(t, "find", err)
			if e.Status != party.EventHeld || e.Expected != 3 || e.Present != 1 || e.Leave != 1 || e.Absent != 1 || len(e.Guests) != 2 ||
				e.Guests[1].Name != "李华" || e.Guests[1].UnitPost != "市委组织部干部" {
				t.Fatalf("stored %+v", e)
			}
			body := fx.get(t, evPath(id)+"?done=recorded")
			for _, s := range []string{"活动已登记", "应到 <strong>3</strong> 人，出席 <strong>1</strong> 人，请假 <strong>1</strong> 人，缺席 <strong>1</strong> 人",
				"出差", "王明（局办公室主任）", "&lt;script&gt;alert(1)&lt;/script&gt;\n第二行发言", "重温入党誓词&lt;b&gt;",
				"2026年11月20日"} {
				if !strings.Contains(body, s) {
					t.Errorf("event page lacks %q", s)
				}
			}
			// Sign-in is open on the meeting's day only: six days later there is no QR code.
			if strings.Contains(body, path(`href="/events/%d/checkin"`, id)) {
				t.Error("a meeting of six days ago offers its sign-in QR code")
			}
			if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<b>粗体") {
				t.Error("event page renders user text as HTML")
			}
		})

		t.Run("ErrBadInputSavesNothing", func(t *testing.T) {
			before := countEvents(t, fx)
			long := heldForm("theme_day", strings.Repeat("长", 201))
			endFirst := heldForm("theme_day", "主题党日")
			endFirst.Set("end_at", "13:00")
			unknown := heldForm("no_such_type", "主题党日")
			outsider := heldForm("theme_day", "主题党日")
			outsider.Set(path("status_%d", zhao.ID), "缺席")
			future := heldForm("theme_day", "主题党日")
			future.Set("on", "2026-12-20")
			badClock := heldForm("theme_day", "主题党日")
			badClock.Set("start_at", "25:00")
			badStatus := heldForm("theme_day", "主题党日")
			badStatus.Set(path("status_%d", li.ID), "迟到")
			fx.run(t, []scenario{
				{name: "TitleTooLong", method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: long, status: 422,
					want: []string{"主题不能超过200个字", `id="f-title-error"`}},
				{name: "EndBeforeStart", method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: endFirst, status: 422,
					want: []string{"结束时间应晚于开始时间", `id="f-end_at-error"`}},
				{name: "UnknownType", method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: unknown, status: 422,
					want: []string{"活动类型不存在", `id="f-type-error"`}},
				{name: "MemberOfAnotherSubtree", method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: outsider, status: 422,
					want: []string{"不是本次活动的应到人员", `id="f-attendance-error"`}},
				{name: "HeldInFuture", method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: future, status: 422,
					want: []string{"活动尚未开始"}},
				{name: "BadClock", method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: badClock, status: 422,
					want: []string{"不是有效时间", `id="f-start_at-error"`}},
				{name: "BadStatus", method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: badStatus, status: 422,
					want: []string{"出勤情况应为出席、请假或缺席"}},
				{name: "Empty", method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: url.Values{"status": {"held"}}, status: 422,
					want: []string{"请选择活动类型", "请填写主题", "请填写开始时间", "请填写结束时间"}},
			})
			if after := countEvents(t, fx); after != before {
				t.Fatalf("bad forms saved events: %d before, %d after", before, after)
			}
		})

		t.Run("AttendanceCorrection", func(t *testing.T) {
			form := url.Values{path("status_%d", li.ID): {"出席"}, path("reason_%d", li.ID): {""}}
			w := fx.do(t, request{method: "POST", path: evPath(id) + "/attendance", form: form})
			if w.Code != http.StatusSeeOther {
				t.Fatalf("status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			e, err := db.FindEvent(context.Background(), id)
			storetest.MustDo(t, "find", err)
			if e.Present != 2 || e.Leave != 0 {
				t.Fatalf("after correction present %d leave %d", e.Present, e.Leave)
			}
			fx.run(t, []scenario{
				{name: "ErrOutsider", method: "POST", path: evPath(id) + "/attendance",
					form: url.Values{path("status_%d", zhao.ID): {"出席"}}, status: 422, want: []string{"不是本次活动的应到人员"}},
				{name: "ErrBadID", method: "POST", path: evPath(id) + "/attendance",
					form: url.Values{"status_x1": {"出席"}}, status: 422, want: []string{"出勤名单有误"}},
			})
		})

		t.Run("Edit", func(t *testing.T) {
			body := fx.get(t, evPath(id)+"/edit")
			if !strings.Contains(body, `value="14:30"`) || !strings.Contains(body, "王明 局办公室主任") {
				t.Fatalf("edit form not filled\n%s", excerpt(body))
			}
			form := heldForm("theme_day", "重温入党誓词（修订）")
			form.Set("decisions", "1. 开展志愿服务")
			w := fx.do(t, request{method: "POST", path: evPath(id) + "/edit", form: form})
			if w.Code != http.StatusSeeOther {
				t.Fatalf("status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			e, err := db.FindEvent(context.Background(), id)
			storetest.MustDo(t, "find", err)
			if e.Title != "重温入党誓词（修订）" || e.Decisions != "1. 开展志愿服务" || e.Present != 2 {
				t.Fatalf("after edit: %+v", e)
			}
			bad := heldForm("theme_day", "")
			fx.run(t, []scenario{{name: "ErrNoTitle", method: "POST", path: evPath(id) + "/edit", form: bad, status: 422,
				want: []string{"请填写主题"}}})
		})

		t.Run("ErrCancelHeld", func(t *testing.T) {
			fx.run(t, []scenario{{name: "Conflict", method: "POST", path: evPath(id) + "/cancel",
				form: url.Values{"cancel_reason": {"改期"}}, status: 409, want: []string{"只能取消计划中的活动"}}})
		})
	})
}

func TestEventCommitteeQuorum(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		for i, title := range []string{"书记", "组织委员", "宣传委员"} {
			storetest.MustDo(t, "post", db.AddPosition(ctx, &party.Position{MemberID: fx.members[i].ID, OrgID: fx.branch.ID,
				Title: title, StartOn: day("2024-01-01")}))
		}
		body := fx.get(t, path("/orgs/%d/events/new?type=branch_committee", fx.branch.ID))
		if !strings.Contains(body, "超过应到人数的一半") {
			t.Error("committee form does not explain the quorum")
		}
		form := heldForm("branch_committee", "研究发展党员工作")
		form.Set(path("status_%d", fx.members[1].ID), "请假")
		form.Set(path("reason_%d", fx.members[1].ID), "参加培训")
		form.Set(path("status_%d", fx.members[2].ID), "缺席")
		w := fx.do(t, request{method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: form})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("status %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		id := eventID(t, w)
		body = fx.get(t, evPath(id))
		for _, s := range []string{"到会人数未超过应到人数的一半，不计为有效召开", "应到 <strong>3</strong> 人，出席 <strong>1</strong> 人"} {
			if !strings.Contains(body, s) {
				t.Errorf("event page lacks %q", s)
			}
		}
		cal := fx.get(t, path("/orgs/%d/calendar?view=list&month=2026-11", fx.branch.ID))
		if !strings.Contains(cal, "不计入") {
			t.Error("calendar list does not mark the committee meeting as not counting")
		}
		// Two of three present makes it count.
		w = fx.do(t, request{method: "POST", path: evPath(id) + "/attendance",
			form: url.Values{path("status_%d", fx.members[2].ID): {"出席"}}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("correction: status %d", w.Code)
		}
		body = fx.get(t, evPath(id))
		if strings.Contains(body, "不计为有效召开") || !strings.Contains(body, "到会人数过半，有效") {
			t.Error("after the correction the meeting should count")
		}
	})
}

func TestEventPlanCompleteCancel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		planned := heldForm("branch_assembly", "年终支部党员大会")
		planned.Set("status", "planned")
		planned.Set("on", "2026-12-10")
		w := fx.do(t, request{method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: planned})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("plan: status %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		future := eventID(t, w)
		body := fx.get(t, evPath(future))
		for _, s := range []string{"登记召开情况", "取消本次活动", "计划"} {
			if !strings.Contains(body, s) {
				t.Errorf("planned event page lacks %q", s)
			}
		}
		if strings.Contains(body, path(`href="/events/%d/checkin"`, future)) {
			t.Error("a meeting planned for a later day offers its sign-in QR code already")
		}
		if w := fx.do(t, request{method: "GET", path: evPath(future) + "/checkin"}); w.Code != http.StatusConflict ||
			!strings.Contains(w.Body.String(), "签到在活动当天") {
			t.Errorf("the QR page of a later meeting: %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		completeFuture := heldForm("branch_assembly", "年终支部党员大会")
		completeFuture.Set("on", "2026-12-10")
		fx.run(t, []scenario{
			{name: "ErrCompleteFuture", method: "POST", path: evPath(future) + "/complete", form: completeFuture,
				status: 422, want: []string{"活动尚未开始"}},
			{name: "ErrCancelWithoutReason", method: "POST", path: evPath(future) + "/cancel", form: url.Values{"cancel_reason": {" "}},
				status: 422, want: []string{"请填写取消原因", `id="f-cancel_reason-error"`}},
			{name: "Cancel", method: "POST", path: evPath(future) + "/cancel", form: url.Values{"cancel_reason": {"与全局大会冲突"}},
				status: 303, location: evPath(future) + "?done=cancelled"},
			{name: "CancelledShowsReason", path: evPath(future), status: 200, want: []string{"已取消", "与全局大会冲突"},
				notWant: []string{"签到二维码", "登记召开情况"}},
			{name: "ErrEditCancelled", path: evPath(future) + "/edit", status: 409},
		})

		// A planned event that has taken place is completed with its attendance.
		start := time.Date(2026, 11, 18, 9, 0, 0, 0, party.Zone)
		past := &party.Event{OrgID: fx.branch.ID, Type: party.TypeBranchAssembly, Title: "学习党的二十届四中全会精神",
			StartAt: start, EndAt: start.Add(2 * time.Hour)}
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, past))
		body = fx.get(t, evPath(past.ID)+"/complete")
		if !strings.Contains(body, `value="09:00"`) || !strings.Contains(body, path(`name="status_%d" value="出席" checked`, fx.members[0].ID)) {
			t.Fatalf("completion form not prefilled\n%s", excerpt(body))
		}
		form := heldForm("branch_assembly", "学习党的二十届四中全会精神")
		form.Set("on", "2026-11-18")
		form.Set(path("status_%d", fx.members[2].ID), "请假")
		form.Set(path("reason_%d", fx.members[2].ID), "病假")
		w = fx.do(t, request{method: "POST", path: evPath(past.ID) + "/complete", form: form})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("complete: status %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		e, err := db.FindEvent(ctx, past.ID)
		storetest.MustDo(t, "find", err)
		if e.Status != party.EventHeld || e.Expected != 3 || e.Present != 2 || e.Leave != 1 || e.PlanID != 0 {
			t.Fatalf("completed %+v", e)
		}
		fx.run(t, []scenario{{name: "ErrCompleteTwice", path: evPath(past.ID) + "/complete", status: 409}})
	})
}

func TestEventFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		mk := func(org int64, title string) *party.Event {
			start := time.Date(2026, 11, 10, 14, 30, 0, 0, party.Zone)
			e := &party.Event{OrgID: org, Type: party.TypeThemeDay, Title: title, StartAt: start, EndAt: start.Add(time.Hour)}
			storetest.MustDo(t, "record", db.RecordEvent(ctx, e, nil))
			return e
		}
		ev, other := mk(fx.branch.ID, "主题党日"), mk(fx.other.ID, "体校主题党日")
		send := func(eventID int64, name string, data []byte) *http.Response {
			body, ct := upload(t, name, data, nil)
			w := fx.do(t, request{method: "POST", path: evPath(eventID) + "/files", body: body, contentType: ct})
			return w.Result()
		}

		t.Run("RefusedWithoutFileStore", func(t *testing.T) {
			if got := send(ev.ID, "照片.png", pngBytes).StatusCode; got != http.StatusServiceUnavailable {
				t.Fatalf("upload without a file store: status %d, want 503", got)
			}
			if body := fx.get(t, evPath(ev.ID)); !strings.Contains(body, "未配置附件存储") {
				t.Error("the event page does not say that attachments are not available")
			}
		})

		fx.withFiles(t, 64<<10)
		resp := send(ev.ID, "会议照片 2026.png", pngBytes)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: status %d", resp.StatusCode)
		}
		list, err := db.EventFiles(ctx, ev.ID)
		storetest.MustDo(t, "files", err)
		if len(list) != 1 {
			t.Fatalf("%d files after upload", len(list))
		}
		fid := list[0].ID
		fileURL := path("/events/%d/files/%d", ev.ID, fid)
		if body := fx.get(t, evPath(ev.ID)); !strings.Contains(body, fileURL) || !strings.Contains(body, "会议照片 2026.png") {
			t.Fatal("event page does not list the attachment")
		}

		t.Run("ServedAsDownload", func(t *testing.T) {
			w := fx.do(t, request{method: "GET", path: fileURL})
			h := w.Header()
			if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), pngBytes) || h.Get("Content-Type") != "image/png" ||
				h.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("download: %d %v", w.Code, h)
			}
			cd := h.Get("Content-Disposition")
			if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%85%A7%E7%89%87%202026.png") ||
				!strings.Contains(cd, `filename="____ 2026.png"`) {
				t.Fatalf("Content-Disposition %q", cd)
			}
		})

		t.Run("ErrDisguisedFile", func(t *testing.T) {
			body, ct := upload(t, "照片.png", []byte("<html><script>alert(1)</script></html>"), nil)
			w := fx.do(t, request{method: "POST", path: evPath(ev.ID) + "/files", body: body, contentType: ct})
			if w.Code != 422 || !strings.Contains(w.Body.String(), "只能上传图片") {
				t.Fatalf("disguised file: %d\n%s", w.Code, excerpt(w.Body.String()))
			}
		})
		t.Run("ErrTooBig", func(t *testing.T) {
			big := append(append([]byte{}, pngBytes...), bytes.Repeat([]byte{1}, 70<<10)...)
			body, ct := upload(t, "大.png", big, nil)
			w := fx.do(t, request{method: "POST", path: evPath(ev.ID) + "/files", body: body, contentType: ct})
			if w.Code != 422 || !strings.Contains(w.Body.String(), "文件超过") {
				t.Fatalf("too big: %d\n%s", w.Code, excerpt(w.Body.String()))
			}
		})
		t.Run("ErrNoFile", func(t *testing.T) {
			w := fx.do(t, request{method: "POST", path: evPath(ev.ID) + "/files", form: url.Values{}})
			if w.Code != 422 || !strings.Contains(w.Body.String(), "请选择要上传的文件") {
				t.Fatalf("no file: %d", w.Code)
			}
		})
		if n, _ := db.EventFiles(ctx, ev.ID); len(n) != 1 {
			t.Fatalf("refused uploads were stored: %d files", len(n))
		}

		fx.run(t, []scenario{
			{name: "ErrFileOfAnotherEvent", path: path("/events/%d/files/%d", other.ID, fid), status: 404},
			{name: "ErrDeleteThroughAnotherEvent", method: "POST", path: path("/events/%d/files/%d/delete", other.ID, fid), form: url.Values{}, status: 404},
			{name: "ErrNoSuchFile", path: path("/events/%d/files/%d", ev.ID, fid+100), status: 404},
			{name: "Delete", method: "POST", path: fileURL + "/delete", form: url.Values{}, status: 303},
			{name: "GoneAfterDelete", path: fileURL, status: 404},
		})
	})
}

func TestEventPlansAndCalendar(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		planForm := url.Values{"type": {"theme_day"}, "title": {"主题党日"}, "day": {"15"}, "start_time": {"14:30"},
			"minutes": {"90"}, "from_on": {"2026-11"}, "until_on": {"2027-06"}, "place": {"党员活动室"}}
		fx.run(t, []scenario{
			{name: "Form", path: path("/orgs/%d/plans/new", fx.branch.ID), status: 200, want: []string{"每月几日"}},
			{name: "ErrDay", method: "POST", path: path("/orgs/%d/plans", fx.branch.ID), status: 422,
				form: url.Values{"type": {"theme_day"}, "title": {"主题党日"}, "day": {"40"}, "start_time": {"14:30"},
					"minutes": {"90"}, "from_on": {"2026-11"}}, want: []string{"每月的日期应为1至31"}},
			{name: "ErrMonth", method: "POST", path: path("/orgs/%d/plans", fx.branch.ID), status: 422,
				form: url.Values{"type": {"theme_day"}, "title": {"主题党日"}, "day": {"15"}, "start_time": {"14:30"},
					"minutes": {"90"}, "from_on": {"十一月"}}, want: []string{"开始月份应写作 2026-06"}},
			{name: "Create", method: "POST", path: path("/orgs/%d/plans", fx.branch.ID), form: planForm, status: 303,
				location: path("/orgs/%d/calendar?done=plan-created", fx.branch.ID)},
		})
		plans, err := db.Plans(ctx, fx.branch.ID)
		storetest.MustDo(t, "plans", err)
		if len(plans) != 1 || plans[0].UntilOn != day("2027-06-30") {
			t.Fatalf("plans %+v", plans)
		}
		dec, _, err := db.ListEvents(ctx, store.EventFilter{OrgID: fx.branch.ID, From: day("2026-12-01"), To: day("2027-01-01")})
		storetest.MustDo(t, "events", err)
		if len(dec) != 1 || dec[0].Date() != day("2026-12-15") || dec[0].Status != party.EventPlanned {
			t.Fatalf("December after creating the plan: %+v", dec)
		}

		t.Run("MonthGrid", func(t *testing.T) {
			body := fx.get(t, path("/orgs/%d/calendar?month=2026-12", fx.top.ID))
			for _, s := range []string{"2026年12月", evPath(dec[0].ID), "主题党日", "计划", "每月15日 14:30，90分钟", "机关党支部",
				"本月共 <strong>1</strong> 项活动"} {
				if !strings.Contains(body, s) {
					t.Errorf("calendar lacks %q", s)
				}
			}
		})
		t.Run("MonthGridShowsTheDaysAround", func(t *testing.T) {
			// January 2027's grid starts on Monday 28 December: an event on the 29th shows
			// there, and is not counted as January's.
			start, _ := party.At(day("2026-12-29"), "09:00")
			edge := &party.Event{OrgID: fx.branch.ID, Type: party.TypeBranchCommittee, Title: "年终支委会",
				StartAt: start, EndAt: start.Add(time.Hour)}
			storetest.MustDo(t, "plan", db.PlanEvent(ctx, edge))
			body := fx.get(t, path("/orgs/%d/calendar?month=2027-01", fx.top.ID))
			for _, s := range []string{evPath(edge.ID), "年终支委会", "12月29日", "本月共 <strong>1</strong> 项活动"} {
				if !strings.Contains(body, s) {
					t.Errorf("January's grid lacks %q", s)
				}
			}
			if body := fx.get(t, path("/orgs/%d/calendar?month=2027-01", fx.other.ID)); strings.Contains(body, evPath(edge.ID)) {
				t.Error("another branch's grid shows the event")
			}
			if body := fx.get(t, path("/orgs/%d/calendar?view=list&month=2027-01", fx.top.ID)); strings.Contains(body, evPath(edge.ID)) {
				t.Error("January's list shows a December event")
			}
		})
		t.Run("ListAndBadMonth", func(t *testing.T) {
			body := fx.get(t, path("/orgs/%d/calendar?view=list&month=2026-13", fx.branch.ID))
			if !strings.Contains(body, "月份“2026-13”无效") || !strings.Contains(body, "2026年11月") {
				t.Errorf("a bad month is not explained\n%s", excerpt(body))
			}
		})
		t.Run("OtherSubtreeCalendarEmpty", func(t *testing.T) {
			body := fx.get(t, path("/orgs/%d/calendar?month=2026-12", fx.other.ID))
			if strings.Contains(body, evPath(dec[0].ID)) {
				t.Error("a branch's calendar shows another branch's event")
			}
		})
		t.Run("OrgPageLinksCalendar", func(t *testing.T) {
			if body := fx.get(t, orgPath(fx.branch.ID)); !strings.Contains(body, path(`href="/orgs/%d/calendar"`, fx.branch.ID)) {
				t.Error("organization page does not link its calendar")
			}
		})

		stop := path("/orgs/%d/plans/%d/stop", fx.branch.ID, plans[0].ID)
		fx.run(t, []scenario{
			{name: "ErrStopThroughOtherOrg", method: "POST", path: path("/orgs/%d/plans/%d/stop", fx.other.ID, plans[0].ID),
				form: url.Values{}, status: 404},
			{name: "ErrStopBadDate", method: "POST", path: stop, form: url.Values{"until_on": {"明天"}}, status: 422},
			{name: "Stop", method: "POST", path: stop, form: url.Values{"until_on": {"2026-11-30"}}, status: 303},
			{name: "ErrStopTwice", method: "POST", path: stop, form: url.Values{}, status: 409},
		})
		e, err := db.FindEvent(ctx, dec[0].ID)
		storetest.MustDo(t, "find", err)
		if e.Status != party.EventCancelled {
			t.Fatalf("December's planned event after stopping the plan: %s", e.Status)
		}
	})
}

func TestEventsHomeAndMemberView(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		start := time.Date(2026, 11, 10, 14, 30, 0, 0, party.Zone)
		mine := &party.Event{OrgID: fx.branch.ID, Type: party.TypeThemeDay, Title: "我参加的主题党日", StartAt: start, EndAt: start.Add(time.Hour)}
		storetest.MustDo(t, "record", db.RecordEvent(ctx, mine, []party.Attendance{{MemberID: fx.members[2].ID, Status: party.Leave, Reason: "住院治疗"}}))
		notMine := &party.Event{OrgID: fx.other.ID, Type: party.TypeThemeDay, Title: "体校主题党日", StartAt: start, EndAt: start.Add(time.Hour)}
		storetest.MustDo(t, "record", db.RecordEvent(ctx, notMine, nil))
		next := time.Date(2026, 12, 3, 14, 30, 0, 0, party.Zone)
		upcoming := &party.Event{OrgID: fx.branch.ID, Type: party.TypeThemeDay, Title: "十二月主题党日", StartAt: next, EndAt: next.Add(time.Hour)}
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, upcoming))

		mem := fx.account(t, "lisi", party.Grant{Role: party.RoleMember, MemberID: fx.members[1].ID})
		sec := fx.account(t, "sec", party.Grant{Role: party.RoleSecretary, OrgID: fx.branch.ID})
		fx.run(t, []scenario{
			{name: "AdminGoesToTheOnlyRoot", path: "/events", status: 303, location: path("/orgs/%d/calendar", fx.top.ID)},
			{name: "SecretaryGoesToBranch", path: "/events", cookie: sec, status: 303, location: path("/orgs/%d/calendar", fx.branch.ID)},
			{name: "MemberSeesOwnMeetings", path: "/events", cookie: mem, status: 200,
				want:    []string{"我参加的主题党日", evPath(mine.ID), "十二月主题党日", evPath(upcoming.ID), "本人出勤", "<td>出席</td>"},
				notWant: []string{"体校主题党日"}},
			// The planned meeting that will expect the member opens for it, without the recorder's tools.
			{name: "MemberOpensPlannedMeeting", path: evPath(upcoming.ID), cookie: mem, status: 200,
				want: []string{"十二月主题党日", "您尚未签到"}, notWant: []string{evPath(upcoming.ID) + "/checkin", "/complete", "/edit"}},
			{name: "MemberOpensOwnMeeting", path: evPath(mine.ID), cookie: mem, status: 200,
				want: []string{"我参加的主题党日", "我的组织生活", fx.members[1].Name}, notWant: []string{"签到二维码", "保存出勤情况", "/edit",
					fx.members[0].Name, fx.members[2].Name, "住院治疗"}},
			{name: "ErrMemberOtherMeeting", path: evPath(notMine.ID), cookie: mem, status: 404,
				// The way back is the member's own page, not the tree it may not open.
				want: []string{path(`<a href="/members/%d">返回首页</a>`, fx.members[1].ID)}, notWant: []string{"返回组织树"}},
			{name: "ErrMemberEdits", path: evPath(mine.ID) + "/edit", cookie: mem, status: 403},
			{name: "SecretaryCorrectsAttendance", path: evPath(mine.ID), cookie: sec, status: 200, want: []string{"保存出勤情况"}},
			{name: "ErrSecretaryOtherBranch", path: evPath(notMine.ID), cookie: sec, status: 404},
		})
	})
}

// The 编入临时党支部 button shows only to a user with a temporary branch to attach to: the
// administrator of the bureau has one, a branch secretary none (the page would answer 409).
func TestAttachButtonOnlyWithATemporaryBranch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		sec := fx.account(t, "sec-attach", party.Grant{Role: party.RoleSecretary, OrgID: fx.branch.ID})
		button := path(`href="/members/%d/attach"`, fx.members[0].ID)
		fx.run(t, []scenario{
			{name: "Administrator", path: path("/members/%d", fx.members[0].ID), status: 200, want: []string{button}},
			{name: "Secretary", path: path("/members/%d", fx.members[0].ID), cookie: sec, status: 200,
				want: []string{"修改信息"}, notWant: []string{button}},
		})
	})
}

// 请假 needs its reason: the form says so and records nothing.
func TestLeaveNeedsAReason(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		form := heldForm("theme_day", "十一月主题党日")
		form.Set(path("status_%d", fx.members[2].ID), "请假")
		before := countEvents(t, fx)
		w := fx.do(t, request{method: "POST", path: path("/orgs/%d/events", fx.branch.ID), form: form})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "请为请假的人员填写请假事由") {
			t.Fatalf("请假 without a reason: %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		if countEvents(t, fx) != before {
			t.Fatal("the refused form recorded an event")
		}
	})
}
