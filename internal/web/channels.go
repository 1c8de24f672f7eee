package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/notify"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// channelDeliveriesShown is how many recent deliveries the channel list shows per channel.
const channelDeliveriesShown = 3

// channelTestTimeout bounds a test send, which the administrator waits for.
const channelTestTimeout = 20 * time.Second

// channelRow is one channel on the list, with its latest deliveries. It carries no secret:
// the settings are reduced to whether each one is set.
type channelRow struct {
	ID         int64
	Kind       string
	Name       string
	RootName   string
	Enabled    bool
	Target     string
	Deliveries []*store.Delivery
}

// channelRowOf returns what the pages may show of channel c.
func channelRowOf(c *store.Channel) channelRow {
	return channelRow{ID: c.ID, Kind: c.Kind.Label(), Name: c.Name, RootName: c.RootName, Enabled: c.Enabled,
		Target: channelTarget(c)}
}

// channelTarget names where c sends without any key: the robot's host or the mail server.
func channelTarget(c *store.Channel) string {
	if c.Kind == store.ChannelSMTP {
		return c.Config.Host + ":" + strconv.Itoa(c.Config.Port)
	}
	if u, err := url.Parse(c.Config.URL); err == nil && u.Host != "" {
		return u.Host
	}
	return "—"
}

func channelURL(id int64) string { return "/admin/channels/" + strconv.FormatInt(id, 10) }

// channelsPage lists the notification channels.
type channelsPage struct {
	page
	Channels []channelRow
}

// msgChannelOrg refuses a 提醒范围 that does not exist or lies outside the user's subtrees, the
// same for both, so the form tells nothing of another subtree.
const msgChannelOrg = "提醒范围的组织不存在"

// channelAllowed checks the principal's right to manage channel c on the organization whose
// subtree's reminders it sends: nil, or a refusal coded ENOTFOUND or EFORBIDDEN.
func (s *Server) channelAllowed(ctx context.Context, c *store.Channel) error {
	return s.auth.AllowOrg(ctx, party.PrincipalFrom(ctx), party.ActChannelAdmin, c.RootOrgID)
}

// channelRefused reports whether err is a permission refusal (or the absence it looks like)
// rather than a failure.
func channelRefused(err error) bool {
	code := party.ErrorCode(err)
	return code == party.ENOTFOUND || code == party.EFORBIDDEN
}

// channelList shows the channels of the user's subtrees with their latest deliveries,
// failures first to the eye.
func (s *Server) channelList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	list, err := s.db.Channels(ctx, false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var data channelsPage
	for _, c := range list {
		if err := s.channelAllowed(ctx, c); err != nil {
			if channelRefused(err) {
				continue
			}
			s.serverError(w, r, err)
			return
		}
		row := channelRowOf(c)
		if row.Deliveries, err = s.db.Deliveries(ctx, c.ID, false, channelDeliveriesShown); err != nil {
			s.serverError(w, r, err)
			return
		}
		data.Channels = append(data.Channels, row)
	}
	data.page = s.frame(ctx, "通知渠道")
	data.Flash = channelFlash(r.URL.Query().Get("done"))
	s.render(w, r, http.StatusOK, "channels", "layout", data)
}

// channelFlash confirms a change of a channel; unknown keys show nothing.
func channelFlash(key string) string {
	switch key {
	case "created":
		return "通知渠道已添加。"
	case "saved":
		return "通知渠道已保存。"
	}
	return ""
}

// loadChannel finds the channel of the {cid} path value that the user may manage, answering
// 404 itself. A channel of another subtree answers as a missing one: its existence, name and
// target are not the user's to know.
func (s *Server) loadChannel(w http.ResponseWriter, r *http.Request) (*store.Channel, bool) {
	id, ok := pathID(r, "cid")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	ctx := r.Context()
	c, err := s.db.FindChannel(ctx, id)
	if err == nil {
		if err = s.channelAllowed(ctx, c); channelRefused(err) {
			err = party.Errorf(party.ENOTFOUND, "通知渠道不存在")
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return c, true
}

// channelFieldNames are the form fields a channel's validation errors may name.
var channelFieldNames = []string{"kind", "name", "root_org_id", "url", "host", "port", "from", "to"}

// channelOrgOptions lists the organizations a channel of the user may cover, by name only:
// all of them with a grant on the whole installation, otherwise those of the user's subtrees.
func (s *Server) channelOrgOptions(ctx context.Context) ([]option, error) {
	everywhere, ids := party.PrincipalFrom(ctx).Scopes(party.ActChannelAdmin)
	var orgs []*party.Org
	if everywhere {
		all, err := s.db.ListOrgs(ctx, store.OrgFilter{})
		if err != nil {
			return nil, err
		}
		orgs = all
	}
	for _, id := range ids {
		list, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: id})
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, list...)
	}
	out := []option{{Value: "", Label: "请选择"}}
	for _, o := range orgs {
		out = append(out, option{Value: strconv.FormatInt(o.ID, 10), Label: indent(o) + o.Name})
	}
	return out, nil
}

// channelNew shows the form for a new channel.
func (s *Server) channelNew(w http.ResponseWriter, r *http.Request) {
	f := newForm(url.Values{"kind": {string(store.ChannelDingTalk)}, "enabled": {"1"}, "port": {"25"}})
	s.showChannelForm(w, r, http.StatusOK, f, nil)
}

func (s *Server) showChannelForm(w http.ResponseWriter, r *http.Request, status int, f *form, old *store.Channel) {
	ctx := r.Context()
	orgs, err := s.channelOrgOptions(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Secrets are never sent back, not even the ones just typed.
	f.set("secret", "")
	f.set("password", "")
	kinds := []option{}
	for _, k := range []store.ChannelKind{store.ChannelDingTalk, store.ChannelWeCom, store.ChannelSMTP} {
		kinds = append(kinds, option{Value: string(k), Label: k.Label()})
	}
	urlHint := "仅钉钉、企业微信群机器人：群设置中机器人的 Webhook 地址，以 http:// 或 https:// 开头"
	secretHint := "仅钉钉群机器人：启用“加签”时填写，以 SEC 开头；未启用可不填"
	passwordHint := "仅电子邮件：发信账户的密码或授权码"
	fields := []field{
		f.choice("kind", "渠道类型", kinds).req(),
		f.input("name", "渠道名称", "text").req().max(party.MaxNameLen).hint("如：机关党支部钉钉群"),
		f.choice("root_org_id", "提醒范围", orgs).req().hint("发送该组织及其下级组织的提醒"),
		f.input("enabled", "启用（每天早晨发送提醒汇总）", "checkbox"),
	}
	urlField := f.input("url", "Webhook 地址", "text").max(1000)
	secretField := f.input("secret", "加签密钥", "password").max(200).auto("off")
	passwordField := f.input("password", "邮箱密码", "password").max(200).auto("off")
	if old != nil {
		if old.Config.URL != "" {
			urlHint = "已设置（" + channelTarget(old) + "）；留空则保持不变，填写则替换。地址含机器人密钥，不再显示"
		}
		if old.Config.Secret != "" {
			secretHint = "已设置；留空则保持不变，填写则替换"
		}
		if old.Config.Password != "" {
			passwordHint = "已设置；留空则保持不变，填写则替换"
		}
	}
	fields = append(fields, urlField.hint(urlHint).only("dingtalk", "wecom"), secretField.hint(secretHint).only("dingtalk"))
	if old != nil && old.Config.Secret != "" {
		fields = append(fields, f.input("clear_secret", "清除加签密钥（机器人已停用加签时勾选）", "checkbox").only("dingtalk"))
	}
	fields = append(fields,
		f.input("host", "邮件服务器", "text").max(200).hint("仅电子邮件：如 mail.example.gov.cn，不含端口").only("smtp"),
		f.input("port", "端口", "text").numeric().max(5).hint("仅电子邮件：通常为25或587").only("smtp"),
		f.input("username", "发信账户", "text").max(200).hint("仅电子邮件：服务器要求登录时填写").only("smtp"),
		passwordField.hint(passwordHint).only("smtp"),
		f.input("from", "发件人地址", "text").max(200).hint("仅电子邮件").only("smtp"),
		f.input("to", "收件人地址", "textarea").max(2000).hint("仅电子邮件：每行一个，或用逗号分隔").only("smtp"),
	)
	p := s.frame(ctx, "添加通知渠道")
	p.Crumbs = []crumb{{Label: "通知渠道", URL: "/admin/channels"}, {Label: "添加通知渠道"}}
	fp := formPage{page: p, Action: "/admin/channels", Submit: "添加", Cancel: "/admin/channels", Form: f, Fields: fields,
		Intro: "通知渠道把各组织的组织生活提醒（近期计划、到期和逾期事项）每天发送到钉钉群、企业微信群或电子邮箱。密钥加密保存，保存后不再显示。"}
	if old != nil {
		fp.Title = "修改通知渠道"
		fp.Crumbs = []crumb{{Label: "通知渠道", URL: "/admin/channels"}, {Label: old.Name, URL: channelURL(old.ID) + "/deliveries"}, {Label: "修改"}}
		fp.Action, fp.Submit, fp.Cancel = channelURL(old.ID)+"/edit", "保存", "/admin/channels"
	}
	s.showForm(w, r, status, fp)
}

// channelFromForm applies the form to c (a new channel, or a copy of the stored one whose
// secrets a blank field keeps), recording malformed values beside their fields.
func channelFromForm(f *form, c *store.Channel) {
	c.Kind = store.ChannelKind(f.get("kind"))
	c.Name = f.get("name")
	c.RootOrgID = 0
	if v := f.get("root_org_id"); v != "" {
		id, ok := parseID(v)
		if !ok {
			f.setErr("root_org_id", "请选择提醒范围（组织）")
		}
		c.RootOrgID = id
	}
	c.Enabled = f.get("enabled") != ""
	cfg := &c.Config
	keep := func(dst *string, name string) {
		if v := f.get(name); v != "" {
			*dst = v
		}
	}
	keep(&cfg.URL, "url")
	keep(&cfg.Secret, "secret")
	if f.get("clear_secret") != "" {
		cfg.Secret = ""
	}
	cfg.Host, cfg.Username, cfg.From = f.get("host"), f.get("username"), f.get("from")
	keep(&cfg.Password, "password")
	cfg.Port = 0
	if v := f.get("port"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil && c.Kind == store.ChannelSMTP {
			f.setErr("port", "端口应为1至65535的整数")
		}
		cfg.Port = n
	}
	cfg.To = nil
	for _, a := range strings.FieldsFunc(f.values.Get("to"), func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '，' || r == ';' || r == '；' || r == ' '
	}) {
		cfg.To = append(cfg.To, a)
	}
	// A channel keeps only the settings of its kind, so no unused secret lingers.
	switch c.Kind {
	case store.ChannelSMTP:
		cfg.URL, cfg.Secret = "", ""
	case store.ChannelDingTalk, store.ChannelWeCom:
		if c.Kind == store.ChannelWeCom {
			cfg.Secret = ""
		}
		cfg.Host, cfg.Port, cfg.Username, cfg.Password, cfg.From, cfg.To = "", 0, "", "", "", nil
	}
}

// checkChannelScope refuses, beside the field, a 提醒范围 outside the user's subtrees: the
// channel would send that subtree's reminders wherever the user chose.
func (s *Server) checkChannelScope(ctx context.Context, f *form, c *store.Channel) error {
	if c.RootOrgID == 0 || f.errs["root_org_id"] != "" {
		return nil
	}
	msg, err := s.formOrgError(ctx, party.ActChannelAdmin, c.RootOrgID, msgChannelOrg)
	if err != nil {
		return err
	}
	if msg != "" {
		f.setErr("root_org_id", msg)
	}
	return nil
}

// channelCreate adds a channel.
func (s *Server) channelCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	c := &store.Channel{}
	channelFromForm(f, c)
	if err := s.checkChannelScope(r.Context(), f, c); err != nil {
		s.serverError(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.CreateChannel(r.Context(), c)
		if err == nil {
			redirect(w, r, "/admin/channels?done=created")
			return
		}
		if err := f.fail(err, channelFieldNames...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showChannelForm(w, r, status, f, nil)
}

// channelEdit shows the settings of a channel, its secrets only as "set".
func (s *Server) channelEdit(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadChannel(w, r)
	if !ok {
		return
	}
	f := newForm(url.Values{"kind": {string(c.Kind)}, "name": {c.Name}, "root_org_id": {strconv.FormatInt(c.RootOrgID, 10)},
		"host": {c.Config.Host}, "username": {c.Config.Username}, "from": {c.Config.From}, "to": {strings.Join(c.Config.To, "\n")}})
	if c.Config.Port != 0 {
		f.set("port", strconv.Itoa(c.Config.Port))
	}
	if c.Enabled {
		f.set("enabled", "1")
	}
	s.showChannelForm(w, r, http.StatusOK, f, c)
}

// channelUpdate saves a channel; a blank secret field keeps the stored secret.
func (s *Server) channelUpdate(w http.ResponseWriter, r *http.Request) {
	old, ok := s.loadChannel(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	c := *old
	c.Config.To = append([]string(nil), old.Config.To...)
	channelFromForm(f, &c)
	if err := s.checkChannelScope(r.Context(), f, &c); err != nil {
		s.serverError(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.UpdateChannel(r.Context(), &c)
		if err == nil {
			redirect(w, r, "/admin/channels?done=saved")
			return
		}
		if err := f.fail(err, channelFieldNames...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showChannelForm(w, r, status, f, old)
}

// channelTest sends the channel the reminder digest of its subtree now, once, records the
// delivery and shows its outcome on the channel's delivery page. The administrator sees
// whether it arrived, never what it said.
func (s *Server) channelTest(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadChannel(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	today := s.today()
	d, err := notify.Collect(ctx, s.db, []int64{c.RootOrgID}, today)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	m := d.Message(c.RootName, 20)
	m.Title += "（测试）"
	if d.Count() == 0 {
		m.Markdown += "\n\n当前没有需要提醒的事项。"
	}
	m.Markdown = "> 这是一条测试消息，由党建管理员从党建工作管理平台发送。\n\n" + m.Markdown
	del := &store.Delivery{ChannelID: c.ID, Items: d.Count()}
	sender, err := notify.NewSender(c, nil, s.now)
	if err == nil {
		sendCtx, cancel := context.WithTimeout(ctx, channelTestTimeout)
		err = sender.Send(sendCtx, m)
		cancel()
		del.Attempts = 1
	}
	del.OK = err == nil
	if err != nil {
		del.Error = err.Error()
		s.log.Warn("web: channel test failed", "channel", c.ID, "err", err)
	}
	if err := s.db.RecordDelivery(ctx, del); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, channelURL(c.ID)+"/deliveries?sent="+strconv.FormatInt(del.ID, 10))
}

// deliveriesPage is one channel's recent deliveries.
type deliveriesPage struct {
	page
	Channel    channelRow
	Deliveries []*store.Delivery
	// Sent is the test delivery just made, when the page follows one.
	Sent *store.Delivery
}

// channelDeliveries shows the latest deliveries of a channel, failures with their error.
func (s *Server) channelDeliveries(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadChannel(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	list, err := s.db.Deliveries(ctx, c.ID, false, 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := deliveriesPage{Channel: channelRowOf(c), Deliveries: list}
	if id, ok := parseID(r.URL.Query().Get("sent")); ok {
		for _, d := range list {
			if d.ID == id {
				data.Sent = d
			}
		}
	}
	data.page = s.frame(ctx, "发送记录："+c.Name)
	data.Crumbs = []crumb{{Label: "通知渠道", URL: "/admin/channels"}, {Label: c.Name}}
	s.render(w, r, http.StatusOK, "channel_deliveries", "layout", data)
}
