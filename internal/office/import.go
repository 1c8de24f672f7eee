package office

import (
	"context"
	"fmt"
	"io"
	"strings"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// ImportMembers reads a roster workbook and imports it into the subtree of root, all or
// nothing. When the file has bad cells, the readable rows are still checked against the tree
// in a dry run, so that one answer lists every problem (bad cells, unknown branches, ...);
// nothing is written while any problem remains.
func ImportMembers(ctx context.Context, db *store.DB, root int64, r io.Reader, dryRun bool) (*party.ImportResult, error) {
	p, err := parseMembers(r, party.Today(db.Now()))
	if err != nil {
		return nil, err
	}
	res, err := db.ImportMembers(ctx, root, p.rows, dryRun || len(p.errs) > 0)
	if err != nil {
		return nil, fmt.Errorf("office: import members: %w", err)
	}
	return merge(res, dryRun, party.MemberHeaders, p.errs), nil
}

// ImportOrgs reads an organization workbook and creates its organizations under parent (0:
// top level) for rows that name no parent, all or nothing, listing every problem as
// ImportMembers does.
func ImportOrgs(ctx context.Context, db *store.DB, parent int64, r io.Reader, dryRun bool) (*party.ImportResult, error) {
	p, err := parseOrgs(r)
	if err != nil {
		return nil, err
	}
	res, err := db.ImportOrgs(ctx, parent, p.rows, dryRun || len(p.errs) > 0)
	if err != nil {
		return nil, fmt.Errorf("office: import orgs: %w", err)
	}
	explainMissingParents(res.Errors, p)
	return merge(res, dryRun, party.OrgHeaders, p.errs), nil
}

// merge adds the file's own errors to the store's result, one message per cell (the file's
// own wins); with any error the counts are zero, since nothing was written.
func merge(res *party.ImportResult, dryRun bool, headers []string, fileErrs []party.RowError) *party.ImportResult {
	res.DryRun = dryRun
	if len(fileErrs) == 0 {
		return res
	}
	type cell struct {
		row    int
		column string
	}
	reported := make(map[cell]bool, len(fileErrs))
	for _, e := range fileErrs {
		reported[cell{e.Row, e.Column}] = true
	}
	all := make([]party.RowError, 0, len(fileErrs)+len(res.Errors))
	all = append(all, fileErrs...)
	for _, e := range res.Errors {
		if !reported[cell{e.Row, e.Column}] {
			all = append(all, e)
		}
	}
	res.Errors = sortErrors(headers, all)
	res.Created, res.Updated, res.Unchanged = 0, 0, 0
	return res
}

// explainMissingParents rewrites the store's "parent not found" errors for rows whose parent
// is an earlier row of the file that has errors itself: the parent was not created because
// of that row, which is what the user must fix.
func explainMissingParents(storeErrs []party.RowError, p *parsedOrgs) {
	parents := make(map[int]string, len(p.rows))
	for _, row := range p.rows {
		parents[row.Row] = strings.TrimSpace(row.Parent)
	}
	failed := map[int]bool{}
	for _, e := range p.errs {
		failed[e.Row] = true
	}
	for _, e := range storeErrs {
		failed[e.Row] = true
	}
	for i := range storeErrs {
		e := &storeErrs[i]
		if e.Column != "上级组织" || !strings.HasPrefix(e.Message, "找不到") {
			continue
		}
		ref := parents[e.Row]
		at, ok := p.refs[ref]
		if !ok {
			at, ok = p.refs[party.NormalizeCode(ref)]
		}
		if ok && at < e.Row && failed[at] {
			e.Message = fmt.Sprintf("上级组织“%s”是本表第%d行，该行有错误未能建立，请先改正第%d行", ref, at, at)
		}
	}
}
