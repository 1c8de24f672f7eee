package web

import (
	"net/http"
	"strconv"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// usersPage lists the accounts.
type usersPage struct {
	page
	Users     []*party.User
	Now       time.Time
	CanManage bool
}

// userList shows every account with its roles and state.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	users, err := s.db.ListUsers(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.frame(ctx, "账户管理")
	p.Flash = flashMessage(r.URL.Query().Get("done"))
	s.render(w, r, http.StatusOK, "users", "layout", usersPage{page: p, Users: users, Now: s.db.Now(),
		CanManage: party.PrincipalFrom(ctx).CanAny(party.ActAccountAdmin)})
}

// userNew shows the form for a new account.
func (s *Server) userNew(w http.ResponseWriter, r *http.Request) {
	s.showUserNew(w, r, http.StatusOK, newForm(nil))
}

func (s *Server) showUserNew(w http.ResponseWriter, r *http.Request, status int, f *form) {
	ctx := r.Context()
	policy, err := s.auth.Policy(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f.set("password", "")
	f.set("password2", "")
	p := s.frame(ctx, "新建账户")
	p.Crumbs = []crumb{{Label: "账户管理", URL: "/admin/users"}, {Label: "新建账户"}}
	s.showForm(w, r, status, formPage{page: p, Action: "/admin/users", Submit: "创建", Cancel: "/admin/users", Form: f,
		Intro: "新账户没有任何角色，由安全管理员授予。初始密码由您设置，账户持有人首次登录时须修改。",
		Fields: []field{
			f.input("username", "用户名", "text").req().max(party.MaxUsernameLen).hint("2至32个字符：小写字母、数字和 . _ -"),
			f.input("display_name", "姓名", "text").max(party.MaxDisplayNameLen),
			f.input("password", "初始密码", "password").req().max(party.MaxPasswordLen).auto("new-password").hint(policyHint(policy)),
			f.input("password2", "再次输入初始密码", "password").req().max(party.MaxPasswordLen).auto("new-password"),
		}})
}

// userCreate creates an account whose holder must change the password at first sign-in.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	if f.values.Get("password") != f.values.Get("password2") {
		f.setErr("password2", "两次输入的密码不一致")
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		u, err := s.auth.CreateUser(r.Context(), auth.NewUser{Username: f.get("username"), DisplayName: f.get("display_name"),
			Password: f.values.Get("password"), MustChange: true})
		if err == nil {
			redirect(w, r, userURL(u.ID)+"?done=created")
			return
		}
		if err := f.fail(err, "username", "display_name", "password"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showUserNew(w, r, status, f)
}

func userURL(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

// userPage is one account as the 三员 see it.
type userPage struct {
	page
	U         *party.User
	Sessions  []*store.Session
	Tokens    []*store.APIToken
	Now       time.Time
	CanManage bool
	CanGrant  bool
	// Guarded is set for an account of the 三员 or one's own: its password and second factor are
	// reset on the server (dangjian user), so no administrator takes over another's duties.
	Guarded     bool
	Grant       *form
	GrantFields []field
	Reset       *form
	ResetFields []field
}

// loadUser finds the account of the {uid} path value, answering 404 itself.
func (s *Server) loadUser(w http.ResponseWriter, r *http.Request) (*party.User, bool) {
	id, ok := pathID(r, "uid")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	u, err := s.db.FindUser(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return u, true
}

// userShow shows an account: roles, state, sessions and tokens, with the actions the viewer's
// role allows.
func (s *Server) userShow(w http.ResponseWriter, r *http.Request) {
	u, ok := s.loadUser(w, r)
	if !ok {
		return
	}
	s.showUser(w, r, http.StatusOK, u, newForm(nil), newForm(nil))
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request, status int, u *party.User, grant, reset *form) {
	ctx := r.Context()
	p := party.PrincipalFrom(ctx)
	data := userPage{U: u, Now: s.db.Now(), CanManage: p.CanAny(party.ActAccountAdmin), CanGrant: p.CanAny(party.ActRoleGrant),
		Guarded: guarded(p, u), Grant: grant, Reset: reset}
	data.page = s.frame(ctx, "账户："+u.Username)
	data.Crumbs = []crumb{{Label: "账户管理", URL: "/admin/users"}, {Label: u.Username}}
	data.Flash = flashMessage(r.URL.Query().Get("done"))
	var err error
	if data.Sessions, err = s.db.Sessions(ctx, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Tokens, err = s.db.Tokens(ctx, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.CanGrant {
		roles := []option{{Value: "", Label: "请选择"}}
		for _, role := range party.Roles {
			roles = append(roles, option{Value: string(role), Label: string(role)})
		}
		orgs, err := s.db.ListOrgs(ctx, store.OrgFilter{})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		scopes := []option{{Value: "0", Label: "（全系统；三员和党员角色选此项）"}}
		for _, o := range orgs {
			scopes = append(scopes, option{Value: strconv.FormatInt(o.ID, 10), Label: indent(o) + o.Name + "（" + o.Code + "）"})
		}
		data.GrantFields = []field{
			grant.choice("role", "角色", roles).req(),
			grant.choice("org", "组织范围", scopes).hint("角色的权限及于所选组织和它的全部下级组织；支部书记、组织委员须选党支部"),
			grant.input("member", "党员记录编号（仅党员角色）", "text").numeric().max(18).
				hint("该党员页面地址 /members/编号 中的数字，由党建管理员提供"),
		}
	}
	data.ResetFields = []field{
		reset.input("password", "新的初始密码", "password").req().max(party.MaxPasswordLen).auto("new-password"),
		reset.input("password2", "再次输入", "password").req().max(party.MaxPasswordLen).auto("new-password"),
	}
	s.render(w, r, status, "user", "layout", data)
}

// guarded reports whether an administrator p may not reset u's password or second factor in
// the browser: u is p, or u holds one of the 三员 roles.
func guarded(p *party.Principal, u *party.User) bool {
	if p.UserID == u.ID {
		return true
	}
	for _, g := range u.Grants {
		if g.Role.Separate() {
			return true
		}
	}
	return false
}

// userAction runs an administrator's action on the account of the path and goes back to it.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, done string, act func(u *party.User) error) {
	u, ok := s.loadUser(w, r)
	if !ok {
		return
	}
	if err := act(u); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, userURL(u.ID)+"?done="+done)
}

// notOwnAccount refuses an administrator's action on their own account.
func notOwnAccount(r *http.Request, u *party.User) error {
	if party.PrincipalFrom(r.Context()).UserID == u.ID {
		return party.Errorf(party.EFORBIDDEN, "不能在账户管理中操作自己的账户，请使用“我的账户”")
	}
	return nil
}

// userDisable disables an account and ends its sessions.
func (s *Server) userDisable(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "disabled", func(u *party.User) error {
		if err := notOwnAccount(r, u); err != nil {
			return err
		}
		return s.db.SetDisabled(r.Context(), u.ID, true)
	})
}

// userEnable enables an account again.
func (s *Server) userEnable(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "enabled", func(u *party.User) error { return s.db.SetDisabled(r.Context(), u.ID, false) })
}

// userUnlock ends a lockout.
func (s *Server) userUnlock(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "unlocked", func(u *party.User) error { return s.db.Unlock(r.Context(), u.ID) })
}

// userEndSessions signs an account out everywhere.
func (s *Server) userEndSessions(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "sessions-ended", func(u *party.User) error {
		_, err := s.db.EndSessions(r.Context(), u.ID, 0)
		return err
	})
}

// userResetTOTP turns off the second factor of a user who lost the device.
func (s *Server) userResetTOTP(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "2fa-reset", func(u *party.User) error {
		if guarded(party.PrincipalFrom(r.Context()), u) {
			return guardedError()
		}
		return s.auth.ResetSecondFactor(r.Context(), u.ID)
	})
}

// guardedError refuses to reset the credentials of the 三员 or one's own in the browser.
func guardedError() error {
	return party.Errorf(party.EFORBIDDEN, "三员账户和您自己的账户不能在此重置，请在服务器上使用 dangjian user 命令")
}

// userRevokeToken revokes an API token of the account.
func (s *Server) userRevokeToken(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "token-revoked", func(u *party.User) error {
		id, ok := pathID(r, "tid")
		if !ok {
			return party.Errorf(party.ENOTFOUND, "访问令牌不存在")
		}
		t, err := s.db.FindTokenByID(r.Context(), id)
		if err != nil {
			return err
		}
		if t.UserID != u.ID {
			return party.Errorf(party.ENOTFOUND, "访问令牌不存在")
		}
		return s.db.RevokeToken(r.Context(), id)
	})
}

// userResetPassword sets a new password for the account; its holder must change it.
func (s *Server) userResetPassword(w http.ResponseWriter, r *http.Request) {
	u, ok := s.loadUser(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	if guarded(party.PrincipalFrom(r.Context()), u) {
		s.fail(w, r, guardedError())
		return
	}
	if f.values.Get("password") != f.values.Get("password2") {
		f.setErr("password2", "两次输入的密码不一致")
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.auth.ResetPassword(r.Context(), u.ID, f.values.Get("password"))
		if err == nil {
			redirect(w, r, userURL(u.ID)+"?done=password-reset")
			return
		}
		if err := f.fail(err, "password"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showUser(w, r, status, u, newForm(nil), f)
}

// grantCreate gives the account a role (安全管理员).
func (s *Server) grantCreate(w http.ResponseWriter, r *http.Request) {
	u, ok := s.loadUser(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	if party.PrincipalFrom(r.Context()).UserID == u.ID {
		s.fail(w, r, party.Errorf(party.EFORBIDDEN, "不能给自己授予角色"))
		return
	}
	g := party.Grant{UserID: u.ID, Role: party.Role(f.get("role")), OrgID: f.id("org")}
	if v := f.get("member"); v != "" {
		id, ok := parseID(v)
		if !ok {
			f.setErr("member", "党员记录编号应为正整数")
		}
		g.MemberID = id
	}
	if g.Role == "" {
		f.setErr("role", "请选择角色")
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.AddGrant(r.Context(), &g)
		if err == nil {
			redirect(w, r, userURL(u.ID)+"?done=granted")
			return
		}
		if err := f.fail(err, "role", "org", "member"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showUser(w, r, status, u, f, newForm(nil))
}

// grantRevoke takes a role away.
func (s *Server) grantRevoke(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "revoked", func(u *party.User) error {
		if err := notOwnAccount(r, u); err != nil {
			return err
		}
		id, ok := pathID(r, "gid")
		if !ok {
			return party.Errorf(party.ENOTFOUND, "授权不存在")
		}
		return s.db.RevokeGrant(r.Context(), u.ID, id)
	})
}

// policyFields are the security policy's form fields.
func policyFields(f *form) []field {
	num := func(name, label, hint string) field {
		return f.input(name, label, "text").req().max(5).numeric().hint(hint)
	}
	return []field{
		num("min_length", "密码最小长度", "8至64"),
		num("min_classes", "密码至少包含的字符种类", "大写字母、小写字母、数字、其他符号四类中的种数，1至4"),
		num("max_age_days", "密码有效天数", "到期后登录时须修改；0表示不限"),
		num("history", "不得重复使用的近期密码个数", "含当前密码，1至24"),
		num("lockout_threshold", "连续失败几次锁定账户", "3至20"),
		num("lockout_window_minutes", "失败次数的统计时长（分钟）", ""),
		num("lockout_minutes", "锁定时长（分钟）", ""),
		num("idle_minutes", "会话空闲超时（分钟）", "5至480"),
		num("absolute_hours", "会话最长时长（小时）", "1至72"),
		f.input("require_second_factor", "管理类账户（党建管理员、三员）必须启用双因素认证（等保三级）", "checkbox"),
	}
}

// policyForm shows the security policy.
func (s *Server) policyForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.db.SecurityPolicy(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := newForm(nil)
	for k, v := range map[string]int{"min_length": p.MinLength, "min_classes": p.MinClasses, "max_age_days": p.MaxAgeDays,
		"history": p.History, "lockout_threshold": p.LockoutThreshold, "lockout_window_minutes": p.LockoutWindowMinutes,
		"lockout_minutes": p.LockoutMinutes, "idle_minutes": p.IdleMinutes, "absolute_hours": p.AbsoluteHours} {
		f.set(k, strconv.Itoa(v))
	}
	if p.RequireSecondFactor {
		f.set("require_second_factor", "1")
	}
	s.showPolicy(w, r, http.StatusOK, f)
}

func (s *Server) showPolicy(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.frame(r.Context(), "安全策略")
	p.Flash = flashMessage(r.URL.Query().Get("done"))
	s.showForm(w, r, status, formPage{page: p, Action: "/admin/policy", Submit: "保存", Form: f,
		Intro:  "密码、登录锁定和会话的规则。默认值符合网络安全等级保护的要求；服务以 --require-2fa 启动时，管理类账户总是须启用双因素认证。",
		Fields: policyFields(f)})
}

// policySave stores the security policy.
func (s *Server) policySave(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	num := func(name string) int {
		n, err := strconv.Atoi(f.get(name))
		if err != nil {
			f.setErr(name, "请填写整数")
		}
		return n
	}
	p := party.SecurityPolicy{MinLength: num("min_length"), MinClasses: num("min_classes"), MaxAgeDays: num("max_age_days"),
		History: num("history"), LockoutThreshold: num("lockout_threshold"), LockoutWindowMinutes: num("lockout_window_minutes"),
		LockoutMinutes: num("lockout_minutes"), IdleMinutes: num("idle_minutes"), AbsoluteHours: num("absolute_hours"),
		RequireSecondFactor: f.get("require_second_factor") != ""}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.SetSecurityPolicy(r.Context(), p)
		if err == nil {
			redirect(w, r, "/admin/policy?done=saved")
			return
		}
		var names []string
		for _, fl := range policyFields(f) {
			names = append(names, fl.Name)
		}
		if err := f.fail(err, names...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showPolicy(w, r, status, f)
}
