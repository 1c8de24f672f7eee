package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

const userHelp = `Usage:
  dangjian user add --username U --role ROLE [--org CODE] [--member ID] [--name NAME] --password-stdin
  dangjian user list
  dangjian user grant --username U --role ROLE [--org CODE] [--member ID]
  dangjian user revoke --username U --role ROLE [--org CODE]
  dangjian user disable --username U
  dangjian user enable --username U
  dangjian user unlock --username U
  dangjian user password --username U --password-stdin
  dangjian user reset-2fa --username U

ROLE is one of 党建管理员 支部书记 组织委员 党员 纪检 领导 系统管理员 安全管理员 审计管理员, or
party-admin secretary organizer member discipline leader sysadmin secadmin auditadmin.
--org CODE scopes the role to that organization and everything under it (without it, a
subtree role covers the whole installation); 党员 is linked to the member record --member ID.
A password set here must be changed at the account's first sign-in.`

// roleAliases are the ASCII names of the roles for scripts.
func roleAliases() map[string]party.Role {
	return map[string]party.Role{"party-admin": party.RolePartyAdmin, "secretary": party.RoleSecretary,
		"organizer": party.RoleOrganizer, "member": party.RoleMember, "discipline": party.RoleDiscipline,
		"leader": party.RoleLeader, "sysadmin": party.RoleSysAdmin, "secadmin": party.RoleSecAdmin,
		"auditadmin": party.RoleAuditAdmin}
}

// parseRole reads a role by its Chinese or ASCII name.
func parseRole(s string) (party.Role, error) {
	if r := party.Role(strings.TrimSpace(s)); r.Valid() {
		return r, nil
	}
	if r, ok := roleAliases()[strings.ToLower(strings.TrimSpace(s))]; ok {
		return r, nil
	}
	return "", userErrorf("角色“%s”无效；可用的角色见 dangjian user --help", s)
}

func (e *env) user(ctx context.Context, args []string) error {
	verbs := []string{"add", "list", "grant", "revoke", "disable", "enable", "unlock", "password", "reset-2fa"}
	if len(args) == 0 || !slices.Contains(verbs, args[0]) {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, userHelp)
			return nil
		}
		fmt.Fprintln(e.stderr, userHelp)
		return errUsage
	}
	verb := args[0]
	fs := e.newFlagSet("user "+verb, "user "+verb+" [flags] (see dangjian user --help)")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	username := fs.String("username", "", "the account's username")
	roleName := fs.String("role", "", "the role (add, grant, revoke)")
	orgCode := fs.String("org", "", "code of the organization the role is scoped to")
	member := fs.Int64("member", 0, "id of the member record a 党员 account is linked to")
	name := fs.String("name", "", "the holder's name (add)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if _, err := parse(fs, args[1:]); err != nil {
		return helpOK(err)
	}
	if verb != "list" && *username == "" {
		fs.Usage()
		return userErrorf("请用 --username 指定账户")
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = party.WithActor(ctx, party.Actor{Username: cliUser(e), Source: "cli"})
	a := auth.New(db, auth.Options{})

	grant := func() (party.Grant, error) {
		role, err := parseRole(*roleName)
		if err != nil {
			return party.Grant{}, err
		}
		g := party.Grant{Role: role, MemberID: *member}
		if *orgCode != "" {
			o, err := db.FindOrgByCode(ctx, *orgCode)
			if err != nil {
				return g, err
			}
			g.OrgID = o.ID
		}
		return g, nil
	}
	password := func() (string, error) {
		if !*fromStdin {
			return "", userErrorf("请用 --password-stdin 从标准输入提供密码（密码不写在命令行上，以免留在历史记录中）")
		}
		return readPassword(e.stdin)
	}

	switch verb {
	case "list":
		return e.listUsers(ctx, db)
	case "add":
		g, err := grant()
		if err != nil {
			return err
		}
		pw, err := password()
		if err != nil {
			return err
		}
		u, err := a.CreateUser(ctx, auth.NewUser{Username: *username, DisplayName: *name, Password: pw, MustChange: true,
			Grants: []party.Grant{g}})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已创建账户 %s：%s。首次登录时须修改密码。\n", u.Username, grantText(u.Grants[0]))
		return nil
	}
	u, err := db.FindUserByName(ctx, *username)
	if err != nil {
		return err
	}
	switch verb {
	case "grant":
		g, err := grant()
		if err != nil {
			return err
		}
		g.UserID = u.ID
		if err := db.AddGrant(ctx, &g); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已授予 %s：%s。\n", u.Username, grantText(g))
	case "revoke":
		g, err := grant()
		if err != nil {
			return err
		}
		found := false
		for _, x := range u.Grants {
			if x.Role == g.Role && x.OrgID == g.OrgID && (g.MemberID == 0 || x.MemberID == g.MemberID) {
				if err := db.RevokeGrant(ctx, u.ID, x.ID); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "已撤销 %s 的授权：%s。\n", u.Username, grantText(x))
				found = true
			}
		}
		if !found {
			return userErrorf("%s 没有这一授权", u.Username)
		}
	case "disable", "enable":
		if err := db.SetDisabled(ctx, u.ID, verb == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "账户 %s 已%s。\n", u.Username, map[string]string{"disable": "停用，其登录已全部结束", "enable": "启用"}[verb])
	case "unlock":
		if err := db.Unlock(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "账户 %s 已解除锁定。\n", u.Username)
	case "reset-2fa":
		if err := a.ResetSecondFactor(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "账户 %s 的双因素认证已重置，下次登录后可重新设置。\n", u.Username)
	case "password":
		pw, err := password()
		if err != nil {
			return err
		}
		if err := a.ResetPassword(ctx, u.ID, pw); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "账户 %s 的密码已重置，其登录已全部结束；下次登录时须修改密码。\n", u.Username)
	}
	return nil
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", userErrorf("标准输入中没有密码")
	}
	return line, nil
}

// grantText describes a grant for the console.
func grantText(g party.Grant) string {
	switch {
	case g.MemberID != 0:
		return string(g.Role) + "（本人党员记录：" + g.MemberName + "）"
	case g.OrgID != 0:
		return string(g.Role) + "（" + g.OrgName + "及下级组织）"
	case g.Role.Scope() == party.ScopeSubtree:
		return string(g.Role) + "（全系统）"
	}
	return string(g.Role)
}

// listUsers prints every account with its roles and state.
func (e *env) listUsers(ctx context.Context, db *store.DB) error {
	users, err := db.ListUsers(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(e.stdout, "还没有任何账户。用 dangjian user add 创建。")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "用户名\t姓名\t状态\t双因素\t上次登录\t角色")
	now := db.Now()
	for _, u := range users {
		state := "正常"
		switch {
		case u.Disabled:
			state = "已停用"
		case u.Locked(now):
			state = "已锁定"
		case u.MustChangePassword:
			state = "须改密码"
		}
		totp := "否"
		if u.TOTPEnabled {
			totp = "是"
		}
		last := "—"
		if !u.LastSignInAt.IsZero() {
			last = u.LastSignInAt.In(party.Zone).Format(time.DateTime)
		}
		var roles []string
		for _, g := range u.Grants {
			roles = append(roles, grantText(g))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, state, totp, last, strings.Join(roles, "；"))
	}
	return tw.Flush()
}
