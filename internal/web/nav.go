package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"dangjian/internal/party"
)

// pathID reads a record id from the path; anything but a positive decimal integer without
// sign or leading zeros is not an id, and the caller answers 404.
func pathID(r *http.Request, name string) (int64, bool) { return parseID(r.PathValue(name)) }

// parseID reads a record id: a positive decimal integer without sign or leading zeros.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 18 || s[0] == '0' {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// navNode is one organization in the left navigation; the branch leading to the current
// organization is open.
type navNode struct {
	Org      *party.Org
	Current  bool
	Children []*navNode
}

// nav builds the left navigation: the top organizations the user may read, and below each
// organization on the path to current (current included) its active sub-organizations.
func (s *Server) nav(ctx context.Context, current *party.Org) ([]*navNode, error) {
	roots, err := s.readableRoots(ctx)
	if err != nil {
		return nil, err
	}
	open := map[int64]bool{}
	if current != nil {
		for _, part := range strings.Split(strings.Trim(current.Path, "/"), "/") {
			if id, err := strconv.ParseInt(part, 10, 64); err == nil {
				open[id] = true
			}
		}
	}
	var build func(orgs []*party.Org) ([]*navNode, error)
	build = func(orgs []*party.Org) ([]*navNode, error) {
		out := make([]*navNode, 0, len(orgs))
		for _, o := range orgs {
			n := &navNode{Org: o, Current: current != nil && o.ID == current.ID}
			if open[o.ID] {
				kids, err := s.db.Children(ctx, o.ID, false)
				if err != nil {
					return nil, err
				}
				if n.Children, err = build(kids); err != nil {
					return nil, err
				}
			}
			out = append(out, n)
		}
		return out, nil
	}
	return build(roots)
}

// orgPageBase returns the frame of a page about organization o: title, navigation and a
// breadcrumb ending in extra steps.
func (s *Server) orgPageBase(ctx context.Context, o *party.Org, title string, extra ...crumb) (page, error) {
	p := s.frame(ctx, title)
	var err error
	if p.Nav, err = s.nav(ctx, o); err != nil {
		return p, err
	}
	p.Crumbs = []crumb{{Label: "组织树", URL: "/orgs"}}
	if !party.PrincipalFrom(ctx).CanAny(party.ActOrgRead) {
		p.Crumbs = nil
	}
	if o != nil {
		anc, err := s.db.Ancestors(ctx, o)
		if err != nil {
			return p, err
		}
		for _, a := range anc {
			c := crumb{Label: a.Name}
			if can(ctx, party.ActOrgRead, party.Target{OrgPath: a.Path}) {
				c.URL = orgURL(a.ID)
			}
			p.Crumbs = append(p.Crumbs, c)
		}
		c := crumb{Label: o.Name}
		if can(ctx, party.ActOrgRead, party.Target{OrgPath: o.Path}) {
			c.URL = orgURL(o.ID)
		}
		p.Crumbs = append(p.Crumbs, c)
	}
	p.Crumbs = append(p.Crumbs, extra...)
	// The last step is the page itself.
	if len(p.Crumbs) > 0 {
		p.Crumbs[len(p.Crumbs)-1].URL = ""
	}
	return p, nil
}

// readableRoots returns the top organizations of the subtrees the user may read: every
// top-level organization for a grant on the whole installation, else the granted ones.
func (s *Server) readableRoots(ctx context.Context) ([]*party.Org, error) {
	everywhere, ids := party.PrincipalFrom(ctx).Scopes(party.ActOrgRead)
	if everywhere {
		return s.db.RootOrgs(ctx, false)
	}
	var out []*party.Org
	for _, id := range ids {
		o, err := s.db.FindOrg(ctx, id)
		if err != nil {
			return nil, err
		}
		if !o.Dissolved() {
			out = append(out, o)
		}
	}
	return out, nil
}

func orgURL(id int64) string    { return "/orgs/" + strconv.FormatInt(id, 10) }
func memberURL(id int64) string { return "/members/" + strconv.FormatInt(id, 10) }

// flashMessage turns the done= key of a redirect into its confirmation; unknown keys show
// nothing, so the query string cannot put text on the page.
func flashMessage(key string) string {
	switch key {
	case "created":
		return "已创建。"
	case "saved":
		return "已保存。"
	case "moved":
		return "隶属关系已调整。"
	case "dissolved":
		return "组织已撤销，历史记录仍可查阅。"
	case "member-created":
		return "党员已添加。"
	case "transferred":
		return "已办理组织关系转出。"
	case "member-moved":
		return "已办理系统内组织关系转接。"
	case "position-added":
		return "任职已登记。"
	case "position-ended":
		return "离任已登记。"
	case "attached":
		return "已编入临时党支部。"
	case "attachment-ended":
		return "已结束编入。"
	case "signed-out":
		return "已退出登录。"
	case "setup":
		return "账户已创建，请登录。"
	case "password":
		return "密码已修改，其他设备上的登录已结束。"
	case "2fa-on":
		return "双因素认证已启用。"
	case "2fa-off":
		return "双因素认证已停用。"
	case "sessions-ended":
		return "登录已结束。"
	case "token-revoked":
		return "访问令牌已吊销。"
	case "disabled":
		return "账户已停用，其登录已全部结束。"
	case "enabled":
		return "账户已启用。"
	case "unlocked":
		return "账户已解除锁定。"
	case "password-reset":
		return "密码已重置，账户持有人下次登录时须修改。"
	case "2fa-reset":
		return "双因素认证已重置。"
	case "granted":
		return "角色已授予。"
	case "revoked":
		return "授权已撤销。"
	}
	return ""
}
