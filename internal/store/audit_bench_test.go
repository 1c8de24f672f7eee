package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// BenchmarkAuditOverhead measures what appending the audit row adds to a single-record write,
// the rename of an organization, each one transaction committed per call: the same SQL as
// UpdateOrg without the audit append ("bare"), with it ("audited"), and UpdateOrg itself. The
// three run interleaved in every iteration, bare and audited in alternating order, so that
// load from elsewhere on the machine weighs on all alike; each is reported in µs per call,
// with the audit's overhead in percent. The context can be canceled, as a request's is (the
// SQLite driver watches such a context during every statement):
// go test ./internal/store -run '^$' -bench AuditOverhead -benchtime 2000x
//
// What an append still costs is the row itself: on SQLite one prepared insert and one more page
// in the commit's WAL frames (a rename writes one page, so the append doubles what the commit's
// fsync carries); on PostgreSQL the insert and a savepoint, sent in the COMMIT's round trip.
func BenchmarkAuditOverhead(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := e.Open(b)
			o := &party.Org{Name: "中共测试局党组", Code: "B", Kind: party.KindLeadingGroup}
			storetest.MustDo(b, "create", db.CreateOrg(ctx, o))
			// A trail of some size, so the appends do not run against an empty index.
			for i := range 2000 {
				storetest.MustDo(b, "warm up", db.RenameOrgForBench(ctx, o.ID, fmt.Sprintf("预热%d", i), true))
			}
			var bare, audited, update time.Duration
			n := 0
			timed := func(d *time.Duration, write func(name string) error) {
				n++
				start := time.Now()
				if err := write(fmt.Sprintf("党组%d", n)); err != nil {
					b.Fatal(err)
				}
				*d += time.Since(start)
			}
			rename := func(audited bool) func(string) error {
				return func(name string) error { return db.RenameOrgForBench(ctx, o.ID, name, audited) }
			}
			for i := 0; b.Loop(); i++ {
				// The first write of a pair runs measurably slower than the second (the
				// same write twice measured 3-6 % apart), so the order alternates.
				if i%2 == 0 {
					timed(&bare, rename(false))
					timed(&audited, rename(true))
				} else {
					timed(&audited, rename(true))
					timed(&bare, rename(false))
				}
				timed(&update, func(name string) error {
					_, err := db.UpdateOrg(ctx, o.ID, store.OrgUpdate{Name: &name})
					return err
				})
			}
			per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
			b.ReportMetric(per(bare), "bare-µs/write")
			b.ReportMetric(per(audited), "audited-µs/write")
			b.ReportMetric(per(update), "UpdateOrg-µs/write")
			b.ReportMetric(100*(per(audited)-per(bare))/per(bare), "audit-overhead-%")
		})
	}
}

// BenchmarkAuditOverheadMember measures the same for the commonest single-record write of the
// program, UpdateMember (a member's 工作单位及职务 changed: validation, the ID and phone
// numbers encrypted again, the uniqueness checks, the diff), run with the audit append turned
// off and on in alternation, in alternating order:
// go test ./internal/store -run '^$' -bench AuditOverheadMember -benchtime 2000x
func BenchmarkAuditOverheadMember(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := e.Open(b)
			o := &party.Org{Name: "中共测试局党组", Code: "B", Kind: party.KindLeadingGroup}
			storetest.MustDo(b, "create", db.CreateOrg(ctx, o))
			br := &party.Org{Name: "机关党支部", Code: "B-JG", Kind: party.KindBranch, ParentID: o.ID}
			storetest.MustDo(b, "create", db.CreateOrg(ctx, br))
			m := member("张三", br.ID, 1)
			storetest.MustDo(b, "member", db.CreateMember(ctx, m))
			n := 0
			write := func() error {
				n++
				m.UnitPost = fmt.Sprintf("办公室科员%d", n)
				return db.UpdateMember(ctx, m)
			}
			for range 2000 {
				storetest.MustDo(b, "warm up", write())
			}
			var bare, audited time.Duration
			timed := func(d *time.Duration, skip bool) {
				db.SkipAuditForBench(skip)
				start := time.Now()
				if err := write(); err != nil {
					b.Fatal(err)
				}
				*d += time.Since(start)
			}
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					timed(&bare, true)
					timed(&audited, false)
				} else {
					timed(&audited, false)
					timed(&bare, true)
				}
			}
			db.SkipAuditForBench(false)
			per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
			b.ReportMetric(per(bare), "bare-µs/write")
			b.ReportMetric(per(audited), "audited-µs/write")
			b.ReportMetric(100*(per(audited)-per(bare))/per(bare), "audit-overhead-%")
		})
	}
}
