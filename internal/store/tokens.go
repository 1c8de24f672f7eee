package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/party"
)

// APIToken is a credential for the JSON API. Only a keyed hash of the token is stored; the
// prefix (its first characters) lets people tell their tokens apart.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Prefix     string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Active reports whether the token may be used at now.
func (t *APIToken) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

const tokenColumns = `t.id, t.user_id, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(s scanner) (*APIToken, error) {
	var t APIToken
	if err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, ts{&t.CreatedAt}, ts{&t.ExpiresAt}, ts{&t.LastUsedAt},
		ts{&t.RevokedAt}); err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateToken stores a new API token of t.UserID under its hash, filling t's ID.
func (db *DB) CreateToken(ctx context.Context, t *APIToken, hash string) error {
	return db.write(ctx, func(tx *Tx) error {
		t.Name = strings.TrimSpace(t.Name)
		if err := party.CheckText("name", "令牌名称", t.Name, party.MaxTokenNameLen, true); err != nil {
			return err
		}
		if _, err := tx.db.findUser(ctx, tx, "u.id = $1", t.UserID); err != nil {
			return err
		}
		t.CreatedAt = tx.now
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.UserID, t.Name, hash, t.Prefix, formatTS(tx.now),
			nullTS(t.ExpiresAt)).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("store: insert token: %w", err)
		}
		expires := "never"
		if !t.ExpiresAt.IsZero() {
			expires = formatTS(t.ExpiresAt)
		}
		return tx.audit(ctx, ActCreate, ObjToken, t.ID, 0, map[string]string{"user": strconv.FormatInt(t.UserID, 10),
			"name": t.Name, "prefix": t.Prefix, "expires": expires})
	})
}

// FindToken returns the token with hash, whatever its state.
func (db *DB) FindToken(ctx context.Context, hash string) (*APIToken, error) {
	t, err := scanToken(db.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.token_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.EUNAUTHORIZED, "访问令牌无效")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find token: %w", err)
	}
	return t, nil
}

// FindTokenByID returns token id.
func (db *DB) FindTokenByID(ctx context.Context, id int64) (*APIToken, error) {
	t, err := scanToken(db.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "访问令牌不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find token: %w", err)
	}
	return t, nil
}

// Tokens lists the API tokens of a user, newest first.
func (db *DB) Tokens(ctx context.Context, userID int64) ([]*APIToken, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	defer rows.Close()
	var out []*APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan token: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TouchToken records that token id was used at now (bookkeeping, no audit row).
func (db *DB) TouchToken(ctx context.Context, id int64, now time.Time) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, formatTS(now), id); err != nil {
		return fmt.Errorf("store: touch token: %w", err)
	}
	return nil
}

// RevokeToken revokes token id; a revoked token stays listed but no longer works.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *Tx) error {
		t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return party.Errorf(party.ENOTFOUND, "访问令牌不存在")
		}
		if err != nil {
			return fmt.Errorf("store: find token: %w", err)
		}
		if !t.RevokedAt.IsZero() {
			return party.Errorf(party.ECONFLICT, "访问令牌已于%s吊销", t.RevokedAt.In(party.Zone).Format("2006年1月2日 15:04"))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, formatTS(tx.now), id); err != nil {
			return fmt.Errorf("store: revoke token: %w", err)
		}
		return tx.audit(ctx, ActRevoke, ObjToken, id, 0, map[string]string{"user": strconv.FormatInt(t.UserID, 10),
			"name": t.Name, "prefix": t.Prefix})
	})
}
