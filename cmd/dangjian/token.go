package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/party"
)

const tokenHelp = `Usage:
  dangjian token create --username U [--expires 90d] [--name NAME]
  dangjian token list --username U
  dangjian token revoke --id N

A token carries its account's own permissions, for the JSON API (Authorization: Bearer TOKEN).
It is printed once; only a hash of it is stored. --expires takes days (90d), hours (12h) or
"never".`

func (e *env) token(ctx context.Context, args []string) error {
	if len(args) == 0 || !slices.Contains([]string{"create", "list", "revoke"}, args[0]) {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, tokenHelp)
			return nil
		}
		fmt.Fprintln(e.stderr, tokenHelp)
		return errUsage
	}
	verb := args[0]
	fs := e.newFlagSet("token "+verb, "token "+verb+" [flags] (see dangjian token --help)")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	username := fs.String("username", "", "the account the token acts for")
	expires := fs.String("expires", "90d", `lifetime: days ("90d"), hours ("12h") or "never"`)
	name := fs.String("name", "命令行创建", "what the token is for")
	id := fs.Int64("id", 0, "the token to revoke")
	if _, err := parse(fs, args[1:]); err != nil {
		return helpOK(err)
	}
	if verb != "revoke" && *username == "" {
		fs.Usage()
		return userErrorf("请用 --username 指定账户")
	}
	if verb == "revoke" && *id <= 0 {
		fs.Usage()
		return userErrorf("请用 --id 指定要吊销的令牌（编号见 dangjian token list）")
	}
	life, err := parseLifetime(*expires)
	if err != nil {
		return err
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = party.WithActor(ctx, party.Actor{Username: cliUser(e), Source: "cli"})
	if verb == "revoke" {
		if err := db.RevokeToken(ctx, *id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "令牌 %d 已吊销。\n", *id)
		return nil
	}
	u, err := db.FindUserByName(ctx, *username)
	if err != nil {
		return err
	}
	if verb == "list" {
		list, err := db.Tokens(ctx, u.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "编号\t名称\t前缀\t创建时间\t有效期至\t状态")
		now := db.Now()
		for _, t := range list {
			until, state := "长期", "有效"
			if !t.ExpiresAt.IsZero() {
				until = t.ExpiresAt.In(party.Zone).Format(time.DateTime)
			}
			switch {
			case !t.RevokedAt.IsZero():
				state = "已吊销"
			case !t.Active(now):
				state = "已过期"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, t.CreatedAt.In(party.Zone).Format(time.DateTime), until, state)
		}
		return tw.Flush()
	}
	var until time.Time
	if life > 0 {
		until = db.Now().Add(life)
	}
	token, t, err := auth.New(db, auth.Options{}).CreateToken(ctx, u.ID, *name, until)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "已为 %s 创建访问令牌（编号 %d）。令牌只显示这一次，请妥善保存：\n", u.Username, t.ID)
	fmt.Fprintln(e.stdout, token)
	return nil
}

// parseLifetime reads "90d", "12h" or "never" (0).
func parseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "never" || s == "0" {
		return 0, nil
	}
	bad := userErrorf("--expires 应为天数（如 90d）、小时数（如 12h）或 never")
	n, err := strconv.Atoi(strings.TrimRight(s, "dh"))
	if err != nil || n <= 0 || n > 3650*24 || len(s) < 2 {
		return 0, bad
	}
	switch s[len(s)-1] {
	case 'd':
		return time.Duration(n) * 24 * time.Hour, nil
	case 'h':
		return time.Duration(n) * time.Hour, nil
	}
	return 0, bad
}
