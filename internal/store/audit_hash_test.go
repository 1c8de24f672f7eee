package store

import (
	"database/sql"
	"fmt"
	"testing"
)

// TestChainHashKnownAnswer pins the chain hash's encoding: rows written by earlier versions
// must keep verifying, so these answers were computed by the first implementation (a fresh
// HMAC per row fed field by field) and any change to the encoding fails here.
func TestChainHashKnownAnswer(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	r := auditRecord{ID: 42, At: "2026-12-04T18:00:00.000000Z", UserID: sql.NullInt64{Int64: 7, Valid: true},
		Username: "admin", Source: "10.0.0.5", Action: "update", ObjectType: "org",
		ObjectID: sql.NullInt64{Int64: 3, Valid: true}, Detail: `[{"field":"name","old":"党组1","new":"党组2"}]`,
		PrevHash: "ab" + fmt.Sprintf("%062d", 0), OK: true}
	h := newChainHasher(key)
	if got, want := h.sum(&r), "dfc5be283537ce7e58a64602452e22073ceef0d77f8c876ed0fe17bbd9eceaed"; got != want {
		t.Errorf("hash = %s, want %s", got, want)
	}
	// The same hasher again, for a failed action with no user: reuse leaves nothing behind.
	r.OK, r.UserID = false, sql.NullInt64{}
	if got, want := h.sum(&r), "45ce83b49b2c15c7d9808ef787db7dd627bf248175b44fceeb3f8d1a044c16ff"; got != want {
		t.Errorf("hash = %s, want %s", got, want)
	}
}
