package store

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"dangjian/internal/party"
)

// Change is one changed field in an audit row; sensitive values arrive already masked.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// fields is a record flattened to display strings, for diffs.
type fields map[string]string

// diff lists the fields whose values differ between old and new, in field order.
func diff(old, new fields) []Change {
	keys := make([]string, 0, len(new))
	seen := map[string]bool{}
	for k := range new {
		keys = append(keys, k)
		seen[k] = true
	}
	for k := range old {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []Change
	for _, k := range keys {
		if old[k] != new[k] {
			out = append(out, Change{Field: k, Old: old[k], New: new[k]})
		}
	}
	return out
}

// Audit actions.
const (
	ActCreate     = "create"
	ActUpdate     = "update"
	ActMove       = "move"
	ActDissolve   = "dissolve"
	ActTransfer   = "transfer"
	ActImport     = "import"
	ActExport     = "export"
	ActUnmask     = "unmask"
	ActDelete     = "delete"
	ActPurge      = "purge"
	ObjOrg        = "org"
	ObjMember     = "member"
	ObjPosition   = "position"
	ObjAttachment = "temp_attachment"
	ObjAudit      = "audit_log"
	// ObjCompliance is the object of an export of the compliance matrix (required against held).
	ObjCompliance = "compliance"
)

// AuditRetentionDays is how long audit rows must be kept before they may be purged: 等保 2.0
// asks for at least six months.
const AuditRetentionDays = 184

// genesisHash is the prev_hash of the first row of the chain.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// metaGenesis is the meta key holding "ID:HASH", the row the chain starts after: the newest
// row written before the chain existed (with genesisHash), or the last purged row. Absent, the
// chain starts at the beginning from genesisHash.
const metaGenesis = "audit_genesis"

// AuditEntry is one row of the audit trail.
type AuditEntry struct {
	ID         int64
	At         time.Time
	UserID     int64
	Username   string
	Source     string
	Action     string
	ObjectType string
	ObjectID   int64
	OrgID      int64
	OK         bool
	Detail     string
}

// auditRecord is an audit row exactly as stored: the chain hashes the stored text and the
// NULLs, not their parsed forms, so reading a row back reproduces its hash bit for bit.
type auditRecord struct {
	ID                         int64
	At                         string
	UserID, ObjectID, OrgID    sql.NullInt64
	Username, Source           string
	Action, ObjectType, Detail string
	OK                         bool
	PrevHash, Hash             string
}

// auditRecordColumns are the columns scanRecord reads, in its order.
const auditRecordColumns = `id, at, user_id, username, source, action, object_type, object_id, org_id,
	ok, detail, prev_hash, hash`

func scanRecord(s scanner) (auditRecord, error) {
	var r auditRecord
	err := s.Scan(&r.ID, &r.At, &r.UserID, &r.Username, &r.Source, &r.Action, &r.ObjectType, &r.ObjectID,
		&r.OrgID, &r.OK, &r.Detail, &r.PrevHash, &r.Hash)
	return r, err
}

// sum returns the row's chain hash: HMAC-SM3 under key of a canonical encoding of prev_hash
// and every other column. Each field is length-prefixed or fixed-width and NULL is tagged
// apart from 0, so no two different rows encode alike.
func (r *auditRecord) sum(key []byte) string {
	m := hmac.New(sm3.New, key)
	e := chainEncoder{h: m}
	e.str("dangjian audit chain v1")
	e.str(r.PrevHash)
	e.int(r.ID)
	e.str(r.At)
	e.null(r.UserID)
	e.str(r.Username)
	e.str(r.Source)
	e.str(r.Action)
	e.str(r.ObjectType)
	e.null(r.ObjectID)
	e.null(r.OrgID)
	if r.OK {
		m.Write([]byte{1})
	} else {
		m.Write([]byte{0})
	}
	e.str(r.Detail)
	return hex.EncodeToString(m.Sum(nil))
}

// chainEncoder writes the canonical encoding of a row's fields into a hash.
type chainEncoder struct {
	h   hash.Hash
	buf [9]byte
}

func (e *chainEncoder) int(v int64) {
	binary.BigEndian.PutUint64(e.buf[:8], uint64(v))
	e.h.Write(e.buf[:8])
}

func (e *chainEncoder) str(s string) {
	e.int(int64(len(s)))
	e.h.Write([]byte(s))
}

func (e *chainEncoder) null(v sql.NullInt64) {
	if !v.Valid {
		e.h.Write([]byte{0})
		return
	}
	e.buf[0] = 1
	binary.BigEndian.PutUint64(e.buf[1:], uint64(v.Int64))
	e.h.Write(e.buf[:9])
}

// nullable maps 0 to NULL, as nullID does for the insert.
func nullable(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// audit appends one row to the audit trail inside tx, so the write and its record stand or
// fall together.
func (tx *Tx) audit(ctx context.Context, action, objectType string, objectID, orgID int64, detail any) error {
	return tx.auditOutcome(ctx, true, action, objectType, objectID, orgID, detail)
}

// auditOutcome appends one row recording a success or a failure (ok false: a refused sign-in,
// say, written in a transaction of its own). The detail is stored as JSON with long digit runs
// masked (maskDigitRuns).
func (tx *Tx) auditOutcome(ctx context.Context, ok bool, action, objectType string, objectID, orgID int64, detail any) error {
	var text string
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("store: audit detail: %w", err)
		}
		text = maskDigitRuns(string(b))
	}
	return tx.appendAudit(ctx, ok, action, objectType, objectID, orgID, text)
}

// appendAudit appends one row with the given outcome and detail text to the hash chain
// inside tx.
//
// The id and the predecessor's hash come from audit_head, not from the table's own sequence,
// and the head moves to the new row in the same transaction as the insert, only if it still
// names the predecessor the row was hashed against (tryAppend). Moving the head takes its row
// lock on PostgreSQL (SQLite already holds the one write lock), so a concurrent append waits
// until this transaction ends and then finds the head moved: no two rows chain from the same
// predecessor, and id order is chain order. A rollback undoes the head too, so ids stay
// gapless and a gap means a removed row. The lock is held until commit; writes call audit last
// where they can, so it is held briefly.
//
// The predecessor is first taken from the process's hint of the head (db.audit), which saves
// reading the head in a statement of its own; the hint is never trusted, only checked: when it
// is stale (a transaction that appended rolled back, another process or connection appended),
// the append reads the head under its lock and tries again.
func (tx *Tx) appendAudit(ctx context.Context, ok bool, action, objectType string, objectID, orgID int64, text string) error {
	if tx.db.skipAudit {
		return nil
	}
	r := auditRecord{At: formatTS(tx.now), UserID: nullable(tx.actor.UserID), Username: tx.actor.Username,
		Source: tx.actor.Source, Action: action, ObjectType: objectType, ObjectID: nullable(objectID),
		OrgID: nullable(orgID), OK: ok, Detail: text}
	a := &tx.db.audit
	if prev, known := a.head(); known {
		done, err := tx.tryAppend(ctx, &r, prev)
		if err != nil || done {
			return err
		}
	}
	var prev chainLink
	if err := tx.QueryRowContext(ctx, auditLockHeadSQL).Scan(&prev.id, &prev.hash); err != nil {
		return fmt.Errorf("store: lock audit head: %w", err)
	}
	done, err := tx.tryAppend(ctx, &r, prev)
	if err == nil && !done {
		err = errors.New("store: append audit row: the locked audit head moved")
	}
	return err
}

// tryAppend appends r after prev if prev is still the head of the chain, moving the head to
// r in the same statement (PostgreSQL) or transaction (SQLite), and reports whether it did.
func (tx *Tx) tryAppend(ctx context.Context, r *auditRecord, prev chainLink) (bool, error) {
	r.ID, r.PrevHash = prev.id+1, prev.hash
	r.Hash = r.sum(tx.db.keys.AuditKey())
	a := &tx.db.audit
	if tx.db.engine == Postgres {
		res, err := tx.ExecContext(ctx, auditAppendPostgresSQL, r.ID, r.At, r.UserID, r.Username, r.Source,
			r.Action, r.ObjectType, r.ObjectID, r.OrgID, r.OK, r.Detail, r.PrevHash, r.Hash, prev.id)
		if n, err := rowsAffected(res, err); err != nil || n == 0 {
			return false, err
		}
	} else {
		res, err := tx.execPrepared(ctx, a.advance, auditAdvanceSQL, r.ID, r.Hash, prev.id, prev.hash)
		if n, err := rowsAffected(res, err); err != nil || n == 0 {
			return false, err
		}
		_, err = tx.execPrepared(ctx, a.insert, auditInsertSQL, r.ID, r.At, r.UserID, r.Username, r.Source,
			r.Action, r.ObjectType, r.ObjectID, r.OrgID, r.OK, r.Detail, r.PrevHash, r.Hash)
		if err != nil {
			return false, fmt.Errorf("store: append audit row: %w", err)
		}
	}
	a.setHead(chainLink{id: r.ID, hash: r.Hash})
	return true, nil
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, fmt.Errorf("store: append audit row: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: append audit row: %w", err)
	}
	return n, nil
}

// execPrepared runs query through s, its statement prepared once on the write connection, or
// prepared afresh when there is none (a database opened without Migrate).
func (tx *Tx) execPrepared(ctx context.Context, s *sql.Stmt, query string, args ...any) (sql.Result, error) {
	if s == nil {
		return tx.ExecContext(ctx, query, args...)
	}
	return tx.StmtContext(ctx, s).ExecContext(ctx, args...)
}

// The statements of an append. The head is moved and the row inserted only when the head is
// still the predecessor the row was hashed against; the lock statement reads the head under
// its row lock (an UPDATE: SQLite has no FOR UPDATE, and the write lock is held already).
const (
	auditLockHeadSQL = `UPDATE audit_head SET last_id = last_id WHERE id = 1 RETURNING last_id, last_hash`
	// SQLite: two statements (it has no data-modifying CTE), prepared once per write connection.
	auditAdvanceSQL = `UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1 AND last_id = $3 AND last_hash = $4`
	auditInsertSQL  = `INSERT INTO audit_log (` + auditRecordColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`
	// PostgreSQL: one statement, one round trip; pgx caches it prepared per connection.
	auditAppendPostgresSQL = `WITH head AS (
			UPDATE audit_head SET last_id = $1, last_hash = $13 WHERE id = 1 AND last_id = $14 AND last_hash = $12
			RETURNING last_id)
		INSERT INTO audit_log (` + auditRecordColumns + `)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM head`
)

// auditAppender is what appends share across transactions: a hint of the chain head as this
// process last moved it, and on SQLite the append statements prepared on the write connection
// (parsing them anew took a third of an append's time).
type auditAppender struct {
	mu    sync.Mutex
	hint  chainLink
	known bool

	// advance and insert are set by Migrate, before any write; nil, each append prepares them.
	advance, insert *sql.Stmt
}

// head returns the hint of the head and whether there is one.
func (a *auditAppender) head() (chainLink, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hint, a.known
}

// setHead records the row an append just wrote, before its transaction commits: if it rolls
// back, the next append finds the hint stale and reads the head.
func (a *auditAppender) setHead(l chainLink) {
	a.mu.Lock()
	a.hint, a.known = l, true
	a.mu.Unlock()
}

// prepare prepares the SQLite append statements on the write pool; PostgreSQL needs none.
func (a *auditAppender) prepare(ctx context.Context, db *DB) error {
	if db.engine != SQLite || a.insert != nil {
		return nil
	}
	adv, err := db.w.PrepareContext(ctx, auditAdvanceSQL)
	if err != nil {
		return fmt.Errorf("store: prepare audit append: %w", err)
	}
	ins, err := db.w.PrepareContext(ctx, auditInsertSQL)
	if err != nil {
		adv.Close()
		return fmt.Errorf("store: prepare audit append: %w", err)
	}
	a.advance, a.insert = adv, ins
	return nil
}

// close closes the prepared statements.
func (a *auditAppender) close() {
	for _, s := range []*sql.Stmt{a.advance, a.insert} {
		if s != nil {
			s.Close()
		}
	}
}

// maskDigitRuns masks every run of 11 or more digits (an ID number, a phone number, a bank
// card typed into a free-text field) to its first 3 and last 4 digits, so the audit trail
// never keeps a copy of them: the diffs mask the known sensitive fields already, and this
// catches the same values written into notes.
func maskDigitRuns(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i == 17 && j < len(s) && (s[j] == 'X' || s[j] == 'x') {
			j++ // an ID number's check character
		}
		if run := s[i:j]; len(run) >= 11 {
			b.WriteString(run[:3] + strings.Repeat("*", len(run)-7) + run[len(run)-4:])
		} else {
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// RecordExport appends an audit row for a file export that changed no record.
func (db *DB) RecordExport(ctx context.Context, objectType string, orgID int64, detail any) error {
	return db.write(ctx, func(tx *Tx) error {
		return tx.audit(ctx, ActExport, objectType, 0, orgID, detail)
	})
}

// Kinds of audit chain faults.
const (
	// FaultAltered: a row's content no longer matches its hash (edited, or a forged row put in
	// place of a removed one).
	FaultAltered = "altered"
	// FaultRemoved: rows are missing from the chain (deleted in the middle or at the end).
	FaultRemoved = "removed"
	// FaultInserted: a row that the chain never held (beyond its head, or before its start).
	FaultInserted = "inserted"
)

// AuditFault is the first place where the stored audit trail departs from its hash chain.
type AuditFault struct {
	Kind string
	// ID is the row altered or inserted, or the first row removed.
	ID int64
	// At is the time of row ID; zero when that row is gone.
	At time.Time
	// Message says what was found, in Chinese, naming the row and its time or neighbours.
	Message string
}

// AuditCheck is the outcome of walking the audit chain.
type AuditCheck struct {
	// Rows is the number of chained rows verified before a fault (all of them without one).
	Rows int
	// Legacy counts rows written before the chain existed, which it does not cover.
	Legacy int
	// LastID and LastHash identify the newest row: noted outside the database, they let a later
	// check notice rows cut off the end together with the head.
	LastID   int64
	LastHash string
	// Fault is the first fault found, nil when the chain verifies.
	Fault *AuditFault
}

// auditBatch is how many rows one query of a chain walk reads, bounding its memory.
const auditBatch = 1000

// VerifyAudit walks the whole audit chain in id order, in batches, inside one read-only
// snapshot, and reports the first row that was altered, removed or inserted.
func (db *DB) VerifyAudit(ctx context.Context) (*AuditCheck, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead // one snapshot across the batches
	}
	tx, err := db.r.BeginTx(ctx, opts) // SQLite in WAL mode reads one snapshot per transaction
	if err != nil {
		return nil, fmt.Errorf("store: begin audit check: %w", err)
	}
	defer tx.Rollback()
	g, err := readGenesis(ctx, tx)
	if err != nil {
		return nil, err
	}
	var head chainLink
	if err := tx.QueryRowContext(ctx, `SELECT last_id, last_hash FROM audit_head WHERE id = 1`).Scan(&head.id, &head.hash); err != nil {
		return nil, fmt.Errorf("store: read audit head: %w", err)
	}
	check := &AuditCheck{}
	if g.hash == genesisHash {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE id <= $1`, g.id).Scan(&check.Legacy); err != nil {
			return nil, fmt.Errorf("store: count audit rows: %w", err)
		}
	} else {
		// Everything up to the genesis was purged; a row there was put in afterwards.
		r, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+auditRecordColumns+` FROM audit_log
			WHERE id <= $1 ORDER BY id LIMIT 1`, g.id))
		if err == nil {
			check.Fault = faultAt(FaultInserted, r, fmt.Sprintf("第%d条审计记录（%s）位于已清理的范围内（第%d条及以前），是事后插入的记录",
				r.ID, showTime(r.At), g.id))
			return check, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: read audit row: %w", err)
		}
	}
	w := chainWalk{key: db.keys.AuditKey(), start: g, prev: g, head: &head, check: check}
	if err := w.run(ctx, tx, 0); err != nil {
		return nil, err
	}
	return check, nil
}

// chainLink is a row of the chain as the next row refers to it.
type chainLink struct {
	id   int64
	hash string
	at   string
}

// readGenesis returns the link the chain starts from.
func readGenesis(ctx context.Context, q querier) (chainLink, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, metaGenesis).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return chainLink{hash: genesisHash}, nil
	}
	if err != nil {
		return chainLink{}, fmt.Errorf("store: read audit genesis: %w", err)
	}
	idText, h, ok := strings.Cut(v, ":")
	id, perr := strconv.ParseInt(idText, 10, 64)
	if !ok || perr != nil || len(h) != len(genesisHash) {
		return chainLink{}, fmt.Errorf("store: damaged audit genesis %q", v)
	}
	return chainLink{id: id, hash: h}, nil
}

// chainWalk checks rows in id order against the chain; it stops at the first fault, which it
// records in check.
type chainWalk struct {
	key []byte
	// start is the genesis the walk began from; prev is the last row verified.
	start, prev chainLink
	head        *chainLink // nil: check a prefix only, not that it reaches the head
	check       *AuditCheck
	// purge is the newest purge row seen: a moved genesis must match it.
	purge *auditRecord
}

// run walks the rows after w.prev up to through (0: all of them, then the head and the
// genesis are checked too).
func (w *chainWalk) run(ctx context.Context, q querier, through int64) error {
	for {
		query := `SELECT ` + auditRecordColumns + ` FROM audit_log WHERE id > $1`
		args := []any{w.prev.id}
		if through > 0 {
			query += ` AND id <= $2`
			args = append(args, through)
		}
		rows, err := q.QueryContext(ctx, query+` ORDER BY id LIMIT `+strconv.Itoa(auditBatch), args...)
		if err != nil {
			return fmt.Errorf("store: read audit chain: %w", err)
		}
		n := 0
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: scan audit row: %w", err)
			}
			n++
			if !w.step(&r) {
				rows.Close()
				return nil
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: read audit chain: %w", err)
		}
		if n < auditBatch {
			break
		}
	}
	if through == 0 {
		w.finish()
	}
	return nil
}

// step checks one row; it returns false at a fault.
func (w *chainWalk) step(r *auditRecord) bool {
	c := w.check
	switch {
	case w.head != nil && r.ID > w.head.id:
		c.Fault = faultAt(FaultInserted, *r, fmt.Sprintf("第%d条审计记录（%s）在哈希链末端（第%d条）之后，是事后插入的记录",
			r.ID, showTime(r.At), w.head.id))
	case r.sum(w.key) != r.Hash:
		c.Fault = faultAt(FaultAltered, *r, fmt.Sprintf("第%d条审计记录（%s）的哈希值校验失败：内容被篡改，或是伪造后插入的记录",
			r.ID, showTime(r.At)))
	case r.PrevHash != w.prev.hash && r.ID > w.prev.id+1:
		c.Fault = &AuditFault{Kind: FaultRemoved, ID: w.prev.id + 1, Message: fmt.Sprintf(
			"第%d条至第%d条审计记录被删除（位于%s与第%d条（%s）之间）", w.prev.id+1, r.ID-1, w.prevName(), r.ID, showTime(r.At))}
	case r.PrevHash != w.prev.hash:
		c.Fault = faultAt(FaultRemoved, *r, fmt.Sprintf("第%d条审计记录（%s）与%s衔接不上：其间的记录被删除或替换",
			r.ID, showTime(r.At), w.prevName()))
	}
	if c.Fault != nil {
		return false
	}
	if r.Action == ActPurge && r.ObjectType == ObjAudit {
		cp := *r
		w.purge = &cp
	}
	c.Rows++
	w.prev = chainLink{id: r.ID, hash: r.Hash, at: r.At}
	c.LastID, c.LastHash = r.ID, r.Hash
	return true
}

// finish checks that the walk ended at the head and that a moved genesis was moved by a purge.
func (w *chainWalk) finish() {
	c := w.check
	switch {
	case w.prev.id < w.head.id:
		c.Fault = &AuditFault{Kind: FaultRemoved, ID: w.prev.id + 1, Message: fmt.Sprintf(
			"第%d条至第%d条审计记录被删除（%s之后的记录缺失）", w.prev.id+1, w.head.id, w.prevName())}
	case w.prev.hash != w.head.hash:
		c.Fault = &AuditFault{Kind: FaultAltered, ID: w.head.id, Message: fmt.Sprintf(
			"哈希链末端（第%d条）记下的哈希值与该条记录不符：链头被改动", w.head.id)}
	case w.start.hash != genesisHash && !w.purgeMatches():
		c.Fault = &AuditFault{Kind: FaultRemoved, ID: w.start.id, Message: fmt.Sprintf(
			"第%d条及以前的审计记录被删除：没有与之对应的清理记录", w.start.id)}
	}
}

// purgeMatches reports whether the newest purge row names the genesis as its last purged row.
func (w *chainWalk) purgeMatches() bool {
	if w.purge == nil {
		return false
	}
	var d map[string]string
	if err := json.Unmarshal([]byte(w.purge.Detail), &d); err != nil {
		return false
	}
	return d["through_id"] == strconv.FormatInt(w.start.id, 10) && d["through_hash"] == w.start.hash
}

// prevName names the row before the current one for messages.
func (w *chainWalk) prevName() string {
	if w.prev.at == "" {
		return "哈希链起点"
	}
	return fmt.Sprintf("第%d条（%s）", w.prev.id, showTime(w.prev.at))
}

func faultAt(kind string, r auditRecord, msg string) *AuditFault {
	f := &AuditFault{Kind: kind, ID: r.ID, Message: msg}
	if err := (ts{&f.At}).Scan(r.At); err != nil {
		f.At = time.Time{} // a malformed time is itself tampering; the message shows the text
	}
	return f
}

// showTime renders a stored timestamp in the display zone for messages.
func showTime(stored string) string {
	t, err := time.Parse(tsLayout, stored)
	if err != nil {
		return stored
	}
	return t.In(party.Zone).Format("2006-01-02 15:04:05")
}

// PurgeAudit deletes the audit rows older than before, and returns how many it deleted. A
// cut-off younger than AuditRetentionDays is refused. The chain stays verifiable: the last
// purged row becomes the new genesis (in meta), and the purge appends its own audit row naming
// it. A chain that does not verify up to the cut is not purged, so no evidence is destroyed.
func (db *DB) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *Tx) error {
		limit := tx.now.AddDate(0, 0, -AuditRetentionDays)
		if before.After(limit) {
			return party.FieldErrorf(party.EINVALID, "before", "审计记录至少保留%d天（网络安全等级保护要求）：只能清理%s以前的记录",
				AuditRetentionDays, party.DateOf(limit.In(party.Zone)).Chinese())
		}
		// Lock the head first: appends and other purges wait, so the cut and the genesis agree.
		var head chainLink
		err := tx.QueryRowContext(ctx, `UPDATE audit_head SET last_id = last_id WHERE id = 1
			RETURNING last_id`).Scan(&head.id)
		if err != nil {
			return fmt.Errorf("store: lock audit head: %w", err)
		}
		g, err := readGenesis(ctx, tx)
		if err != nil {
			return err
		}
		// Cut after the last row of the unbroken run of rows older than before (row times are
		// taken at transaction start, so they are not strictly in id order).
		var firstKept sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM audit_log WHERE at >= $1`, formatTS(before)).Scan(&firstKept); err != nil {
			return fmt.Errorf("store: find audit cut: %w", err)
		}
		through := head.id
		if firstKept.Valid {
			through = firstKept.Int64 - 1
		}
		detail := fields{"before": formatTS(before)}
		if through > g.id {
			check := &AuditCheck{}
			w := chainWalk{key: db.keys.AuditKey(), start: g, prev: g, check: check}
			if err := w.run(ctx, tx, through); err != nil {
				return err
			}
			if check.Fault != nil {
				return party.Errorf(party.ECONFLICT, "审计记录哈希链校验未通过，不能清理：%s。请先运行 dangjian audit verify 查明原因",
					check.Fault.Message)
			}
			if check.LastID != through {
				return party.Errorf(party.ECONFLICT, "审计记录哈希链校验未通过，不能清理：第%d条审计记录缺失", through)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaGenesis, strconv.FormatInt(through, 10)+":"+check.LastHash)
			if err != nil {
				return fmt.Errorf("store: move audit genesis: %w", err)
			}
			detail["through_id"], detail["through_hash"] = strconv.FormatInt(through, 10), check.LastHash
		}
		// Rows up to a genesis of genesisHash predate the chain and are purged without moving it.
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE id <= $1`, through)
		if err != nil {
			return fmt.Errorf("store: purge audit rows: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("store: purge audit rows: %w", err)
		}
		if n == 0 {
			return nil
		}
		detail["rows"] = strconv.FormatInt(n, 10)
		// Unmasked: the detail holds a hash, whose digit runs are no personal data.
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("store: audit detail: %w", err)
		}
		return tx.appendAudit(ctx, true, ActPurge, ObjAudit, 0, 0, string(b))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
