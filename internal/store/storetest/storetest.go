// Package storetest opens real, migrated, empty databases for tests: SQLite always, and
// PostgreSQL when DANGJIAN_TEST_POSTGRES names a server (each test gets its own database,
// dropped when the test ends).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/secret"
	"dangjian/internal/store"
)

// Engine is one database engine under test.
type Engine struct {
	Name string
	Open func(t testing.TB) *store.DB
}

// Engines returns SQLite and, when DANGJIAN_TEST_POSTGRES is set, PostgreSQL.
func Engines() []Engine {
	out := []Engine{{Name: store.SQLite, Open: OpenSQLite}}
	if os.Getenv("DANGJIAN_TEST_POSTGRES") != "" {
		out = append(out, Engine{Name: store.Postgres, Open: OpenPostgres})
	}
	return out
}

// Run runs fn as a subtest on every engine, each with a fresh database.
func Run(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

// Keys returns fresh random keys.
func Keys(t testing.TB) *secret.Keys {
	master := make([]byte, 32)
	rand.Read(master)
	k, err := secret.New(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// LedgerStart is the ledger start (台账起始日期) of the databases opened here. A new database
// takes the 1st of January of the real year it is created in; the tests' clocks stand in
// 2026, so that would make their records fall before the ledger start from 2027 on.
var LedgerStart = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// migrate migrates db and sets its ledger start to LedgerStart.
func migrate(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.SetLedgerStart(ctx, party.DateOf(LedgerStart)); err != nil {
		t.Fatal(err)
	}
}

// OpenSQLite opens a migrated SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir(), Keys: Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

// OpenPostgres creates a PostgreSQL database for the test, migrates it and drops it afterwards.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	u := CreatePostgresDB(t)
	db, err := store.Open(context.Background(), store.Config{URL: u, Keys: Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

// CreatePostgresDB creates an empty database on the DANGJIAN_TEST_POSTGRES server, registers
// its removal, and returns its URL.
func CreatePostgresDB(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("DANGJIAN_TEST_POSTGRES")
	if admin == "" {
		t.Fatal("storetest: DANGJIAN_TEST_POSTGRES is not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "dangjian_test_" + hex.EncodeToString(b)
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		adb.Close()
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop database: %v", err)
		}
		adb.Close()
	})
	pu, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	pu.Path = "/" + name
	return pu.String()
}

// MustDo fails the test on err, naming what was being done.
func MustDo(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Errorf("%s: %w", what, err))
	}
}
