package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

func (e *env) importCmd(ctx context.Context, args []string) error {
	const help = "Usage:\n  dangjian import members --org CODE FILE.xlsx [--dry-run]\n  dangjian import orgs FILE.xlsx [--parent CODE] [--dry-run]\n" +
		"  dangjian import events --org CODE FILE.xlsx [--dry-run]"
	if len(args) == 0 || (args[0] != "members" && args[0] != "orgs" && args[0] != "events") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, help)
			return nil
		}
		fmt.Fprintln(e.stderr, help)
		return errUsage
	}
	what := args[0]
	synopsis := "import members --org CODE FILE.xlsx [--dry-run] [--data DIR] [--db URL]"
	switch what {
	case "orgs":
		synopsis = "import orgs FILE.xlsx [--parent CODE] [--dry-run] [--data DIR] [--db URL]"
	case "events":
		synopsis = "import events --org CODE FILE.xlsx [--dry-run] [--data DIR] [--db URL]"
	}
	fs := e.newFlagSet("import "+what, synopsis)
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	orgCode := fs.String("org", "", "code of the organization to import into (its subtree holds the organizations named in the file)")
	parent := fs.String("parent", "", "code of the organization that rows without 上级组织 go under (orgs only)")
	dryRun := fs.Bool("dry-run", false, "check the file and report what would change, without writing")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return helpOK(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return userErrorf("请指定一个 .xlsx 文件")
	}
	if what != "orgs" && *orgCode == "" {
		fs.Usage()
		return userErrorf("请用 --org 指定导入到哪个组织（组织编码）")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return userErrorf("无法打开文件 %s", filepath.Base(pos[0]))
	}
	defer f.Close()
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = party.WithActor(ctx, party.Actor{Username: cliUser(e), Source: "cli"})

	var res *party.ImportResult
	if what != "orgs" {
		root, err := db.FindOrgByCode(ctx, *orgCode)
		if err != nil {
			return err
		}
		if what == "events" {
			res, err = office.ImportEvents(ctx, db, root.ID, f, *dryRun)
		} else {
			res, err = office.ImportMembers(ctx, db, root.ID, f, *dryRun)
		}
		if err != nil {
			return err
		}
	} else {
		var parentID int64
		if *parent != "" {
			p, err := db.FindOrgByCode(ctx, *parent)
			if err != nil {
				return err
			}
			parentID = p.ID
		}
		res, err = office.ImportOrgs(ctx, db, parentID, f, *dryRun)
		if err != nil {
			return err
		}
	}
	return printImport(e.stdout, res)
}

// printImport prints an import result for people; bad rows make the command fail.
func printImport(w io.Writer, res *party.ImportResult) error {
	if len(res.Errors) > 0 {
		fmt.Fprintf(w, "文件有%d处错误，未导入任何数据：\n", len(res.Errors))
		for _, e := range res.Errors {
			fmt.Fprintln(w, "  "+e.String())
		}
		return userErrorf("请改正以上错误后重新导入")
	}
	verb := "已导入"
	if res.DryRun {
		verb = "检查通过（试运行，未写入）"
	}
	fmt.Fprintf(w, "%s：新增%d条，更新%d条，无变化%d条。\n", verb, res.Created, res.Updated, res.Unchanged)
	return nil
}

// cliUser names the operating-system user for the audit trail of command-line writes.
func cliUser(e *env) string {
	for _, k := range []string{"SUDO_USER", "USER", "LOGNAME"} {
		if u := e.getenv(k); u != "" {
			return "cli:" + u
		}
	}
	return "cli"
}

func (e *env) exportCmd(ctx context.Context, args []string) error {
	const help = "Usage:\n  dangjian export members --org CODE -o FILE.xlsx [--unmasked --as USERNAME]\n  dangjian export template --org CODE -o FILE.xlsx\n  dangjian export orgs [--org CODE] -o FILE.xlsx"
	if len(args) == 0 || (args[0] != "members" && args[0] != "template" && args[0] != "orgs") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, help)
			return nil
		}
		fmt.Fprintln(e.stderr, help)
		return errUsage
	}
	what := args[0]
	fs := e.newFlagSet("export "+what, "export "+what+" --org CODE -o FILE.xlsx [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	orgCode := fs.String("org", "", "code of the organization whose subtree is exported")
	out := fs.String("o", "", "output .xlsx file")
	unmasked := fs.Bool("unmasked", false, "members: full ID and phone numbers, for an account allowed to see them (--as)")
	as := fs.String("as", "", "the account answerable for an --unmasked export; it needs the unmask and export rights on --org")
	if _, err := parse(fs, args[1:]); err != nil {
		return helpOK(err)
	}
	if *unmasked && (what != "members" || *as == "") {
		fs.Usage()
		return userErrorf("--unmasked 只用于导出党员名册，并须用 --as 指定有权查看完整号码的账户")
	}
	if *out == "" {
		fs.Usage()
		return userErrorf("请用 -o 指定输出文件")
	}
	if !strings.HasSuffix(strings.ToLower(*out), ".xlsx") {
		return userErrorf("输出文件应以 .xlsx 结尾")
	}
	if *orgCode == "" && what != "orgs" {
		fs.Usage()
		return userErrorf("请用 --org 指定组织编码")
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = party.WithActor(ctx, party.Actor{Username: cliUser(e), Source: "cli"})
	var root *party.Org
	if *orgCode != "" {
		if root, err = db.FindOrgByCode(ctx, *orgCode); err != nil {
			return err
		}
	}
	if *unmasked {
		if ctx, err = e.unmaskingAccount(ctx, db, *as, root); err != nil {
			return err
		}
	}
	tmp := *out + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return userErrorf("无法写入 %s", filepath.Base(*out))
	}
	n, werr := e.writeExport(ctx, db, what, root, *unmasked, f)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	if err := os.Rename(tmp, *out); err != nil {
		os.Remove(tmp)
		return userErrorf("无法写入 %s", filepath.Base(*out))
	}
	fmt.Fprintf(e.stdout, "已导出%d条到 %s\n", n, *out)
	return nil
}

// unmaskingAccount checks that the account username may see full numbers and export the
// members of root, and returns ctx acting as that account, which the audit trail names.
func (e *env) unmaskingAccount(ctx context.Context, db *store.DB, username string, root *party.Org) (context.Context, error) {
	u, err := db.FindUserByName(ctx, username)
	if err != nil {
		return ctx, err
	}
	p := &party.Principal{UserID: u.ID, Username: u.Username, Grants: u.Grants}
	t := party.Target{OrgPath: root.Path}
	if u.Disabled || !p.Can(party.ActMemberUnmask, t) || !p.Can(party.ActMemberExport, t) {
		return ctx, userErrorf("账户 %s 无权导出“%s”党员的完整身份证号和手机号码", u.Username, root.Name)
	}
	return party.WithActor(ctx, party.Actor{UserID: u.ID, Username: u.Username, Source: "cli " + cliUser(e)}), nil
}

// writeExport writes one kind of export for the subtree of root (nil: everything) and records
// it in the audit trail; unmasked members (full numbers) are recorded as an unmask too. It
// returns the number of records written.
func (e *env) writeExport(ctx context.Context, db *store.DB, what string, root *party.Org, unmasked bool, w io.Writer) (int, error) {
	var rootID int64
	if root != nil {
		rootID = root.ID
	}
	switch what {
	case "members":
		var all []*party.Member
		for offset := 0; ; offset += 500 {
			page, _, err := db.ListMembers(ctx, store.MemberFilter{Root: rootID, Limit: 500, Offset: offset})
			if err != nil {
				return 0, err
			}
			all = append(all, page...)
			if len(page) < 500 {
				break
			}
		}
		if err := office.WriteMembers(w, all, unmasked); err != nil {
			return 0, err
		}
		if unmasked {
			if err := db.RecordUnmask(ctx, 0, rootID, []string{"id_number", "phone"}, "export "+strconv.Itoa(len(all))+" rows"); err != nil {
				return 0, err
			}
		}
		return len(all), db.RecordExport(ctx, store.ObjMember, rootID, map[string]any{"rows": len(all), "masked": !unmasked})
	case "template":
		branches, err := db.ListOrgs(ctx, store.OrgFilter{Root: rootID, Kinds: []party.OrgKind{party.KindBranch}})
		if err != nil {
			return 0, err
		}
		groups, err := db.ListOrgs(ctx, store.OrgFilter{Root: rootID, Kinds: []party.OrgKind{party.KindGroup}})
		if err != nil {
			return 0, err
		}
		return 0, office.WriteTemplate(w, branches, groups)
	default:
		orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: rootID})
		if err != nil {
			return 0, err
		}
		names := map[int64]string{}
		for _, o := range orgs {
			names[o.ID] = o.Code
		}
		if err := office.WriteOrgs(w, orgs, names); err != nil {
			return 0, err
		}
		return len(orgs), db.RecordExport(ctx, store.ObjOrg, rootID, map[string]any{"rows": len(orgs)})
	}
}
