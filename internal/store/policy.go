package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"dangjian/internal/party"
)

// policyKey is the meta key holding the security policy as JSON.
const policyKey = "security_policy"

// SecurityPolicy returns the stored security policy, or the defaults when none was set.
func (db *DB) SecurityPolicy(ctx context.Context) (party.SecurityPolicy, error) {
	p := party.DefaultPolicy()
	v, err := db.Meta(ctx, policyKey)
	if err != nil || v == "" {
		return p, err
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return party.DefaultPolicy(), fmt.Errorf("store: read security policy: %w", err)
	}
	return p, nil
}

// policyFields flattens a policy for audit diffs.
func policyFields(p party.SecurityPolicy) fields {
	return fields{"min_length": strconv.Itoa(p.MinLength), "min_classes": strconv.Itoa(p.MinClasses),
		"max_age_days": strconv.Itoa(p.MaxAgeDays), "history": strconv.Itoa(p.History),
		"lockout_threshold": strconv.Itoa(p.LockoutThreshold), "lockout_window_minutes": strconv.Itoa(p.LockoutWindowMinutes),
		"lockout_minutes": strconv.Itoa(p.LockoutMinutes), "idle_minutes": strconv.Itoa(p.IdleMinutes),
		"absolute_hours": strconv.Itoa(p.AbsoluteHours), "require_second_factor": strconv.FormatBool(p.RequireSecondFactor)}
}

// SetSecurityPolicy validates and stores the security policy, with the changed values in the
// audit row.
func (db *DB) SetSecurityPolicy(ctx context.Context, p party.SecurityPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	old, err := db.SecurityPolicy(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: encode security policy: %w", err)
	}
	return db.write(ctx, func(tx *Tx) error {
		changes := diff(policyFields(old), policyFields(p))
		if len(changes) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, policyKey, string(b)); err != nil {
			return fmt.Errorf("store: write security policy: %w", err)
		}
		return tx.audit(ctx, ActUpdate, ObjSettings, 0, 0, changes)
	})
}
