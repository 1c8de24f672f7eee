package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// robot is a local stand-in for a DingTalk or WeCom group robot: it keeps what it received
// and answers with its errcode.
type robot struct {
	srv     *httptest.Server
	mu      sync.Mutex
	queries []url.Values
	bodies  []string
	errcode int
}

func newRobot(t *testing.T, errcode int) *robot {
	t.Helper()
	rb := &robot{errcode: errcode}
	rb.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rb.mu.Lock()
		rb.queries = append(rb.queries, r.URL.Query())
		rb.bodies = append(rb.bodies, string(body))
		rb.mu.Unlock()
		io.WriteString(w, `{"errcode":`+strconv.Itoa(rb.errcode)+`,"errmsg":"robot says no"}`)
	}))
	t.Cleanup(rb.srv.Close)
	return rb
}

func (rb *robot) received() ([]url.Values, []string) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return append([]url.Values(nil), rb.queries...), append([]string(nil), rb.bodies...)
}

// channelByName finds the stored channel called name.
func channelByName(t *testing.T, db *store.DB, name string) *store.Channel {
	t.Helper()
	list, err := db.Channels(context.Background(), false)
	storetest.MustDo(t, "channels", err)
	for _, c := range list {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no channel %q", name)
	return nil
}

func TestChannelForms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		// The fixture's account is a 党建管理员 of the whole installation: channels send party
		// data, so they are the party office's to configure.
		admin := fx.cookie
		sys := fx.account(t, "sys", party.Grant{Role: party.RoleSysAdmin})
		const secret = "SECsigning-secret-0123456789"
		const token = "robot-access-token-987654"
		top := strconv.FormatInt(fx.top.ID, 10)
		ding := func(edits ...string) url.Values {
			v := url.Values{"kind": {"dingtalk"}, "name": {"局机关钉钉群"}, "root_org_id": {top}, "enabled": {"1"},
				"url": {"https://oapi.dingtalk.example/robot/send?access_token=" + token}, "secret": {secret}}
			for i := 0; i+1 < len(edits); i += 2 {
				v.Set(edits[i], edits[i+1])
			}
			return v
		}
		mail := url.Values{"kind": {"smtp"}, "name": {"党建办邮箱"}, "root_org_id": {top}, "host": {"mail.example.gov.cn"},
			"port": {"587"}, "username": {"dj"}, "password": {"mail-password-555"}, "from": {"dangjian@example.gov.cn"},
			"to": {"a@example.gov.cn\nb@example.gov.cn, c@example.gov.cn"}}
		fx.run(t, []scenario{
			// The 系统管理员 reads no party data, so it may no longer send it anywhere either.
			{name: "SysAdminMayNotList", path: "/admin/channels", cookie: sys, status: http.StatusForbidden},
			{name: "SysAdminMayNotOpenForm", path: "/admin/channels/new", cookie: sys, status: http.StatusForbidden},
			{name: "SysAdminMayNotCreate", method: "POST", path: "/admin/channels", cookie: sys, form: ding(),
				status: http.StatusForbidden},
			{name: "SysAdminHasNoMenuLink", path: "/account", cookie: sys, status: 200,
				notWant: []string{`<a href="/admin/channels">通知渠道</a>`}},
			{name: "PartyAdminHasMenuLink", path: "/account", cookie: admin, status: 200,
				want: []string{`<a href="/admin/channels">通知渠道</a>`}},
			{name: "NewForm", path: "/admin/channels/new", cookie: admin, status: 200,
				want: []string{"添加通知渠道", "钉钉群机器人", "企业微信群机器人", "电子邮件", "机关党支部"}},
			{name: "URLNotHTTP", method: "POST", path: "/admin/channels", cookie: admin, form: ding("url", "ftp://robot.example/send"),
				status: 422, want: []string{"Webhook 地址应为 http:// 或 https:// 开头的完整地址", "f-url-error"}},
			{name: "URLMissing", method: "POST", path: "/admin/channels", cookie: admin, form: ding("url", ""),
				status: 422, want: []string{"f-url-error"}},
			{name: "NameMissing", method: "POST", path: "/admin/channels", cookie: admin, form: ding("name", ""),
				status: 422, want: []string{"f-name-error"}},
			{name: "NameTooLong", method: "POST", path: "/admin/channels", cookie: admin, form: ding("name", strings.Repeat("渠", party.MaxNameLen+1)),
				status: 422, want: []string{"f-name-error"}},
			{name: "ScopeMissing", method: "POST", path: "/admin/channels", cookie: admin, form: ding("root_org_id", ""),
				status: 422, want: []string{"请选择提醒范围", "f-root_org_id-error"}},
			{name: "ScopeUnknown", method: "POST", path: "/admin/channels", cookie: admin, form: ding("root_org_id", "999999"),
				status: 422, want: []string{"提醒范围的组织不存在"}},
			{name: "KindUnknown", method: "POST", path: "/admin/channels", cookie: admin, form: ding("kind", "pager"),
				status: 422, want: []string{"渠道类型应为电子邮件、钉钉群机器人或企业微信群机器人"}},
			{name: "BadSecretNotEchoed", method: "POST", path: "/admin/channels", cookie: admin, form: ding("name", ""),
				status: 422, notWant: []string{secret}},
			{name: "MailBadPort", method: "POST", path: "/admin/channels", cookie: admin, form: func() url.Values {
				v := url.Values{}
				for k, x := range mail {
					v[k] = x
				}
				v.Set("port", "smtp")
				return v
			}(), status: 422, want: []string{"端口应为1至65535的整数"}, notWant: []string{"mail-password-555"}},
			{name: "MailBadRecipient", method: "POST", path: "/admin/channels", cookie: admin, form: func() url.Values {
				v := url.Values{}
				for k, x := range mail {
					v[k] = x
				}
				v.Set("to", "not-an-address")
				return v
			}(), status: 422, want: []string{"收件人地址“not-an-address”无效"}},
			{name: "Created", method: "POST", path: "/admin/channels", cookie: admin, form: ding("name", "<b>局机关</b>钉钉群"),
				status: 303, location: "/admin/channels?done=created"},
			{name: "MailCreated", method: "POST", path: "/admin/channels", cookie: admin, form: mail, status: 303},
			{name: "ListShowsNoSecret", path: "/admin/channels?done=created", cookie: admin, status: 200,
				want:    []string{"&lt;b&gt;局机关&lt;/b&gt;钉钉群", "中共测试局党组", "oapi.dingtalk.example", "尚未发送", "mail.example.gov.cn:587"},
				notWant: []string{secret, token, "mail-password-555", "<b>局机关"}},
		})
		c := channelByName(t, db, "<b>局机关</b>钉钉群")
		m := channelByName(t, db, "党建办邮箱")
		if c.Config.Secret != secret || !strings.Contains(c.Config.URL, token) || !c.Enabled || c.RootOrgID != fx.top.ID {
			t.Fatalf("stored %+v", c)
		}
		if len(m.Config.To) != 3 || m.Config.Port != 587 || m.Config.Password != "mail-password-555" || m.Config.URL != "" {
			t.Fatalf("stored mail %+v", m.Config)
		}
		edit := "/admin/channels/" + strconv.FormatInt(c.ID, 10) + "/edit"
		fx.run(t, []scenario{
			{name: "SysAdminMayNotEdit", path: edit, cookie: sys, status: http.StatusForbidden, notWant: []string{token}},
			{name: "SysAdminMayNotSave", method: "POST", path: edit, cookie: sys, form: ding(), status: http.StatusForbidden},
			{name: "EditShowsSetNotSecret", path: edit, cookie: admin, status: 200,
				want:    []string{"已设置（oapi.dingtalk.example）", "已设置；留空则保持不变", "清除加签密钥"},
				notWant: []string{secret, token}},
			{name: "MailEditShowsNoPassword", path: "/admin/channels/" + strconv.FormatInt(m.ID, 10) + "/edit", cookie: admin, status: 200,
				want: []string{"a@example.gov.cn", "已设置；留空则保持不变"}, notWant: []string{"mail-password-555"}},
			{name: "EditBadURL", method: "POST", path: edit, cookie: admin, form: ding("url", "javascript:alert(1)", "secret", ""),
				status: 422, want: []string{"Webhook 地址应为 http:// 或 https://"}, notWant: []string{secret, token}},
			{name: "EditKeepsSecrets", method: "POST", path: edit, cookie: admin,
				form:   url.Values{"kind": {"dingtalk"}, "name": {"局机关钉钉群"}, "root_org_id": {top}, "url": {""}, "secret": {""}},
				status: 303, location: "/admin/channels?done=saved"},
			{name: "UnknownChannel", path: "/admin/channels/999999/edit", cookie: admin, status: 404},
			{name: "UnknownChannelTest", method: "POST", path: "/admin/channels/999999/test", cookie: admin, form: url.Values{}, status: 404},
			{name: "UnknownChannelDeliveries", path: "/admin/channels/999999/deliveries", cookie: admin, status: 404},
		})
		got := channelByName(t, db, "局机关钉钉群")
		if got.Config.Secret != secret || got.Config.URL != c.Config.URL || got.Enabled {
			t.Fatalf("after a blank edit: %+v", got)
		}
		fx.run(t, []scenario{
			{name: "ClearSecret", method: "POST", path: edit, cookie: admin,
				form:   url.Values{"kind": {"dingtalk"}, "name": {"局机关钉钉群"}, "root_org_id": {top}, "clear_secret": {"1"}, "enabled": {"1"}},
				status: 303},
		})
		got = channelByName(t, db, "局机关钉钉群")
		if got.Config.Secret != "" || got.Config.URL != c.Config.URL || !got.Enabled {
			t.Fatalf("after clearing the secret: %+v", got)
		}
	})
}

func TestChannelTestSend(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		admin := fx.cookie
		sys := fx.account(t, "sys", party.Grant{Role: party.RoleSysAdmin})
		// A planned meeting in the coming week puts an item in the branch's digest.
		at := time.Date(2026, 11, 28, 9, 0, 0, 0, party.Zone)
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, &party.Event{OrgID: fx.branch.ID, Type: party.TypeThemeDay,
			Title: "十一月主题党日不公开议程", StartAt: at, EndAt: at.Add(2 * time.Hour)}))
		const secret = "SECtest-signing-secret"
		good := newRobot(t, 0)
		bad := newRobot(t, 310000)
		mk := func(c *store.Channel) *store.Channel {
			storetest.MustDo(t, "channel "+c.Name, db.CreateChannel(ctx, c))
			return c
		}
		okChan := mk(&store.Channel{Kind: store.ChannelDingTalk, Name: "机关党支部钉钉群", RootOrgID: fx.branch.ID, Enabled: true,
			Config: store.ChannelConfig{URL: good.srv.URL + "/robot/send?access_token=tok-ok", Secret: secret}})
		badChan := mk(&store.Channel{Kind: store.ChannelWeCom, Name: "体校企业微信群", RootOrgID: fx.other.ID,
			Config: store.ChannelConfig{URL: bad.srv.URL + "/cgi-bin/webhook/send?key=wecom-key-42"}})

		okID, badID := strconv.FormatInt(okChan.ID, 10), strconv.FormatInt(badChan.ID, 10)
		// The 系统管理员 may not have the branch's reminders sent, nor see where they went.
		fx.run(t, []scenario{
			{name: "SysAdminMayNotTestSend", method: "POST", path: "/admin/channels/" + okID + "/test", cookie: sys,
				form: url.Values{}, status: http.StatusForbidden},
			{name: "SysAdminMayNotReadDeliveries", path: "/admin/channels/" + okID + "/deliveries", cookie: sys,
				status: http.StatusForbidden},
		})
		if queries, _ := good.received(); len(queries) != 0 {
			t.Fatalf("the robot got %d requests from the 系统管理员", len(queries))
		}
		w := fx.do(t, request{method: "POST", path: "/admin/channels/" + okID + "/test", cookie: admin, form: url.Values{}})
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/channels/"+okID+"/deliveries?sent=") {
			t.Fatalf("test send: %d %q\n%s", w.Code, w.Header().Get("Location"), excerpt(w.Body.String()))
		}
		queries, bodies := good.received()
		if len(queries) != 1 {
			t.Fatalf("the robot got %d requests, want 1", len(queries))
		}
		// The signature, computed here independently of the code under test, at the web clock.
		ts := now().UnixMilli()
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(strconv.FormatInt(ts, 10) + "\n" + secret))
		wantSign := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		q := queries[0]
		if q.Get("access_token") != "tok-ok" || q.Get("timestamp") != strconv.FormatInt(ts, 10) || q.Get("sign") != wantSign {
			t.Fatalf("query %v, want timestamp %d and sign %q", q, ts, wantSign)
		}
		var msg struct {
			MsgType  string `json:"msgtype"`
			Markdown struct{ Title, Text string }
		}
		if err := json.Unmarshal([]byte(bodies[0]), &msg); err != nil {
			t.Fatal(err)
		}
		if msg.MsgType != "markdown" || !strings.Contains(msg.Markdown.Title, "测试") ||
			!strings.Contains(msg.Markdown.Text, "十一月主题党日不公开议程") || !strings.Contains(msg.Markdown.Text, "机关党支部") ||
			!strings.Contains(msg.Markdown.Text, "由党建管理员") {
			t.Fatalf("message %+v", msg)
		}

		w = fx.do(t, request{method: "POST", path: "/admin/channels/" + badID + "/test", cookie: admin, form: url.Values{}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("failing test send: %d", w.Code)
		}
		badPage := w.Header().Get("Location")
		fx.run(t, []scenario{
			{name: "SentShowsSuccessNotContent", path: "/admin/channels/" + okID + "/deliveries?sent=" + firstDelivery(t, db, okChan.ID),
				cookie: admin, status: 200, want: []string{"测试消息已送达", "成功", "机关党支部"},
				notWant: []string{"十一月主题党日不公开议程", secret, "tok-ok"}},
			{name: "FailureShowsError", path: badPage, cookie: admin, status: 200,
				want:    []string{"测试发送失败", "errcode 310000", `class="delivery-failed"`, "<strong>失败</strong>"},
				notWant: []string{"wecom-key-42"}},
			{name: "ListShowsFailureInRed", path: "/admin/channels", cookie: admin, status: 200,
				want:    []string{`<li class="delivery-failed">`, "errcode 310000", `<li class="delivery-ok">`},
				notWant: []string{"十一月主题党日不公开议程", "wecom-key-42", "tok-ok"}},
			{name: "ForeignSentIDShowsNothing", path: "/admin/channels/" + okID + "/deliveries?sent=" + firstDelivery(t, db, badChan.ID),
				cookie: admin, status: 200, notWant: []string{"测试发送失败", "测试消息已送达"}},
		})
		list, err := db.Deliveries(ctx, 0, true, 10)
		storetest.MustDo(t, "deliveries", err)
		if len(list) != 1 || list[0].ChannelID != badChan.ID || list[0].Attempts != 1 {
			t.Fatalf("failed deliveries %+v", list)
		}
	})
}

// firstDelivery returns the id of the latest delivery of channel id.
func firstDelivery(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	list, err := db.Deliveries(context.Background(), id, false, 1)
	storetest.MustDo(t, "deliveries", err)
	if len(list) == 0 {
		t.Fatalf("channel %d has no delivery", id)
	}
	return strconv.FormatInt(list[0].ID, 10)
}

// TestChannelScope keeps a 党建管理员 of a bureau to the channels of its subtree: a channel sends
// its 提醒范围's reminders wherever it points, so another bureau's channel is not seen, changed,
// tested or read (404, as a missing one), and none may be rooted in another bureau.
func TestChannelScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		otherTop, otherBranch := otherBureau(t, db)
		bureau := fx.account(t, "bureau", party.Grant{Role: party.RolePartyAdmin, OrgID: fx.top.ID})
		// A bureau's 党建管理员 who also reads the other bureau (纪检): it sees that bureau's
		// organizations, yet may not send their reminders anywhere.
		mixed := fx.account(t, "mixed", party.Grant{Role: party.RolePartyAdmin, OrgID: fx.top.ID},
			party.Grant{Role: party.RoleDiscipline, OrgID: otherTop.ID})
		ownRobot, otherRobot := newRobot(t, 0), newRobot(t, 0)
		mk := func(c *store.Channel) *store.Channel {
			storetest.MustDo(t, "channel "+c.Name, db.CreateChannel(ctx, c))
			return c
		}
		own := mk(&store.Channel{Kind: store.ChannelDingTalk, Name: "本局机关钉钉群", RootOrgID: fx.branch.ID, Enabled: true,
			Config: store.ChannelConfig{URL: ownRobot.srv.URL + "/robot/send?access_token=own-tok"}})
		other := mk(&store.Channel{Kind: store.ChannelWeCom, Name: "另一局企业微信群", RootOrgID: otherTop.ID, Enabled: true,
			Config: store.ChannelConfig{URL: otherRobot.srv.URL + "/cgi-bin/webhook/send?key=other-key"}})
		ownURL, otherURL := "/admin/channels/"+strconv.FormatInt(own.ID, 10), "/admin/channels/"+strconv.FormatInt(other.ID, 10)
		form := func(root int64) url.Values {
			return url.Values{"kind": {"dingtalk"}, "name": {"越权钉钉群"}, "root_org_id": {strconv.FormatInt(root, 10)},
				"enabled": {"1"}, "url": {"https://oapi.dingtalk.example/robot/send?access_token=x"}}
		}
		const missing = "通知渠道不存在"
		fx.run(t, []scenario{
			{name: "BureauListsOwnOnly", path: "/admin/channels", cookie: bureau, status: 200,
				want: []string{"本局机关钉钉群"}, notWant: []string{"另一局企业微信群", "中共另一局党组"}},
			{name: "InstallationListsAll", path: "/admin/channels", status: 200,
				want: []string{"本局机关钉钉群", "另一局企业微信群"}},
			{name: "BureauFormOffersOwnSubtree", path: "/admin/channels/new", cookie: bureau, status: 200,
				want: []string{"中共测试局党组", "机关党支部"}, notWant: []string{"中共另一局党组", "另一局机关党支部"}},
			{name: "InstallationFormOffersAll", path: "/admin/channels/new", status: 200,
				want: []string{"中共测试局党组", "另一局机关党支部"}},
			{name: "BureauEditsOwn", path: ownURL + "/edit", cookie: bureau, status: 200, want: []string{"本局机关钉钉群"}},
			{name: "BureauCannotEditOther", path: otherURL + "/edit", cookie: bureau, status: 404,
				want: []string{missing}, notWant: []string{"另一局企业微信群"}},
			{name: "BureauCannotSaveOther", method: "POST", path: otherURL + "/edit", cookie: bureau, form: form(fx.top.ID),
				status: 404, want: []string{missing}},
			{name: "BureauCannotTestOther", method: "POST", path: otherURL + "/test", cookie: bureau, form: url.Values{},
				status: 404, want: []string{missing}},
			{name: "BureauCannotReadOtherDeliveries", path: otherURL + "/deliveries", cookie: bureau, status: 404,
				want: []string{missing}, notWant: []string{"另一局企业微信群"}},
			{name: "BureauCannotCreateInOther", method: "POST", path: "/admin/channels", cookie: bureau, form: form(otherBranch.ID),
				status: 422, want: []string{"提醒范围的组织不存在", "f-root_org_id-error"}, notWant: []string{"另一局机关党支部"}},
			{name: "BureauCannotMoveOwnToOther", method: "POST", path: ownURL + "/edit", cookie: bureau, form: form(otherTop.ID),
				status: 422, want: []string{"提醒范围的组织不存在", "f-root_org_id-error"}},
			{name: "ReaderCannotEditOther", path: otherURL + "/edit", cookie: mixed, status: 404, want: []string{missing}},
			{name: "ReaderCannotTestOther", method: "POST", path: otherURL + "/test", cookie: mixed, form: url.Values{},
				status: 404, want: []string{missing}},
			{name: "ReaderListsOwnOnly", path: "/admin/channels", cookie: mixed, status: 200,
				want: []string{"本局机关钉钉群"}, notWant: []string{"另一局企业微信群"}},
			{name: "ReaderCannotCreateInOther", method: "POST", path: "/admin/channels", cookie: mixed, form: form(otherBranch.ID),
				status: 422, want: []string{"没有进行此操作的权限", "f-root_org_id-error"}},
			{name: "BureauTestsOwn", method: "POST", path: ownURL + "/test", cookie: bureau, form: url.Values{},
				status: 303, location: ownURL + "/deliveries?sent="},
			{name: "InstallationEditsOther", path: otherURL + "/edit", status: 200, want: []string{"另一局企业微信群"}},
			{name: "BureauCreatesInOwn", method: "POST", path: "/admin/channels", cookie: bureau, form: form(fx.branch.ID),
				status: 303, location: "/admin/channels?done=created"},
		})
		if q, _ := otherRobot.received(); len(q) != 0 {
			t.Fatalf("the other bureau's robot got %d requests", len(q))
		}
		if q, _ := ownRobot.received(); len(q) != 1 {
			t.Fatalf("the own robot got %d requests, want 1", len(q))
		}
		got, err := db.FindChannel(ctx, other.ID)
		storetest.MustDo(t, "other channel", err)
		if got.Name != other.Name || got.RootOrgID != otherTop.ID {
			t.Fatalf("the other bureau's channel changed: %+v", got)
		}
		if got, err = db.FindChannel(ctx, own.ID); err != nil || got.RootOrgID != fx.branch.ID || got.Name != own.Name {
			t.Fatalf("the own channel changed: %+v %v", got, err)
		}
		created := channelByName(t, db, "越权钉钉群")
		if created.RootOrgID != fx.branch.ID {
			t.Fatalf("created in %d, want the bureau's branch %d", created.RootOrgID, fx.branch.ID)
		}
		list, err := db.Channels(ctx, false)
		storetest.MustDo(t, "channels", err)
		if len(list) != 3 {
			t.Fatalf("%d channels, want 3 (no refused one stored)", len(list))
		}
	})
}
