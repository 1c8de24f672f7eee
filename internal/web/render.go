package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"dangjian/internal/party"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// views holds the parsed page templates and the content versions of the static files.
type views struct {
	pages  map[string]*template.Template
	assets map[string]string
}

// mustLoadViews parses every embedded template; they are part of the binary, so a parse error
// is a programming error caught by any test.
func mustLoadViews() *views {
	v := &views{pages: map[string]*template.Template{}, assets: map[string]string{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		v.assets[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic("web: read static files: " + err.Error())
	}
	funcs := template.FuncMap{
		"asset": func(name string) string {
			ver, ok := v.assets[name]
			if !ok {
				panic("web: unknown asset " + name)
			}
			return "/static/" + name + "?v=" + ver
		},
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(party.Zone).Format("2006年1月2日 15:04")
		},
		"stateOf": func(u *party.User, now time.Time) string {
			switch {
			case u.Disabled:
				return "已停用"
			case u.Locked(now):
				return "已锁定（至" + u.LockedUntil.In(party.Zone).Format("15:04") + "）"
			case u.MustChangePassword:
				return "正常（须修改密码）"
			}
			return "正常"
		},
		"evlabel": party.EventLabel,
		"date": func(d party.Date) string {
			if d.IsZero() {
				return "—"
			}
			return d.Chinese()
		},
	}
	base := template.Must(template.New("base").Funcs(funcs).ParseFS(templateFiles, "templates/*.html"))
	pages, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		panic("web: list templates: " + err.Error())
	}
	for _, p := range pages {
		t := template.Must(base.Clone())
		template.Must(t.ParseFS(templateFiles, p))
		v.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return v
}

// page is what every full page shows around its content.
type page struct {
	Title string
	// User is the signed-in user's menu; nil on the pages without a session.
	User   *userMenu
	Nav    []*navNode
	Crumbs []crumb
	// Flash confirms the action that led here (redirect-after-post).
	Flash string
}

// userMenu is the header's account menu: who is signed in and the areas their roles open.
type userMenu struct {
	Username string
	Links    []crumb
}

// frame returns the frame of a page titled title for the request's principal.
func (s *Server) frame(ctx context.Context, title string) page {
	return page{Title: title, User: menuFor(party.PrincipalFrom(ctx))}
}

// menuFor returns the menu of p, or nil for an anonymous request.
func menuFor(p *party.Principal) *userMenu {
	if p == nil {
		return nil
	}
	m := &userMenu{Username: p.Username}
	if p.Restricted() {
		return m
	}
	add := func(ok bool, label, url string) {
		if ok {
			m.Links = append(m.Links, crumb{Label: label, URL: url})
		}
	}
	add(p.CanAny(party.ActOrgRead), "组织树", "/orgs")
	add(p.CanAny(party.ActEventRead), "组织生活", "/events")
	add(p.CanAny(party.ActComplianceRead), "待办提醒", "/reminders")
	add(p.CanAny(party.ActComplianceRead), "合规检查", "/compliance")
	add(p.CanAny(party.ActComplianceRead), "第一议题", "/topics")
	add(p.CanAny(party.ActRuleAdmin), "规则设置", "/admin/rules")
	add(p.CanAny(party.ActChannelAdmin), "通知渠道", "/admin/channels")
	add(p.OwnMember() != 0, "我的党员信息", memberURL(p.OwnMember()))
	add(p.CanAny(party.ActAccountRead), "账户管理", "/admin/users")
	add(p.CanAny(party.ActPolicyAdmin), "安全策略", "/admin/policy")
	add(p.CanAny(party.ActAuditRead), "审计记录", "/audit")
	add(true, "我的账户", "/account")
	return m
}

// crumb is one step of a breadcrumb.
type crumb struct {
	Label string
	URL   string
}

// render writes template block of page name with data and the given status. Rendering goes to
// a buffer first, so a template error becomes a clean 500 page and not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, block string, data any) {
	t, ok := s.views.pages[name]
	if !ok {
		s.serverError(w, r, errors.New("web: no page template "+name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "HX-Request")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage shows a Chinese message page; it needs no database, so it works when that is down.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	// The way back is the user's own start page (the tree is not everyone's: a 党员 or one of
	// the 三员 cannot open it); the sign-in page for a visitor.
	home, homeLabel := "/signin", "返回登录页"
	if p := party.PrincipalFrom(r.Context()); p != nil {
		home, homeLabel = homeOf(p), "返回首页"
	}
	data := struct {
		page
		Status          int
		Message         string
		Home, HomeLabel string
	}{s.frame(r.Context(), title), status, message, home, homeLabel}
	var buf bytes.Buffer
	if err := s.views.pages["error"].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("web: render error page", "err", err)
		buf.Reset()
		buf.WriteString("<!doctype html><title>错误</title><p>" + template.HTMLEscapeString(message))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// notFound answers 404 with a Chinese page.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "页面不存在", "您要找的页面或记录不存在，或者您没有查看的权限。请从首页重新进入。")
}

// serverError logs err with the request and shows users only a generic message.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web: internal error", "method", r.Method, "path", logPath(r), "err", err)
	s.errorPage(w, r, http.StatusInternalServerError, "系统错误", party.ErrorMessage(err))
}

// fail answers a failed operation that has no form to show the error in.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch party.ErrorCode(err) {
	case party.ENOTFOUND:
		s.errorPage(w, r, http.StatusNotFound, "记录不存在", party.ErrorMessage(err))
	case party.EINVALID, party.ECONFLICT, party.EFORBIDDEN, party.EUNAUTHORIZED:
		s.errorPage(w, r, statusFor(err), "无法完成操作", party.ErrorMessage(err))
	default:
		s.serverError(w, r, err)
	}
}

// statusFor maps a domain error to its HTTP status.
func statusFor(err error) int {
	switch party.ErrorCode(err) {
	case party.EINVALID:
		return http.StatusUnprocessableEntity
	case party.ENOTFOUND:
		return http.StatusNotFound
	case party.ECONFLICT:
		return http.StatusConflict
	case party.EFORBIDDEN:
		return http.StatusForbidden
	case party.EUNAUTHORIZED:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// redirect sends the browser on after a successful POST (303, so a reload does not resubmit).
func redirect(w http.ResponseWriter, r *http.Request, url string) {
	http.Redirect(w, r, url, http.StatusSeeOther)
}
