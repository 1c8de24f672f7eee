package compliance_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangjian/internal/compliance"
	"dangjian/internal/demo"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// logWriter passes progress lines to the benchmark log.
type logWriter struct{ tb testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// benchScale is the fraction of the city (14,000 branches, 300,000 members) to build:
// DANGJIAN_BENCH_SCALE, 1 by default.
func benchScale(b *testing.B) float64 {
	s := os.Getenv("DANGJIAN_BENCH_SCALE")
	if s == "" {
		return 1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1 {
		b.Fatalf("DANGJIAN_BENCH_SCALE=%q: want a number in (0, 1]", s)
	}
	return f
}

// BenchmarkCityEvents builds the synthetic city with one year (2025) of events once per engine
// and times the figures on it:
//
//	go test ./internal/compliance -run '^$' -bench CityEvents/sqlite -benchtime 10x -timeout 60m
func BenchmarkCityEvents(b *testing.B) {
	scale := benchScale(b)
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db := e.Open(b)
			db.Now = func() time.Time { return time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC) }
			today := party.Today(db.Now())
			opt := demo.CityOptions{Branches: int(14000 * scale), Members: int(300000 * scale), Seed: 1}
			start := time.Now()
			_, err := demo.City(ctx, db, opt, nil)
			storetest.MustDo(b, "city", err)
			b.Logf("%s: city of %d branches, %d members built in %s", e.Name, opt.Branches, opt.Members, time.Since(start).Round(time.Second))
			start = time.Now()
			sum, err := demo.CityEvents(ctx, db, demo.CityEventsOptions{Year: 2025, Seed: 1}, nil)
			storetest.MustDo(b, "events", err)
			b.Logf("%s: %d events, %d attendance rows generated in %s", e.Name, sum.Events, sum.Attendance, time.Since(start).Round(time.Second))

			root, err := db.FindOrgByCode(ctx, demo.CityCode)
			storetest.MustDo(b, "root", err)
			var branch int64
			var size int
			storetest.MustDo(b, "largest branch", db.RawQueryRow(ctx, `SELECT org_id, count(*) FROM members
				GROUP BY org_id ORDER BY count(*) DESC, org_id LIMIT 1`).Scan(&branch, &size))
			var thirty int64
			storetest.MustDo(b, "a branch of 30", db.RawQueryRow(ctx, `SELECT org_id FROM members
				GROUP BY org_id HAVING count(*) = 30 ORDER BY org_id LIMIT 1`).Scan(&thirty))
			h1, _ := party.ParsePeriod("2025H1")
			b.Logf("largest branch: %d members", size)

			b.Run("ComplianceCityHalfYear", func(b *testing.B) {
				for b.Loop() {
					r, err := compliance.ForPeriod(ctx, db, root.ID, h1, today)
					if err != nil || len(r.Rows) < opt.Branches {
						b.Fatalf("compliance: %d rows, %v", len(r.Rows), err)
					}
				}
			})
			b.Run("ComplianceOneBranch", func(b *testing.B) {
				for b.Loop() {
					r, err := compliance.ForPeriod(ctx, db, branch, h1, today)
					if err != nil || len(r.Rows) == 0 {
						b.Fatalf("compliance: %d rows, %v", len(r.Rows), err)
					}
				}
			})
			b.Run("CalendarBranchMonth", func(b *testing.B) {
				for b.Loop() {
					list, _, err := db.ListEvents(ctx, store.EventFilter{Root: branch, From: party.Date{Year: 2025, Month: 3, Day: 1},
						To: party.Date{Year: 2025, Month: 4, Day: 1}})
					if err != nil || len(list) == 0 {
						b.Fatalf("calendar: %d events, %v", len(list), err)
					}
				}
			})
			b.Run("RecordEvent30", func(b *testing.B) {
				// Every iteration records a meeting of the same day: the store allows that.
				day := today.AddDays(-1)
				for b.Loop() {
					start, _ := party.At(day, "14:30")
					ev := &party.Event{OrgID: thirty, Type: party.TypeThemeDay, Title: "主题党日", StartAt: start,
						EndAt: start.Add(90 * time.Minute)}
					if err := db.RecordEvent(ctx, ev, nil); err != nil || ev.Expected != 30 {
						b.Fatalf("record: %d expected, %v", ev.Expected, err)
					}
				}
			})
		})
	}
}
