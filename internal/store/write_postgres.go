package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"dangjian/internal/party"
)

// writePostgres runs fn in a transaction on a connection of its own, begun with an explicit
// BEGIN, and commits it by sending the audit rows and the COMMIT in one batch (commitPostgres):
// one round trip, as a bare COMMIT takes. A database/sql transaction commits in a statement of
// its own, so appending the rows before it cost a round trip per write, a sixth of a small
// write's time on loopback.
func (db *DB) writePostgres(ctx context.Context, fn func(tx *Tx) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{txConn: conn, db: db, now: db.Now().UTC(), actor: party.ActorFrom(ctx)}
	committed := false
	defer func() {
		if !committed {
			rollbackConn(conn)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.commitPostgres(ctx, conn); err != nil {
		return err
	}
	committed = true
	return nil
}

// rollbackConn ends whatever transaction conn is still in; a connection that cannot be
// brought back to idle is closed rather than handed to the next caller.
func rollbackConn(conn *sql.Conn) {
	conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if pc.IsClosed() {
			return driver.ErrBadConn
		}
		if pc.PgConn().TxStatus() == 'I' {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := pc.Exec(ctx, "ROLLBACK"); err != nil || pc.PgConn().TxStatus() != 'I' {
			return driver.ErrBadConn // database/sql closes it instead of reusing it
		}
		return nil
	})
}

// errIDTaken reports that another process appended after the row the commit chained from.
var errIDTaken = errors.New("store: audit row id taken")

// auditRetries bounds how often one commit chains its rows again after other processes
// appended first; each retry means another commit went through.
const auditRetries = 20

// commitPostgres appends the pending audit rows and commits, in one batch: SAVEPOINT, the
// inserts, COMMIT. The rows are chained after this process's hint of the head, taken under
// its turn, so its own commits never meet. When another process appended since, the first
// insert fails on the taken id, the server skips the rest of the batch (the COMMIT too), and
// the transaction goes back to the savepoint, reads the head and tries again.
func (tx *Tx) commitPostgres(ctx context.Context, conn *sql.Conn) error {
	if len(tx.pending) == 0 {
		return conn.Raw(func(dc any) error {
			return sendCommit(ctx, dc.(*stdlib.Conn).Conn(), &pgx.Batch{})
		})
	}
	a := &tx.db.audit
	a.turn.Lock()
	defer a.turn.Unlock()
	prev, known := a.head()
	for range auditRetries {
		if !known {
			var err error
			if prev, err = readHead(ctx, conn); err != nil {
				return err
			}
		}
		last := tx.chain(prev)
		err := conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			b := &pgx.Batch{}
			b.Queue("SAVEPOINT dj_audit")
			for i := range tx.pending {
				r := &tx.pending[i]
				b.Queue(auditInsertSQL, r.ID, r.At, r.UserID, r.Username, r.Source, r.Action, r.ObjectType,
					r.ObjectID, r.OrgID, r.OK, r.Detail, r.PrevHash, r.Hash)
			}
			err := sendCommit(ctx, pc, b)
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == auditPrimaryKey {
				if _, err := pc.Exec(ctx, "ROLLBACK TO SAVEPOINT dj_audit"); err != nil {
					return fmt.Errorf("store: append audit row: %w", err)
				}
				return errIDTaken
			}
			return err
		})
		if err == nil {
			a.setHead(last)
			return nil
		}
		if !errors.Is(err, errIDTaken) {
			return err
		}
		known = false
	}
	return party.Errorf(party.ECONFLICT, "其他程序正在大量写入，本次保存未能完成，请稍后重试")
}

// sendCommit sends b's statements followed by COMMIT in one round trip and reports whether
// the transaction committed.
func sendCommit(ctx context.Context, pc *pgx.Conn, b *pgx.Batch) error {
	b.Queue("COMMIT")
	br := pc.SendBatch(ctx, b)
	var tag pgconn.CommandTag
	var err error
	for range b.Len() {
		if tag, err = br.Exec(); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if tag.String() != "COMMIT" {
		// An earlier statement failed and the error was not returned to the caller: the server
		// answers COMMIT of a failed transaction with ROLLBACK.
		return fmt.Errorf("store: commit: %w", pgx.ErrTxCommitRollback)
	}
	return nil
}
