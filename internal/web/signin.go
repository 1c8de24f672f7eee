package web

import (
	"net/http"
	"strings"

	"dangjian/internal/auth"
	"dangjian/internal/party"
)

// health answers a load balancer or monitoring probe; it reads nothing but the database's
// presence.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if _, err := s.db.CountUsers(r.Context()); err != nil {
		s.log.Error("web: health check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// home sends a signed-in user to the first page their roles open.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	redirect(w, r, homeOf(party.PrincipalFrom(r.Context())))
}

// homeOf returns the start page of p.
func homeOf(p *party.Principal) string {
	switch {
	case p.CanAny(party.ActComplianceRead):
		// What is due and overdue first: the reminders are where the day's work starts.
		return "/reminders"
	case p.CanAny(party.ActOrgRead):
		return "/orgs"
	case p.OwnMember() != 0:
		return memberURL(p.OwnMember())
	case p.CanAny(party.ActAccountRead):
		return "/admin/users"
	case p.CanAny(party.ActAuditRead):
		return "/audit"
	}
	return "/account"
}

// localPath keeps a next= target only when it is a path of this site, so the sign-in cannot
// send anyone elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") || len(next) > 2000 {
		return ""
	}
	return next
}

// signInPage is the sign-in form.
type signInPage struct {
	formPage
	SetupURL string
}

// signInForm shows the sign-in form; a signed-in visitor goes on to the start page.
func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	if p, _, err := s.session(r); err == nil && p != nil {
		redirect(w, r, homeOf(p))
		return
	}
	f := newForm(nil)
	f.set("next", localPath(r.URL.Query().Get("next")))
	p := s.frame(r.Context(), "登录")
	p.Flash = flashMessage(r.URL.Query().Get("done"))
	s.showSignIn(w, r, http.StatusOK, f, p)
}

func (s *Server) showSignIn(w http.ResponseWriter, r *http.Request, status int, f *form, p page) {
	f.set("password", "")
	data := signInPage{formPage: formPage{page: p, Action: "/signin", Submit: "登录", Form: f,
		Intro: "请使用系统管理员为您开设的账户登录。",
		Fields: []field{
			f.input("next", "", "hidden"),
			f.input("username", "用户名", "text").req().max(party.MaxUsernameLen).auto("username"),
			f.input("password", "密码", "password").req().max(party.MaxPasswordLen).auto("current-password"),
			f.input("code", "动态验证码", "text").max(6).auto("one-time-code").numeric().
				hint("已启用双因素认证的账户填写手机验证器中的6位数字，其他账户不填"),
		}}}
	if s.setupOpen(r) {
		data.SetupURL = "/setup"
	}
	s.render(w, r, status, "signin", "layout", data)
}

// signIn checks the form and opens a session in a fresh cookie.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	res, err := s.auth.SignIn(r.Context(), auth.SignInRequest{Username: f.get("username"), Password: f.values.Get("password"),
		Code: f.get("code"), Source: source(r), UserAgent: r.UserAgent()})
	if err != nil {
		status := statusFor(err)
		switch {
		case auth.IsRateLimited(err):
			status, f.Message = http.StatusTooManyRequests, err.Error()
		case party.ErrorCode(err) == party.EUNAUTHORIZED:
			f.Message = party.ErrorMessage(err)
		default:
			s.serverError(w, r, err)
			return
		}
		s.showSignIn(w, r, status, f, s.frame(r.Context(), "登录"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: res.Token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	next := localPath(f.get("next"))
	switch {
	case res.Principal.MustChangePassword:
		next = "/account/password"
	case res.Principal.NeedsSecondFactor:
		next = "/account/2fa"
	case next == "":
		next = homeOf(res.Principal)
	}
	redirect(w, r, next)
}

// signOut ends the session and forgets the cookie.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if sess := sessionFrom(r.Context()); sess != nil {
		if err := s.auth.SignOut(r.Context(), sess.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	clearSessionCookie(w, r)
	redirect(w, r, "/signin?done=signed-out")
}

// clearSessionCookie tells the browser to drop the session cookie.
func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// setupRoles are the roles the first account may take: someone has to be able to go on.
var setupRoles = []option{
	{Value: "party", Label: "党建管理员（全系统）"},
	{Value: string(party.RoleSysAdmin), Label: "系统管理员（管理账户）"},
	{Value: string(party.RoleSecAdmin), Label: "安全管理员（授予角色、安全策略）"},
}

// setupForm shows the one-time form that creates the first account.
func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) {
	f := newForm(nil)
	f.set("role", "party")
	s.showSetup(w, r, http.StatusOK, f)
}

func (s *Server) showSetup(w http.ResponseWriter, r *http.Request, status int, f *form) {
	f.set("password", "")
	f.set("password2", "")
	s.showForm(w, r, status, formPage{page: s.frame(r.Context(), "初始设置"), Action: "/setup", Submit: "创建账户",
		Cancel: "/signin", Form: f,
		Intro: "系统中还没有任何账户。请创建第一个管理员账户；此页面只在服务器本机可以打开，账户建立后即关闭。" +
			"其他账户由系统管理员开设、安全管理员授予角色，也可在服务器上运行 dangjian user add。",
		Fields: []field{
			f.input("username", "用户名", "text").req().max(party.MaxUsernameLen).auto("username").
				hint("2至32个字符：小写字母、数字和 . _ -"),
			f.input("display_name", "姓名", "text").max(party.MaxDisplayNameLen),
			f.choice("role", "角色", setupRoles).req(),
			f.input("password", "密码", "password").req().max(party.MaxPasswordLen).auto("new-password").
				hint("至少8个字符，包含大写字母、小写字母、数字、其他符号中的至少3种"),
			f.input("password2", "再次输入密码", "password").req().max(party.MaxPasswordLen).auto("new-password"),
		}})
}

// setup creates the first account and sends its holder to sign in.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	var grant party.Grant
	switch f.get("role") {
	case "party":
		grant.Role = party.RolePartyAdmin
	case string(party.RoleSysAdmin), string(party.RoleSecAdmin):
		grant.Role = party.Role(f.get("role"))
	default:
		f.setErr("role", "请选择角色")
	}
	if f.values.Get("password") != f.values.Get("password2") {
		f.setErr("password2", "两次输入的密码不一致")
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		_, err := s.auth.CreateUser(r.Context(), auth.NewUser{Username: f.get("username"), DisplayName: f.get("display_name"),
			Password: f.values.Get("password"), OnlyFirst: true, Grants: []party.Grant{grant}})
		if err == nil {
			redirect(w, r, "/signin?done=setup")
			return
		}
		if err := f.fail(err, "username", "display_name", "role", "password"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showSetup(w, r, status, f)
}
