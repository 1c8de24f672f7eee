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

// Audit object types and actions of accounts, sign-in and settings.
const (
	ObjUser         = "user"
	ObjToken        = "api_token"
	ObjSettings     = "settings"
	ActSignIn       = "signin"
	ActSignOut      = "signout"
	ActLockout      = "lockout"
	ActUnlock       = "unlock"
	ActPassword     = "password"
	ActGrant        = "grant"
	ActRevoke       = "revoke"
	ActDisable      = "disable"
	ActEnable       = "enable"
	ActSecondFactor = "second_factor"
	ActEndSessions  = "end_sessions"
)

const userColumns = `u.id, u.username, u.display_name, u.disabled, u.must_change, u.password_set_at,
	u.locked_until, u.totp_secret <> '', u.last_sign_in_at, u.created_at, u.updated_at`

func scanUser(s scanner, extra ...any) (*party.User, error) {
	var u party.User
	dest := []any{&u.ID, &u.Username, &u.DisplayName, &u.Disabled, &u.MustChangePassword, ts{&u.PasswordSetAt},
		ts{&u.LockedUntil}, &u.TOTPEnabled, ts{&u.LastSignInAt}, ts{&u.CreatedAt}, ts{&u.UpdatedAt}}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return &u, nil
}

// nullTS maps the zero time to NULL for optional timestamps.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTS(t)
}

// Credentials are what a sign-in checks: the account, its password hash and its TOTP secret.
type Credentials struct {
	User         *party.User
	PasswordHash string
	// TOTPSecret is the base32 secret of the second factor ("" when not enabled).
	TOTPSecret string
	// TOTPStep is the last time step whose code was accepted, so no code is used twice.
	TOTPStep int64
}

func (db *DB) findUser(ctx context.Context, q querier, where string, arg any) (*party.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "账户不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find user: %w", err)
	}
	if u.Grants, err = grantsOf(ctx, q, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

// FindUser returns the account with id and its grants.
func (db *DB) FindUser(ctx context.Context, id int64) (*party.User, error) {
	return db.findUser(ctx, db.r, "u.id = $1", id)
}

// FindUserByName returns the account with username (matched case-insensitively).
func (db *DB) FindUserByName(ctx context.Context, username string) (*party.User, error) {
	return db.findUser(ctx, db.r, "u.username = $1", party.NormalizeUsername(username))
}

// Credentials returns the account named username with its password hash and second factor.
func (db *DB) Credentials(ctx context.Context, username string) (*Credentials, error) {
	var c Credentials
	var secret string
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash, u.totp_secret, u.totp_step
		FROM users u WHERE u.username = $1`, party.NormalizeUsername(username)), &c.PasswordHash, &secret, &c.TOTPStep)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "账户不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find credentials: %w", err)
	}
	if c.TOTPSecret, err = db.keys.Decrypt(secret); err != nil {
		return nil, fmt.Errorf("store: user %d second factor: %w", u.ID, err)
	}
	if u.Grants, err = grantsOf(ctx, db.r, u.ID); err != nil {
		return nil, err
	}
	c.User = u
	return &c, nil
}

// ListUsers returns every account with its grants, by username.
func (db *DB) ListUsers(ctx context.Context) ([]*party.User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.username`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	var out []*party.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scan user: %w", err)
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	for _, u := range out {
		if u.Grants, err = grantsOf(ctx, db.r, u.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountUsers returns the number of accounts; the setup page exists only while it is 0.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// userFields flattens an account for audit diffs; no secret appears in it.
func userFields(u *party.User) fields {
	return fields{"username": u.Username, "display_name": u.DisplayName, "disabled": strconv.FormatBool(u.Disabled),
		"must_change_password": strconv.FormatBool(u.MustChangePassword)}
}

// CreateUser validates and inserts account u with the password hash (a PHC string) and the
// grants in u.Grants, all or nothing, filling the IDs; onlyFirst refuses when any account
// exists, for the one-time setup page.
func (db *DB) CreateUser(ctx context.Context, u *party.User, hash string, onlyFirst bool) error {
	return db.write(ctx, func(tx *Tx) error {
		if onlyFirst {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
				return fmt.Errorf("store: count users: %w", err)
			}
			if n > 0 {
				return party.Errorf(party.ECONFLICT, "已有账户，初始设置已完成")
			}
		}
		if err := tx.createUser(ctx, u, hash); err != nil {
			return err
		}
		for i := range u.Grants {
			u.Grants[i].UserID = u.ID
			if err := tx.addGrant(ctx, &u.Grants[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (tx *Tx) createUser(ctx context.Context, u *party.User, hash string) error {
	u.Username = party.NormalizeUsername(u.Username)
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	if err := party.CheckUsername(u.Username); err != nil {
		return err
	}
	if err := party.CheckText("display_name", "姓名", u.DisplayName, party.MaxDisplayNameLen, false); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE username = $1`, u.Username).Scan(&n); err != nil {
		return fmt.Errorf("store: check username: %w", err)
	}
	if n > 0 {
		return party.FieldErrorf(party.ECONFLICT, "username", "用户名“%s”已被使用", u.Username)
	}
	u.CreatedAt, u.UpdatedAt, u.PasswordSetAt = tx.now, tx.now, tx.now
	err := tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, password_hash, password_set_at,
		must_change, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $4, $4) RETURNING id`,
		u.Username, u.DisplayName, hash, formatTS(tx.now), u.MustChangePassword, u.Disabled).Scan(&u.ID)
	if err != nil {
		return fmt.Errorf("store: insert user: %w", err)
	}
	if err := tx.rememberPassword(ctx, u.ID, hash, 1); err != nil {
		return err
	}
	return tx.audit(ctx, ActCreate, ObjUser, u.ID, 0, diff(nil, userFields(u)))
}

// rememberPassword adds hash to the user's password history and keeps the newest keep entries.
func (tx *Tx) rememberPassword(ctx context.Context, userID int64, hash string, keep int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, password_hash, set_at) VALUES ($1, $2, $3)`,
		userID, hash, formatTS(tx.now)); err != nil {
		return fmt.Errorf("store: remember password: %w", err)
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = $1 AND id NOT IN
		(SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2)`, userID, max(keep, 1))
	if err != nil {
		return fmt.Errorf("store: trim password history: %w", err)
	}
	return nil
}

// PasswordHistory returns the hashes of the user's newest n passwords, the current one first.
func (db *DB) PasswordHistory(ctx context.Context, userID int64, n int) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT password_hash FROM password_history WHERE user_id = $1
		ORDER BY id DESC LIMIT $2`, userID, n)
	if err != nil {
		return nil, fmt.Errorf("store: password history: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("store: scan password history: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// PasswordChange is a new password for an account.
type PasswordChange struct {
	UserID int64
	Hash   string
	// MustChange is set when an administrator sets the password for the user.
	MustChange bool
	// History is how many passwords the history keeps (the policy's History).
	History int
	// KeepSession is the session that stays signed in (the one that changed the password);
	// every other session of the user ends. 0 ends them all.
	KeepSession int64
}

// SetPassword stores a new password hash, remembers it in the history and ends the user's
// other sessions, with one audit row.
func (db *DB) SetPassword(ctx context.Context, c PasswordChange) error {
	return db.write(ctx, func(tx *Tx) error {
		u, err := tx.db.findUser(ctx, tx, "u.id = $1", c.UserID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_set_at = $2, must_change = $3,
			updated_at = $2 WHERE id = $4`, c.Hash, formatTS(tx.now), c.MustChange, u.ID)
		if err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		if err := tx.rememberPassword(ctx, u.ID, c.Hash, c.History); err != nil {
			return err
		}
		ended, err := tx.endSessions(ctx, u.ID, c.KeepSession)
		if err != nil {
			return err
		}
		by := "self"
		if tx.actor.UserID != u.ID {
			by = "administrator"
		}
		return tx.audit(ctx, ActPassword, ObjUser, u.ID, 0, map[string]string{"set_by": by,
			"must_change_password": strconv.FormatBool(c.MustChange), "sessions_ended": strconv.Itoa(ended)})
	})
}

// SetDisabled disables or enables account id; disabling ends its sessions at once.
func (db *DB) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return db.write(ctx, func(tx *Tx) error {
		u, err := tx.db.findUser(ctx, tx, "u.id = $1", id)
		if err != nil {
			return err
		}
		if u.Disabled == disabled {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3`,
			disabled, formatTS(tx.now), id); err != nil {
			return fmt.Errorf("store: disable user: %w", err)
		}
		action, ended := ActEnable, 0
		if disabled {
			action = ActDisable
			if ended, err = tx.endSessions(ctx, id, 0); err != nil {
				return err
			}
		}
		return tx.audit(ctx, action, ObjUser, id, 0, map[string]string{"sessions_ended": strconv.Itoa(ended)})
	})
}

// Unlock ends a lockout of account id and forgets its failed sign-ins.
func (db *DB) Unlock(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.db.findUser(ctx, tx, "u.id = $1", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = NULL, updated_at = $1 WHERE id = $2`,
			formatTS(tx.now), id); err != nil {
			return fmt.Errorf("store: unlock user: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("store: forget failures: %w", err)
		}
		return tx.audit(ctx, ActUnlock, ObjUser, id, 0, nil)
	})
}

// SignInFailure is a refused sign-in.
type SignInFailure struct {
	// UserID is the account tried, 0 when the username names none.
	UserID int64
	// Reason says why, for the audit trail: password, second_factor, locked, disabled, unknown_user.
	Reason string
	// Threshold failures within Window lock the account for LockFor.
	Threshold int
	Window    time.Duration
	LockFor   time.Duration
}

// RecordSignInFailure appends a failed sign-in to the audit trail (ok=false) and, for an
// existing account, counts it towards a lockout; it reports whether the account is now locked.
func (db *DB) RecordSignInFailure(ctx context.Context, f SignInFailure) (bool, error) {
	locked := false
	err := db.write(ctx, func(tx *Tx) error {
		if f.UserID != 0 && f.Reason != "locked" && f.Reason != "disabled" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sign_in_failures (user_id, at) VALUES ($1, $2)`,
				f.UserID, formatTS(tx.now)); err != nil {
				return fmt.Errorf("store: record failure: %w", err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sign_in_failures WHERE user_id = $1 AND at > $2`,
				f.UserID, formatTS(tx.now.Add(-f.Window))).Scan(&n); err != nil {
				return fmt.Errorf("store: count failures: %w", err)
			}
			if f.Threshold > 0 && n >= f.Threshold {
				until := tx.now.Add(f.LockFor)
				if _, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = $1 WHERE id = $2`,
					formatTS(until), f.UserID); err != nil {
					return fmt.Errorf("store: lock user: %w", err)
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE user_id = $1`, f.UserID); err != nil {
					return fmt.Errorf("store: forget failures: %w", err)
				}
				locked = true
			}
		}
		if err := tx.auditOutcome(ctx, false, ActSignIn, ObjUser, f.UserID, 0, map[string]string{"reason": f.Reason}); err != nil {
			return err
		}
		if locked {
			return tx.audit(ctx, ActLockout, ObjUser, f.UserID, 0, map[string]string{
				"failures": strconv.Itoa(f.Threshold), "minutes": strconv.Itoa(int(f.LockFor / time.Minute))})
		}
		return nil
	})
	return locked, err
}

// SetSecondFactor enables TOTP with the base32 secret for account id ("" disables it); step is
// the time step of the code that confirmed it, which cannot be used again.
func (db *DB) SetSecondFactor(ctx context.Context, id int64, secret string, step int64) error {
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.db.findUser(ctx, tx, "u.id = $1", id); err != nil {
			return err
		}
		cipher, err := tx.db.keys.Encrypt(secret)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_step = $2, updated_at = $3 WHERE id = $4`,
			cipher, step, formatTS(tx.now), id); err != nil {
			return fmt.Errorf("store: set second factor: %w", err)
		}
		return tx.audit(ctx, ActSecondFactor, ObjUser, id, 0, map[string]string{"enabled": strconv.FormatBool(secret != "")})
	})
}
