// Package audit is the 审计管理员's side of the audit trail: verifying its hash chain, and
// reading and exporting it for people. The store appends the rows, inside each write's
// transaction, and keeps the chain's format in one place with its check.
package audit

import (
	"context"
	"fmt"

	"dangjian/internal/store"
)

// Report is the outcome of a verification, with its summary for people.
type Report struct {
	*store.AuditCheck
	// Message is the Chinese summary: the count when the chain verifies, else the first fault.
	Message string
}

// OK reports whether the chain verified.
func (r *Report) OK() bool { return r.Fault == nil }

// Verify walks the whole audit chain of db in id order, in batches of bounded size, and
// reports the first row that was altered, removed or inserted; given the newest row an
// earlier check found (nil: none), rows removed from the end since then too.
func Verify(ctx context.Context, db *store.DB, expect *store.AuditAnchor) (*Report, error) {
	c, err := db.VerifyAudit(ctx, expect)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	r := &Report{AuditCheck: c}
	if c.Fault != nil {
		r.Message = fmt.Sprintf("审计记录校验未通过：%s。此前%d条记录校验通过。", c.Fault.Message, c.Rows)
		return r, nil
	}
	r.Message = fmt.Sprintf("审计记录完整：共%d条，哈希链校验通过。", c.Rows)
	if c.Legacy > 0 {
		r.Message += fmt.Sprintf("另有%d条为建立哈希链之前写入的记录，不在校验范围内。", c.Legacy)
	}
	return r, nil
}
