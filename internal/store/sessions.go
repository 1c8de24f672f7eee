package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"dangjian/internal/party"
)

// Session is a signed-in browser. Only a keyed hash of its token is stored, so the table
// cannot be used to sign in.
type Session struct {
	ID         int64
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	Source     string
	UserAgent  string
}

// maxUserAgent bounds the stored browser description.
const maxUserAgent = 200

// NewSession is a successful sign-in.
type NewSession struct {
	UserID    int64
	TokenHash string
	Source    string
	UserAgent string
	// TOTPStep is the time step of the second-factor code used, which cannot be used again.
	TOTPStep int64
	// ExpiredBefore removes the user's sessions last seen before it.
	ExpiredBefore time.Time
}

// CreateSession records a successful sign-in: the new session, the end of the user's failure
// count, and the audit row, in one transaction.
func (db *DB) CreateSession(ctx context.Context, n NewSession) (*Session, error) {
	s := &Session{UserID: n.UserID, Source: n.Source, UserAgent: clip(n.UserAgent, maxUserAgent)}
	err := db.write(ctx, func(tx *Tx) error {
		s.CreatedAt, s.LastSeenAt = tx.now, tx.now
		err := tx.QueryRowContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, source,
			user_agent) VALUES ($1, $2, $3, $3, $4, $5) RETURNING id`, n.TokenHash, n.UserID, formatTS(tx.now),
			s.Source, s.UserAgent).Scan(&s.ID)
		if err != nil {
			return fmt.Errorf("store: insert session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND last_seen_at < $2`,
			n.UserID, formatTS(n.ExpiredBefore)); err != nil {
			return fmt.Errorf("store: remove old sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE user_id = $1`, n.UserID); err != nil {
			return fmt.Errorf("store: forget failures: %w", err)
		}
		q := `UPDATE users SET last_sign_in_at = $1 WHERE id = $2`
		args := []any{formatTS(tx.now), n.UserID}
		if n.TOTPStep > 0 {
			q = `UPDATE users SET last_sign_in_at = $1, totp_step = $3 WHERE id = $2`
			args = append(args, n.TOTPStep)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: record sign-in: %w", err)
		}
		return tx.audit(ctx, ActSignIn, ObjUser, n.UserID, 0, map[string]string{"session": strconv.FormatInt(s.ID, 10)})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// clip shortens s to at most n characters and drops control characters and invalid bytes,
// for text that comes from a request header.
func clip(s string, n int) string {
	out := make([]rune, 0, min(len(s), n))
	for _, r := range s {
		if len(out) == n {
			break
		}
		if r >= 0x20 && r != 0x7f && r != utf8.RuneError {
			out = append(out, r)
		}
	}
	return string(out)
}

const sessionColumns = `s.id, s.user_id, s.created_at, s.last_seen_at, s.source, s.user_agent`

func scanSession(sc scanner) (*Session, error) {
	var s Session
	if err := sc.Scan(&s.ID, &s.UserID, ts{&s.CreatedAt}, ts{&s.LastSeenAt}, &s.Source, &s.UserAgent); err != nil {
		return nil, err
	}
	return &s, nil
}

// FindSession returns the session whose token has hash, with its user and the user's
// grants; a disabled user's session is not found.
func (db *DB) FindSession(ctx context.Context, hash string) (*Session, *party.User, error) {
	var uid int64
	s, err := scanSession(db.r.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions s WHERE s.token_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, party.Errorf(party.EUNAUTHORIZED, "登录已失效，请重新登录")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: find session: %w", err)
	}
	uid = s.UserID
	u, err := db.FindUser(ctx, uid)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, party.Errorf(party.EUNAUTHORIZED, "登录已失效，请重新登录")
	}
	return s, u, nil
}

// TouchSession records that session id was used at now; it is not a change of data, so it
// has no audit row.
func (db *DB) TouchSession(ctx context.Context, id int64, now time.Time) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, formatTS(now), id); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// EndSession deletes session id with an audit row saying why (signout, idle_timeout,
// absolute_timeout, administrator).
func (db *DB) EndSession(ctx context.Context, id int64, reason string) error {
	return db.write(ctx, func(tx *Tx) error {
		s, err := scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions s WHERE s.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return party.Errorf(party.ENOTFOUND, "会话不存在或已结束")
		}
		if err != nil {
			return fmt.Errorf("store: find session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		return tx.audit(ctx, ActSignOut, ObjUser, s.UserID, 0, map[string]string{"session": strconv.FormatInt(id, 10),
			"reason": reason})
	})
}

// Sessions lists the sessions of a user, newest first.
func (db *DB) Sessions(ctx context.Context, userID int64) ([]*Session, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions s WHERE s.user_id = $1 ORDER BY s.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	defer rows.Close()
	var out []*Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan session: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// EndSessions ends every session of a user but keep (0: all of them), with one audit row.
func (db *DB) EndSessions(ctx context.Context, userID, keep int64) (int, error) {
	var n int
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.db.findUser(ctx, tx, "u.id = $1", userID); err != nil {
			return err
		}
		var err error
		if n, err = tx.endSessions(ctx, userID, keep); err != nil {
			return err
		}
		return tx.audit(ctx, ActEndSessions, ObjUser, userID, 0, map[string]string{"sessions_ended": strconv.Itoa(n)})
	})
	return n, err
}

// endSessions deletes the user's sessions but keep and returns how many ended.
func (tx *Tx) endSessions(ctx context.Context, userID, keep int64) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("store: end sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: end sessions: %w", err)
	}
	return int(n), nil
}
