package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dangjian/internal/demo"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// cityOptions is the city-sized dataset of the figures.
var cityOptions = demo.CityOptions{Branches: 14000, Members: 300000, Seed: 1}

// logWriter passes progress lines to the benchmark log.
type logWriter struct{ tb testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// dbSize returns the bytes the database takes on disk.
func dbSize(b *testing.B, db *store.DB) int64 {
	var n int64
	q := `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
	if db.Engine() == store.Postgres {
		q = `SELECT pg_database_size(current_database())`
	}
	storetest.MustDo(b, "database size", db.RawQueryRow(context.Background(), q).Scan(&n))
	return n
}

// BenchmarkCity builds the synthetic city once per engine (SQLite in a temporary directory,
// PostgreSQL in a database dropped afterwards) and times the queries of the figures
// on it: go test ./internal/store -run '^$' -bench City/sqlite -benchtime 20x
func BenchmarkCity(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db := e.Open(b)
			start := time.Now()
			sum, err := demo.City(ctx, db, cityOptions, logWriter{b})
			storetest.MustDo(b, "build the city", err)
			b.Logf("%s: %d orgs, %d members (%v) loaded in %s, database %.0f MB", e.Name, sum.Orgs, sum.Members,
				sum.ByCategory, time.Since(start).Round(time.Millisecond), float64(dbSize(b, db))/(1<<20))

			var branch int64
			var branchSize int
			storetest.MustDo(b, "largest branch", db.RawQueryRow(ctx, `SELECT org_id, count(*) FROM members
				GROUP BY org_id ORDER BY count(*) DESC, org_id LIMIT 1`).Scan(&branch, &branchSize))
			root, err := db.FindOrgByCode(ctx, demo.CityCode)
			storetest.MustDo(b, "find root", err)
			unit, err := db.FindOrgByCode(ctx, demo.CityCode+"-01")
			storetest.MustDo(b, "find unit", err)
			_, unitSize, err := db.ListMembers(ctx, store.MemberFilter{Root: unit.ID, Limit: 1})
			storetest.MustDo(b, "count unit", err)
			b.Logf("largest branch: %d members; %s: %d members", branchSize, unit.Name, unitSize)

			b.Run("ListBranchMembersFirstPage", func(b *testing.B) {
				for b.Loop() {
					list, total, err := db.ListMembers(ctx, store.MemberFilter{OrgID: branch, Limit: 20})
					if err != nil || len(list) != 20 || total != branchSize {
						b.Fatalf("list: %d of %d, %v", len(list), total, err)
					}
				}
			})
			b.Run("CountByCategoryCity", func(b *testing.B) {
				for b.Loop() {
					n, err := db.CountByCategory(ctx, root.ID)
					if err != nil || n[party.Full]+n[party.Probation] != cityOptions.Members {
						b.Fatalf("count: %v, %v", n, err)
					}
				}
			})
			b.Run("ListSubtreeMembersFirstPage", func(b *testing.B) {
				for b.Loop() {
					list, total, err := db.ListMembers(ctx, store.MemberFilter{Root: unit.ID, Limit: 20})
					if err != nil || len(list) != 20 || total != unitSize {
						b.Fatalf("list: %d of %d, %v", len(list), total, err)
					}
				}
			})
		})
	}
}
