package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// accountPage is one's own account: roles, sessions, second factor and API tokens; it also
// shows a token just created, once.
type accountPage struct {
	page
	U        *party.User
	Sessions []*store.Session
	Current  int64
	Tokens   []*store.APIToken
	Now      time.Time
	// NewToken is the token created by this request, shown this once.
	NewToken string
	TokenErr string
	CodeErr  string
	Expiries []option
	// Feed is the live calendar subscription link (calendar_feed.go), nil when there is none;
	// NewFeedURL is the link created by this request, shown this once.
	Feed       *store.CalendarFeed
	NewFeedURL string
}

// tokenExpiries are the choices of an API token's lifetime, in days ("0": no end).
func tokenExpiries() []option {
	return []option{{Value: "30", Label: "30天"}, {Value: "90", Label: "90天", Selected: true},
		{Value: "180", Label: "180天"}, {Value: "365", Label: "一年"}, {Value: "0", Label: "长期有效（须手动吊销）"}}
}

// account shows the signed-in user's own account.
func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.showAccount(w, r, http.StatusOK, accountPage{})
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request, status int, data accountPage) {
	ctx := r.Context()
	p := party.PrincipalFrom(ctx)
	var err error
	if data.U, err = s.db.FindUser(ctx, p.UserID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Sessions, err = s.db.Sessions(ctx, p.UserID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Tokens, err = s.db.Tokens(ctx, p.UserID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Feed, err = s.db.Feed(ctx, p.UserID); err != nil && party.ErrorCode(err) != party.ENOTFOUND {
		s.serverError(w, r, err)
		return
	}
	if sess := sessionFrom(ctx); sess != nil {
		data.Current = sess.ID
	}
	data.page = s.frame(ctx, "我的账户")
	data.Flash = flashMessage(r.URL.Query().Get("done"))
	if data.Flash == "" {
		data.Flash = feedFlash(r.URL.Query().Get("done"))
	}
	data.Now = s.db.Now()
	data.Expiries = tokenExpiries()
	s.render(w, r, status, "account", "layout", data)
}

// passwordForm shows the form to change one's own password.
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) {
	s.showPassword(w, r, http.StatusOK, newForm(nil))
}

func (s *Server) showPassword(w http.ResponseWriter, r *http.Request, status int, f *form) {
	ctx := r.Context()
	p := party.PrincipalFrom(ctx)
	policy, err := s.auth.Policy(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	intro := "修改密码后，您在其他设备上的登录将全部结束。"
	cancel := "/account"
	if p.MustChangePassword {
		intro = "您的密码由管理员设置或已超过有效期，请先设置新密码再继续使用。" + intro
		cancel = ""
	}
	for _, k := range []string{"current", "password", "password2"} {
		f.set(k, "")
	}
	s.showForm(w, r, status, formPage{page: s.frame(ctx, "修改密码"), Action: "/account/password", Submit: "修改密码",
		Cancel: cancel, Form: f, Intro: intro, Fields: []field{
			f.input("current", "当前密码", "password").req().max(party.MaxPasswordLen).auto("current-password"),
			f.input("password", "新密码", "password").req().max(party.MaxPasswordLen).auto("new-password").
				hint(policyHint(policy)),
			f.input("password2", "再次输入新密码", "password").req().max(party.MaxPasswordLen).auto("new-password"),
		}})
}

// policyHint describes the password rules of policy.
func policyHint(p party.SecurityPolicy) string {
	return "至少" + strconv.Itoa(p.MinLength) + "个字符，包含大写字母、小写字母、数字、其他符号中的至少" +
		strconv.Itoa(p.MinClasses) + "种；不能包含用户名，不能与最近" + strconv.Itoa(p.History) + "次使用过的密码相同"
}

// passwordChange sets the new password; the other sessions end.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := party.PrincipalFrom(ctx)
	if f.values.Get("password") != f.values.Get("password2") {
		f.setErr("password2", "两次输入的新密码不一致")
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		var keep int64
		if sess := sessionFrom(ctx); sess != nil {
			keep = sess.ID
		}
		err := s.auth.ChangePassword(ctx, p.UserID, f.values.Get("current"), f.values.Get("password"), keep, source(r))
		if err == nil {
			target := "/account?done=password"
			if p.NeedsSecondFactor {
				target = "/account/2fa"
			}
			redirect(w, r, target)
			return
		}
		if err := f.fail(err, "current", "password"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showPassword(w, r, status, f)
}

// totpPage is the set-up of a second factor.
type totpPage struct {
	formPage
	Enrollment *auth.Enrollment
	// QR is the enrollment's QR code as a data: URL, which the template would otherwise refuse.
	QR       template.URL
	Required bool
}

// totpForm shows a fresh TOTP secret as a QR code and asks for a code from the app.
func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	p := party.PrincipalFrom(r.Context())
	en, err := auth.NewEnrollment(p.Username)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showTOTP(w, r, http.StatusOK, newForm(nil), en)
}

func (s *Server) showTOTP(w http.ResponseWriter, r *http.Request, status int, f *form, en *auth.Enrollment) {
	ctx := r.Context()
	p := party.PrincipalFrom(ctx)
	f.set("secret", en.Secret)
	f.set("code", "")
	cancel := "/account"
	if p.NeedsSecondFactor {
		cancel = ""
	}
	s.render(w, r, status, "totp", "layout", totpPage{formPage: formPage{page: s.frame(ctx, "设置双因素认证"),
		Action: "/account/2fa", Submit: "启用", Cancel: cancel, Form: f, Fields: []field{
			f.input("secret", "", "hidden"),
			f.input("code", "动态验证码", "text").req().max(6).auto("one-time-code").numeric().
				hint("用手机验证器扫描上方二维码（或手动输入密钥）后，填写其中显示的6位数字"),
		}}, Enrollment: en, QR: qrURL(en.QR), Required: p.NeedsSecondFactor})
}

// qrURL lets the template put a QR code made here into an img src: only a PNG data: URL passes.
func qrURL(s string) template.URL {
	if !strings.HasPrefix(s, "data:image/png;base64,") {
		return ""
	}
	return template.URL(s)
}

// totpEnable turns the second factor on once the code matches the secret.
func (s *Server) totpEnable(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := party.PrincipalFrom(ctx)
	en, err := auth.ResumeEnrollment(p.Username, f.get("secret"))
	if err != nil {
		if en, err = auth.NewEnrollment(p.Username); err != nil {
			s.serverError(w, r, err)
			return
		}
		f.Message = "设置已过期，请用新的二维码重新设置。"
		s.showTOTP(w, r, http.StatusUnprocessableEntity, f, en)
		return
	}
	if err := s.auth.EnableSecondFactor(ctx, p.UserID, en.Secret, f.get("code")); err != nil {
		if err := f.fail(err, "code"); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.showTOTP(w, r, statusFor(err), f, en)
		return
	}
	target := "/account?done=2fa-on"
	if p.MustChangePassword {
		target = "/account/password"
	}
	redirect(w, r, target)
}

// totpDisable turns the second factor off with a current code.
func (s *Server) totpDisable(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	err := s.auth.DisableSecondFactor(r.Context(), party.PrincipalFrom(r.Context()).UserID, f.get("code"))
	if party.ErrorCode(err) == party.EINVALID || party.ErrorCode(err) == party.ECONFLICT {
		s.showAccount(w, r, http.StatusUnprocessableEntity, accountPage{CodeErr: party.ErrorMessage(err)})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/account?done=2fa-off")
}

// endOtherSessions signs the user out everywhere but here.
func (s *Server) endOtherSessions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var keep int64
	if sess := sessionFrom(ctx); sess != nil {
		keep = sess.ID
	}
	if _, err := s.db.EndSessions(ctx, party.PrincipalFrom(ctx).UserID, keep); err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/account?done=sessions-ended")
}

// tokenCreate makes an API token for the signed-in user and shows it once.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	days, err := strconv.Atoi(f.get("days"))
	if err != nil || days < 0 || days > 3650 {
		s.showAccount(w, r, http.StatusUnprocessableEntity, accountPage{TokenErr: "请选择有效期"})
		return
	}
	var expires time.Time
	if days > 0 {
		expires = s.db.Now().AddDate(0, 0, days)
	}
	token, _, err := s.auth.CreateToken(ctx, party.PrincipalFrom(ctx).UserID, f.get("name"), expires)
	if party.ErrorCode(err) == party.EINVALID {
		s.showAccount(w, r, http.StatusUnprocessableEntity, accountPage{TokenErr: party.ErrorMessage(err)})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showAccount(w, r, http.StatusOK, accountPage{NewToken: token})
}

// tokenRevoke revokes one of the signed-in user's own tokens.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := pathID(r, "tid")
	if !ok {
		s.notFound(w, r)
		return
	}
	t, err := s.db.FindTokenByID(ctx, id)
	if err == nil && t.UserID != party.PrincipalFrom(ctx).UserID {
		err = party.Errorf(party.ENOTFOUND, "访问令牌不存在")
	}
	if err == nil {
		err = s.db.RevokeToken(ctx, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/account?done=token-revoked")
}
