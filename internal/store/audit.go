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
	var keys []string
	for k, v := range new {
		if old[k] != v {
			keys = append(keys, k)
		}
	}
	for k, v := range old {
		if _, ok := new[k]; !ok && v != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	out := make([]Change, len(keys))
	for i, k := range keys {
		out[i] = Change{Field: k, Old: old[k], New: new[k]}
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

// encode appends the canonical encoding of the row to b, which the chain hash is an HMAC-SM3
// of (chainHasher), under a key kept outside the database: each field is length-prefixed or
// fixed-width and NULL is tagged apart from 0, so no two different rows encode alike.
func (r *auditRecord) encode(b []byte) []byte {
	b = appendStr(b, "dangjian audit chain v1")
	b = appendStr(b, r.PrevHash)
	b = binary.BigEndian.AppendUint64(b, uint64(r.ID))
	b = appendStr(b, r.At)
	b = appendNull(b, r.UserID)
	b = appendStr(b, r.Username)
	b = appendStr(b, r.Source)
	b = appendStr(b, r.Action)
	b = appendStr(b, r.ObjectType)
	b = appendNull(b, r.ObjectID)
	b = appendNull(b, r.OrgID)
	if r.OK {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return appendStr(b, r.Detail)
}

func appendStr(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

func appendNull(b []byte, v sql.NullInt64) []byte {
	if !v.Valid {
		return append(b, 0)
	}
	return binary.BigEndian.AppendUint64(append(b, 1), uint64(v.Int64))
}

// chainHasher computes chain hashes with one keyed HMAC and one buffer, reset for every row:
// a fresh HMAC and the encoding's allocations were most of a hash's cost.
type chainHasher struct {
	mac hash.Hash
	buf []byte
	out [sm3.Size]byte
}

func newChainHasher(key []byte) *chainHasher {
	return &chainHasher{mac: hmac.New(sm3.New, key)}
}

func (h *chainHasher) sum(r *auditRecord) string {
	h.buf = r.encode(h.buf[:0])
	h.mac.Reset()
	h.mac.Write(h.buf)
	return hex.EncodeToString(h.mac.Sum(h.out[:0]))
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

// appendAudit adds one row with the given outcome and detail text to the rows tx appends to
// the hash chain when it commits (flushAudit), in the order they were added.
//
// Appending at commit keeps the chain's order the commit order and lets PostgreSQL send the
// rows in the same round trip as the COMMIT. The time of a row is the transaction's, raised
// to its predecessor's when that is later, so row times never decrease with the id and a
// time search can find its id range without an index on the time.
func (tx *Tx) appendAudit(_ context.Context, ok bool, action, objectType string, objectID, orgID int64, text string) error {
	if tx.db.skipAudit {
		return nil
	}
	tx.pending = append(tx.pending, auditRecord{At: formatTS(tx.now), UserID: nullable(tx.actor.UserID),
		Username: tx.actor.Username, Source: tx.actor.Source, Action: action, ObjectType: objectType,
		ObjectID: nullable(objectID), OrgID: nullable(orgID), OK: ok, Detail: text})
	return nil
}

// chain gives the pending rows their ids, times and hashes as the rows after prev, and
// returns the link of the last of them.
func (tx *Tx) chain(prev chainLink) chainLink {
	a := &tx.db.audit
	h, _ := a.hashers.Get().(*chainHasher)
	if h == nil {
		h = newChainHasher(tx.db.keys.AuditKey())
	}
	for i := range tx.pending {
		r := &tx.pending[i]
		r.ID, r.PrevHash = prev.id+1, prev.hash
		if r.At < prev.at {
			r.At = prev.at
		}
		r.Hash = h.sum(r)
		prev = chainLink{id: r.ID, hash: r.Hash, at: r.At}
	}
	a.hashers.Put(h)
	return prev
}

// flushAuditSQLite appends the pending rows inside the SQLite write transaction. The write
// lock is held, so the hint of the head is either right or behind (another process appended
// since): the insert then meets the taken id and inserts nothing, and the rows are chained
// again after the head read from the table.
func (tx *Tx) flushAuditSQLite(ctx context.Context) error {
	if len(tx.pending) == 0 {
		return nil
	}
	a := &tx.db.audit
	prev, known := a.head()
	for attempt := 0; ; attempt++ {
		if !known {
			var err error
			if prev, err = readHead(ctx, tx); err != nil {
				return err
			}
		}
		last := tx.chain(prev)
		done, err := tx.insertPending(ctx)
		if err != nil {
			return err
		}
		if done {
			tx.chained = last
			return nil
		}
		if known = false; attempt > 0 {
			return errors.New("store: append audit row: the head read under the write lock is taken")
		}
	}
}

// insertPending inserts the chained pending rows, and reports false when the first one's id
// is taken (nothing inserted).
//
// The inserts do not watch ctx: they take microseconds just before the commit, which does
// not watch it either, and the SQLite driver starts a goroutine to watch a cancelable
// context for every statement (2 µs of the 7 µs an insert took).
func (tx *Tx) insertPending(ctx context.Context) (bool, error) {
	ctx = context.WithoutCancel(ctx)
	a := &tx.db.audit
	for i := range tx.pending {
		r := &tx.pending[i]
		res, err := tx.execPrepared(ctx, a.insert, auditInsertSQLite, r.ID, r.At, r.UserID, r.Username, r.Source,
			r.Action, r.ObjectType, r.ObjectID, r.OrgID, r.OK, r.Detail, r.PrevHash, r.Hash)
		if err != nil {
			return false, fmt.Errorf("store: append audit row: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return false, fmt.Errorf("store: append audit row: %w", err)
		}
		if n == 0 {
			if i > 0 {
				return false, errors.New("store: append audit row: an id inside the transaction's run is taken")
			}
			return false, nil
		}
	}
	return true, nil
}

// readHead returns the chain's head: its newest row, or the genesis when no row was chained
// after it.
func readHead(ctx context.Context, q querier) (chainLink, error) {
	g, err := readGenesis(ctx, q)
	if err != nil {
		return chainLink{}, err
	}
	var l chainLink
	err = q.QueryRowContext(ctx, `SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&l.id, &l.hash, &l.at)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && l.id <= g.id) {
		return g, nil
	}
	if err != nil {
		return chainLink{}, fmt.Errorf("store: read audit head: %w", err)
	}
	return l, nil
}

// execPrepared runs query through s, its statement prepared once on the write connection, or
// prepared afresh when there is none (a database opened without Migrate).
func (tx *Tx) execPrepared(ctx context.Context, s *sql.Stmt, query string, args ...any) (sql.Result, error) {
	if s == nil || tx.sqlTx == nil {
		return tx.ExecContext(ctx, query, args...)
	}
	return tx.sqlTx.StmtContext(ctx, s).ExecContext(ctx, args...)
}

// The statements of an append. SQLite inserts nothing when the id is taken; PostgreSQL fails
// on it (auditPrimaryKey), which aborts the rest of the commit's batch.
const (
	auditInsertSQL = `INSERT INTO audit_log (` + auditRecordColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`
	auditInsertSQLite = auditInsertSQL + ` ON CONFLICT (id) DO NOTHING`
	auditPrimaryKey   = "audit_log_pkey"
)

// auditAppender is what appends share across transactions: a hint of the chain head as this
// process last committed it, the turn PostgreSQL commits that append take one at a time, and
// on SQLite the insert prepared on the write connection (parsing it anew took a third of an
// append's time).
type auditAppender struct {
	mu    sync.Mutex
	hint  chainLink
	known bool

	// turn is held by a PostgreSQL commit from sending its rows until it knows the outcome,
	// so this process's appends never chain after the same row.
	turn sync.Mutex

	// insert is set by Migrate, before any write; nil, each append prepares it.
	insert *sql.Stmt

	// hashers keeps chainHashers under the audit key for reuse.
	hashers sync.Pool
}

// head returns the hint of the head and whether there is one.
func (a *auditAppender) head() (chainLink, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hint, a.known
}

// setHead records the last row of a committed transaction. The hint is only ever behind the
// table (when another process appended since), never ahead of it.
func (a *auditAppender) setHead(l chainLink) {
	a.mu.Lock()
	if !a.known || l.id > a.hint.id {
		a.hint, a.known = l, true
	}
	a.mu.Unlock()
}

// forget drops the hint, after a commit whose outcome is unknown.
func (a *auditAppender) forget() {
	a.mu.Lock()
	a.known = false
	a.mu.Unlock()
}

// prepare prepares the SQLite insert on the write pool; PostgreSQL needs none (pgx caches
// its statements per connection).
func (a *auditAppender) prepare(ctx context.Context, db *DB) error {
	if db.engine != SQLite || a.insert != nil {
		return nil
	}
	ins, err := db.w.PrepareContext(ctx, auditInsertSQLite)
	if err != nil {
		return fmt.Errorf("store: prepare audit append: %w", err)
	}
	a.insert = ins
	return nil
}

// close closes the prepared statement.
func (a *auditAppender) close() {
	if a.insert != nil {
		a.insert.Close()
	}
}

// maskDigitRuns masks every run of 11 or more digits (an ID number, a phone number, a bank
// card typed into a free-text field) to its first 3 and last 4 digits, so the audit trail
// never keeps a copy of them: the diffs mask the known sensitive fields already, and this
// catches the same values written into notes.
func maskDigitRuns(s string) string {
	if !hasLongDigitRun(s) {
		return s
	}
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

// hasLongDigitRun reports whether s holds a run of 11 or more digits.
func hasLongDigitRun(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			run = 0
		} else if run++; run >= 11 {
			return true
		}
	}
	return false
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
	// FaultInserted: a row put before the chain's start (where a purge removed the rows). A row
	// put anywhere else fails its hash and is reported altered.
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
	// LastID and LastHash identify the newest row: noted outside the database and given to a
	// later check (AuditAnchor), they let it notice rows cut off the end.
	LastID   int64
	LastHash string
	// Fault is the first fault found, nil when the chain verifies.
	Fault *AuditFault
}

// auditBatch is how many rows one query of a chain walk reads, bounding its memory.
const auditBatch = 1000

// AuditAnchor is the newest row as an earlier check found it (its LastID and LastHash).
type AuditAnchor struct {
	ID   int64
	Hash string
}

// ParseAuditAnchor reads an anchor written as "ID:HASH".
func ParseAuditAnchor(s string) (*AuditAnchor, error) {
	idText, h, ok := strings.Cut(strings.TrimSpace(s), ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || len(h) != len(genesisHash) || strings.Trim(strings.ToLower(h), "0123456789abcdef") != "" {
		return nil, party.Errorf(party.EINVALID, "上次核验记下的末条记录“%s”格式不对：应为“编号:哈希值”，例如 1024:%s", s, genesisHash)
	}
	return &AuditAnchor{ID: id, Hash: strings.ToLower(h)}, nil
}

// VerifyAudit walks the whole audit chain in id order, in batches, inside one read-only
// snapshot, and reports the first row that was altered, removed or inserted. Given the anchor
// of an earlier check (nil: none), it also reports rows removed from the end since.
func (db *DB) VerifyAudit(ctx context.Context, expect *AuditAnchor) (*AuditCheck, error) {
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
	w := chainWalk{hasher: newChainHasher(db.keys.AuditKey()), start: g, prev: g, expect: expect, check: check}
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
	hasher *chainHasher
	// start is the genesis the walk began from; prev is the last row verified.
	start, prev chainLink
	// expect is the newest row an earlier check found, nil for none.
	expect *AuditAnchor
	check  *AuditCheck
	// purge is the newest purge row seen: a moved genesis must match it.
	purge *auditRecord
}

// run walks the rows after w.prev up to through (0: all of them, then the end and the genesis
// are checked too).
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
	case w.hasher.sum(r) != r.Hash:
		c.Fault = faultAt(FaultAltered, *r, fmt.Sprintf("第%d条审计记录（%s）的哈希值校验失败：内容被篡改，或是伪造后插入的记录",
			r.ID, showTime(r.At)))
	case r.PrevHash != w.prev.hash && r.ID > w.prev.id+1:
		c.Fault = &AuditFault{Kind: FaultRemoved, ID: w.prev.id + 1, Message: fmt.Sprintf(
			"%s审计记录被删除（位于%s与第%d条（%s）之间）", rowsName(w.prev.id+1, r.ID-1), w.prevName(), r.ID, showTime(r.At))}
	case r.PrevHash != w.prev.hash:
		c.Fault = faultAt(FaultRemoved, *r, fmt.Sprintf("第%d条审计记录（%s）与%s衔接不上：其间的记录被删除或替换",
			r.ID, showTime(r.At), w.prevName()))
	}
	if c.Fault == nil && w.expect != nil && r.ID == w.expect.ID && r.Hash != w.expect.Hash {
		c.Fault = faultAt(FaultRemoved, *r, fmt.Sprintf("第%d条审计记录（%s）与上次核验时记下的不同：原有的第%d条及以后的记录被删除，其编号由之后写入的记录占用",
			r.ID, showTime(r.At), r.ID))
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

// finish checks that the walk reached the row an earlier check ended at and that a moved
// genesis was moved by a purge.
func (w *chainWalk) finish() {
	c := w.check
	switch {
	case w.expect != nil && w.prev.id < w.expect.ID:
		c.Fault = &AuditFault{Kind: FaultRemoved, ID: w.prev.id + 1, Message: fmt.Sprintf(
			"%s审计记录被删除（%s之后的记录缺失；上次核验时最后一条为第%d条）",
			rowsName(w.prev.id+1, w.expect.ID), w.prevName(), w.expect.ID)}
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

// rowsName names the rows first to last.
func rowsName(first, last int64) string {
	if first == last {
		return fmt.Sprintf("第%d条", first)
	}
	return fmt.Sprintf("第%d条至第%d条", first, last)
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
		// Purges take turns (SQLite's write lock serializes them already). Appends need not
		// wait: they chain after the newest row, which a purge never removes unless it is older
		// than the cut, and then the genesis names it.
		if tx.db.engine == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditPurgeLock); err != nil {
				return fmt.Errorf("store: lock audit purge: %w", err)
			}
		}
		g, err := readGenesis(ctx, tx)
		if err != nil {
			return err
		}
		// Cut before the first row at or after before; rows after it are younger (row times
		// grow with the id, within auditTimeSlack for rows written before they had to).
		from, err := auditIDFrom(ctx, tx, before.Add(-auditTimeSlack))
		if err != nil {
			return err
		}
		var firstKept, newest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM audit_log WHERE id >= $1 AND at >= $2`,
			from, formatTS(before)).Scan(&firstKept); err != nil {
			return fmt.Errorf("store: find audit cut: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM audit_log`).Scan(&newest); err != nil {
			return fmt.Errorf("store: find audit cut: %w", err)
		}
		through := newest.Int64
		if firstKept.Valid {
			through = firstKept.Int64 - 1
		}
		detail := fields{"before": formatTS(before)}
		if through > g.id {
			check := &AuditCheck{}
			w := chainWalk{hasher: newChainHasher(db.keys.AuditKey()), start: g, prev: g, check: check}
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
