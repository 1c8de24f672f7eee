package store_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// tickingClock makes db's clock start at start and advance one minute per reading, so every
// write has its own time; set moves it.
type tickingClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(db *store.DB, start string) *tickingClock {
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		panic(err)
	}
	c := &tickingClock{t: t}
	db.Now = c.now
	return c
}

func (c *tickingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Minute)
	return c.t
}

func (c *tickingClock) set(s string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// seedAudit writes audit rows through ordinary store methods (the test tree, three members, an
// update) and returns how many it wrote.
func seedAudit(t *testing.T, db *store.DB) int {
	t.Helper()
	ctx := context.Background()
	tr := mkTree(t, db)
	for i, name := range []string{"张三", "李四", "王五"} {
		storetest.MustDo(t, "create "+name, db.CreateMember(ctx, member(name, tr.branch.ID, 100+i)))
	}
	note := "更名"
	_, err := db.UpdateOrg(ctx, tr.other.ID, store.OrgUpdate{Name: ptr("体育运动学校党支部"), Note: &note})
	storetest.MustDo(t, "update org", err)
	return 5 + 3 + 1
}

func ptr[T any](v T) *T { return &v }

// verify runs VerifyAudit and fails the test on an error.
func verify(t *testing.T, db *store.DB) *store.AuditCheck {
	t.Helper()
	c, err := db.VerifyAudit(context.Background(), nil)
	storetest.MustDo(t, "verify", err)
	return c
}

// auditRow reads the hash and time of audit row id.
func auditRow(t *testing.T, db *store.DB, id int64) (prevHash, hash, at string) {
	t.Helper()
	storetest.MustDo(t, "read audit row", db.RawQueryRow(context.Background(),
		`SELECT prev_hash, hash, at FROM audit_log WHERE id = $1`, id).Scan(&prevHash, &hash, &at))
	return prevHash, hash, at
}

// wantFault fails the test unless c reports a fault of kind at row id.
// reopen opens a second handle on db's database, closed when the test ends.
func reopen(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	other, err := db.Reopen(context.Background())
	storetest.MustDo(t, "reopen", err)
	t.Cleanup(func() { other.Close() })
	return other
}

func wantFault(t *testing.T, c *store.AuditCheck, kind string, id int64) {
	t.Helper()
	if c.Fault == nil {
		t.Fatalf("chain of %d rows verified; want a fault (%s) at row %d", c.Rows, kind, id)
	}
	if c.Fault.Kind != kind || c.Fault.ID != id {
		t.Fatalf("fault %s at row %d (%s); want %s at row %d", c.Fault.Kind, c.Fault.ID, c.Fault.Message, kind, id)
	}
	if !strings.Contains(c.Fault.Message, fmt.Sprintf("第%d条", id)) {
		t.Fatalf("message does not name row %d: %s", id, c.Fault.Message)
	}
}

func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	t.Run("IntactChainVerifies", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			n := seedAudit(t, db)
			c := verify(t, db)
			if c.Fault != nil || c.Rows != n || c.LastID != int64(n) || len(c.LastHash) != 64 {
				t.Fatalf("got %+v (fault %+v), want %d rows and no fault", c, c.Fault, n)
			}
			// Rows chain one to the next from the all-zero genesis.
			prev, _, _ := auditRow(t, db, 1)
			if prev != strings.Repeat("0", 64) {
				t.Fatalf("first row chains from %q", prev)
			}
			_, h3, _ := auditRow(t, db, 3)
			if p4, _, _ := auditRow(t, db, 4); p4 != h3 {
				t.Fatalf("row 4 prev_hash %s, row 3 hash %s", p4, h3)
			}
		})
	})
	t.Run("AlteredRowIsNamed", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			seedAudit(t, db)
			_, _, at := auditRow(t, db, 6)
			storetest.MustDo(t, "tamper", db.ExecRaw(ctx, `UPDATE audit_log SET detail = '[]' WHERE id = 6`))
			c := verify(t, db)
			wantFault(t, c, store.FaultAltered, 6)
			if c.Rows != 5 || c.Fault.At.Format("2006-01-02T15:04:05.000000Z") != at {
				t.Fatalf("rows %d, fault time %v; want 5 rows and time %s", c.Rows, c.Fault.At, at)
			}
			if !strings.Contains(c.Fault.Message, "2026-03-01 16:") {
				t.Fatalf("message does not show the row's time in Beijing time: %s", c.Fault.Message)
			}
		})
	})
	t.Run("AlteredColumnOfEveryKindIsCaught", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			seedAudit(t, db)
			sets := []string{`username = 'admin'`, `source = '10.0.0.9'`, `action = 'delete'`, `object_type = 'member'`,
				`object_id = 999`, `org_id = NULL`, `user_id = 0`, `at = '2025-01-01T00:00:00.000000Z'`, `ok = $2`}
			// Only the first fault is reported: damage rows from the last to the first, so each
			// new fault comes before the ones left in place.
			for i := len(sets) - 1; i >= 0; i-- {
				id := int64(i + 1)
				args := []any{id}
				if strings.Contains(sets[i], "$2") {
					args = append(args, false)
				}
				storetest.MustDo(t, "tamper", db.ExecRaw(ctx, `UPDATE audit_log SET `+sets[i]+` WHERE id = $1`, args...))
				wantFault(t, verify(t, db), store.FaultAltered, id)
			}
		})
	})
	t.Run("RemovedRowInTheMiddleIsNamed", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			seedAudit(t, db)
			storetest.MustDo(t, "delete", db.ExecRaw(ctx, `DELETE FROM audit_log WHERE id = 4`))
			c := verify(t, db)
			wantFault(t, c, store.FaultRemoved, 4)
			if !c.Fault.At.IsZero() || !strings.Contains(c.Fault.Message, "第3条") || !strings.Contains(c.Fault.Message, "第5条") {
				t.Fatalf("a removed row names its neighbours: %+v", c.Fault)
			}
		})
	})
	t.Run("RemovedRowsAtTheEndAreNamedAgainstTheLastCheck", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			n := int64(seedAudit(t, db))
			last := verify(t, db)
			storetest.MustDo(t, "delete", db.ExecRaw(ctx, `DELETE FROM audit_log WHERE id >= $1`, n-1))
			// Nothing inside the database tells a shorter trail from an intact one...
			if c := verify(t, db); c.Fault != nil || c.LastID != n-2 {
				t.Fatalf("without the last check's anchor: %+v, fault %+v", c, c.Fault)
			}
			// ...the last row an earlier check printed does.
			c, err := db.VerifyAudit(ctx, &store.AuditAnchor{ID: last.LastID, Hash: last.LastHash})
			storetest.MustDo(t, "verify", err)
			wantFault(t, c, store.FaultRemoved, n-1)
			if !strings.Contains(c.Fault.Message, fmt.Sprintf("第%d条至第%d条", n-1, n)) {
				t.Fatalf("message: %s", c.Fault.Message)
			}
		})
	})
	t.Run("RowsRemovedAtTheEndAndWrittenOverAreNamed", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			n := int64(seedAudit(t, db))
			last := verify(t, db)
			storetest.MustDo(t, "delete", db.ExecRaw(ctx, `DELETE FROM audit_log WHERE id >= $1`, n-1))
			// A fresh handle, as after a restart: it finds the head in the table, not in memory.
			other := reopen(t, db)
			for i := range 3 {
				storetest.MustDo(t, "create", other.CreateOrg(ctx, &party.Org{Name: fmt.Sprintf("新党组%d", i),
					Code: fmt.Sprintf("N%d", i), Kind: party.KindLeadingGroup}))
			}
			if c := verify(t, db); c.Fault != nil || c.LastID != n+1 {
				t.Fatalf("the new rows chain after the shortened trail: %+v, fault %+v", c, c.Fault)
			}
			c, err := db.VerifyAudit(ctx, &store.AuditAnchor{ID: last.LastID, Hash: last.LastHash})
			storetest.MustDo(t, "verify", err)
			wantFault(t, c, store.FaultRemoved, n)
		})
	})
	t.Run("ForgedRowAtTheEndIsNamed", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			n := int64(seedAudit(t, db))
			_, last, _ := auditRow(t, db, n)
			storetest.MustDo(t, "insert", db.ExecRaw(ctx, `INSERT INTO audit_log (id, at, username, source, action,
				object_type, ok, detail, prev_hash, hash) VALUES ($1, '2026-03-02T00:00:00.000000Z', 'admin', 'cli',
				'delete', 'member', $2, '', $3, $4)`, n+1, true, last, strings.Repeat("ab", 32)))
			c := verify(t, db)
			wantFault(t, c, store.FaultAltered, n+1)
			if !strings.Contains(c.Fault.Message, "伪造") {
				t.Fatalf("message: %s", c.Fault.Message)
			}
		})
	})
	t.Run("ForgedRowInPlaceOfARemovedOneIsNamed", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			seedAudit(t, db)
			_, h2, _ := auditRow(t, db, 2)
			_, h3, at3 := auditRow(t, db, 3)
			storetest.MustDo(t, "delete", db.ExecRaw(ctx, `DELETE FROM audit_log WHERE id = 3`))
			storetest.MustDo(t, "insert", db.ExecRaw(ctx, `INSERT INTO audit_log (id, at, username, source, action,
				object_type, ok, detail, prev_hash, hash) VALUES (3, $1, 'system', 'system', 'create', 'org', $2, '', $3, $4)`,
				at3, true, h2, h3))
			wantFault(t, verify(t, db), store.FaultAltered, 3)
		})
	})
	t.Run("ConcurrentWritersNeverShareAPredecessor", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			top := &party.Org{Name: "中共并发局党组", Code: "C", Kind: party.KindLeadingGroup}
			storetest.MustDo(t, "create top", db.CreateOrg(ctx, top))
			const writers, each = 8, 10
			var wg sync.WaitGroup
			errs := make(chan error, writers*each)
			for w := range writers {
				wg.Go(func() {
					for i := range each {
						errs <- db.CreateOrg(ctx, &party.Org{Name: fmt.Sprintf("第%d支部%d", w, i),
							Code: fmt.Sprintf("C-%d-%d", w, i), Kind: party.KindBranch, ParentID: top.ID})
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				storetest.MustDo(t, "concurrent create", err)
			}
			c := verify(t, db)
			if c.Fault != nil || c.Rows != 1+writers*each {
				t.Fatalf("after concurrent writes: %d rows, fault %+v", c.Rows, c.Fault)
			}
			var distinct int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(DISTINCT prev_hash) FROM audit_log`).Scan(&distinct))
			if distinct != 1+writers*each {
				t.Fatalf("%d distinct predecessors for %d rows", distinct, 1+writers*each)
			}
		})
	})
	t.Run("AuditRowThatCannotBeWrittenFailsTheWrite", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			n := seedAudit(t, db)
			// The database refuses audit rows of creations from now on.
			refuse, allow := `CREATE TRIGGER refuse_create BEFORE INSERT ON audit_log WHEN NEW.action = 'create'
				BEGIN SELECT RAISE(ABORT, 'refused'); END`, `DROP TRIGGER refuse_create`
			if db.Engine() == store.Postgres {
				refuse, allow = `ALTER TABLE audit_log ADD CONSTRAINT refuse_create CHECK (action <> 'create') NOT VALID`,
					`ALTER TABLE audit_log DROP CONSTRAINT refuse_create`
			}
			storetest.MustDo(t, "refuse", db.ExecRaw(ctx, refuse))
			for i := range 3 {
				if err := db.CreateOrg(ctx, &party.Org{Name: "未能记录的党组", Code: fmt.Sprintf("R%d", i), Kind: party.KindLeadingGroup}); err == nil {
					t.Fatal("a write whose audit row was refused went through")
				}
			}
			var orgs int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM orgs WHERE code LIKE 'R%'`).Scan(&orgs))
			if orgs != 0 {
				t.Fatalf("%d organizations written without their audit rows", orgs)
			}
			storetest.MustDo(t, "allow", db.ExecRaw(ctx, allow))
			// Every connection the failed writes used is back in order.
			const more = 25
			for i := range more {
				storetest.MustDo(t, "create", db.CreateOrg(ctx, &party.Org{Name: fmt.Sprintf("之后的党组%d", i),
					Code: fmt.Sprintf("A%d", i), Kind: party.KindLeadingGroup}))
			}
			if c := verify(t, db); c.Fault != nil || c.Rows != n+more || c.LastID != int64(n+more) {
				t.Fatalf("got %d rows to id %d, fault %+v; want %d", c.Rows, c.LastID, c.Fault, n+more)
			}
		})
	})
	t.Run("RowTimesNeverGoBack", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			clock := newClock(db, "2026-03-01T08:00:00Z")
			n := int64(seedAudit(t, db))
			_, _, last := auditRow(t, db, n)
			clock.set("2026-02-01T08:00:00Z") // the server's clock is set back a month
			storetest.MustDo(t, "create", db.CreateOrg(ctx, &party.Org{Name: "回拨后的党组", Code: "BK", Kind: party.KindLeadingGroup}))
			if _, _, at := auditRow(t, db, n+1); at != last {
				t.Fatalf("row written after the clock went back: time %s, its predecessor's %s", at, last)
			}
			// A search by time, which relies on the order, finds it.
			from, _ := time.Parse("2006-01-02T15:04:05.000000Z", last)
			rows, total, err := db.SearchAudit(ctx, store.AuditFilter{From: from})
			storetest.MustDo(t, "search", err)
			if total != 2 || rows[0].ID != n+1 || rows[1].ID != n {
				t.Fatalf("search from %s: %d rows %+v", last, total, rows)
			}
		})
	})
	t.Run("FailedWriteLeavesNoRowAndNoGap", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			newClock(db, "2026-03-01T08:00:00Z")
			n := seedAudit(t, db)
			err := db.CreateOrg(ctx, &party.Org{Name: "重复编码", Code: "T", Kind: party.KindLeadingGroup})
			if party.ErrorCode(err) != party.ECONFLICT {
				t.Fatalf("duplicate code: %v", err)
			}
			storetest.MustDo(t, "create", db.CreateOrg(ctx, &party.Org{Name: "另一党组", Code: "T2", Kind: party.KindLeadingGroup}))
			c := verify(t, db)
			if c.Fault != nil || c.Rows != n+1 || c.LastID != int64(n+1) {
				t.Fatalf("got %d rows to id %d, fault %+v; want %d", c.Rows, c.LastID, c.Fault, n+1)
			}
		})
	})
}

func TestAuditChainStartsAfterRowsOlderThanIt(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := openAt(t, e, 1)
			for i := 1; i <= 3; i++ {
				storetest.MustDo(t, "legacy row", db.ExecRaw(ctx, `INSERT INTO audit_log (id, at, username, source,
					action, object_type, ok, detail) VALUES ($1, '2025-12-01T00:00:00.000000Z', 'system', 'system',
					'create', 'org', $2, '')`, i, true))
			}
			storetest.MustDo(t, "migrate", db.Migrate(ctx))
			newClock(db, "2026-03-01T08:00:00Z")
			storetest.MustDo(t, "create", db.CreateOrg(ctx, &party.Org{Name: "中共测试局党组", Code: "T", Kind: party.KindLeadingGroup}))
			c := verify(t, db)
			if c.Fault != nil || c.Rows != 1 || c.Legacy != 3 || c.LastID != 4 {
				t.Fatalf("got %+v, fault %+v; want 1 chained row (id 4) after 3 legacy rows", c, c.Fault)
			}
			if prev, _, _ := auditRow(t, db, 4); prev != strings.Repeat("0", 64) {
				t.Fatalf("first chained row chains from %q", prev)
			}
		})
	}
}

// TestAuditChainAcrossProcesses guards the append's hint of the head: two handles on one
// database (two processes, or a command run beside the server) each find the head moved by
// the other and chain after it.
func TestAuditChainAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			cfg := store.Config{DataDir: t.TempDir(), Keys: storetest.Keys(t)}
			if e.Name == store.Postgres {
				cfg.URL = storetest.CreatePostgresDB(t)
			}
			var dbs [2]*store.DB
			for i := range dbs {
				db, err := store.Open(ctx, cfg)
				storetest.MustDo(t, "open", err)
				t.Cleanup(func() { db.Close() })
				storetest.MustDo(t, "migrate", db.Migrate(ctx))
				newClock(db, "2026-03-01T08:00:00Z")
				dbs[i] = db
			}
			const n = 6
			for i := range n {
				storetest.MustDo(t, "create", dbs[i%2].CreateOrg(ctx, &party.Org{Name: fmt.Sprintf("第%d党组", i),
					Code: fmt.Sprintf("P%d", i), Kind: party.KindLeadingGroup}))
			}
			for _, db := range dbs {
				if c := verify(t, db); c.Fault != nil || c.Rows != n || c.LastID != n {
					t.Fatalf("got %d rows to id %d, fault %+v; want %d", c.Rows, c.LastID, c.Fault, n)
				}
			}
		})
	}
}

func TestAuditPurge(t *testing.T) {
	ctx := context.Background()
	// seedOld writes rows in January and in March, then sets the clock to September.
	seedOld := func(t *testing.T, db *store.DB) (clock *tickingClock, jan int) {
		clock = newClock(db, "2026-01-10T08:00:00Z")
		jan = seedAudit(t, db)
		clock.set("2026-03-10T08:00:00Z")
		storetest.MustDo(t, "create", db.CreateOrg(ctx, &party.Org{Name: "三月党组", Code: "M", Kind: party.KindLeadingGroup}))
		clock.set("2026-09-20T08:00:00Z")
		return clock, jan
	}
	cut := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	t.Run("YoungerThanRetentionIsRefused", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			_, jan := seedOld(t, db)
			_, err := db.PurgeAudit(ctx, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
			if party.ErrorCode(err) != party.EINVALID || !strings.Contains(party.ErrorMessage(err), "184天") {
				t.Fatalf("got %v, want invalid naming 184 days", err)
			}
			if c := verify(t, db); c.Fault != nil || c.Rows != jan+1 {
				t.Fatalf("a refused purge changed the trail: %+v", c)
			}
		})
	})
	t.Run("PurgeKeepsTheChainVerifiable", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			_, jan := seedOld(t, db)
			n, err := db.PurgeAudit(ctx, cut)
			storetest.MustDo(t, "purge", err)
			if n != int64(jan) {
				t.Fatalf("purged %d rows, want %d", n, jan)
			}
			c := verify(t, db)
			if c.Fault != nil || c.Rows != 2 {
				t.Fatalf("after purge: %d rows, fault %+v; want the March row and the purge row", c.Rows, c.Fault)
			}
			rows, total, err := db.SearchAudit(ctx, store.AuditFilter{Action: store.ActPurge})
			storetest.MustDo(t, "search", err)
			if total != 1 || !strings.Contains(rows[0].Detail, fmt.Sprintf(`"through_id":"%d"`, jan)) {
				t.Fatalf("purge row: %+v", rows)
			}
			// Appending goes on, and a second purge with nothing older deletes nothing.
			storetest.MustDo(t, "create", db.CreateOrg(ctx, &party.Org{Name: "九月党组", Code: "S", Kind: party.KindLeadingGroup}))
			n, err = db.PurgeAudit(ctx, cut)
			storetest.MustDo(t, "purge again", err)
			if c := verify(t, db); n != 0 || c.Fault != nil || c.Rows != 3 {
				t.Fatalf("second purge deleted %d; chain %+v fault %+v", n, c, c.Fault)
			}
		})
	})
	t.Run("RowsRemovedFromTheStartWithoutAPurgeAreCaught", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			_, jan := seedOld(t, db)
			_, err := db.PurgeAudit(ctx, cut)
			storetest.MustDo(t, "purge", err)
			// Someone deletes the next row too and moves the genesis to it.
			next := int64(jan + 1)
			_, h, _ := auditRow(t, db, next)
			storetest.MustDo(t, "delete", db.ExecRaw(ctx, `DELETE FROM audit_log WHERE id = $1`, next))
			storetest.MustDo(t, "move genesis", db.SetMeta(ctx, "audit_genesis", fmt.Sprintf("%d:%s", next, h)))
			wantFault(t, verify(t, db), store.FaultRemoved, next)
		})
	})
	t.Run("BrokenChainIsNotPurged", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			_, jan := seedOld(t, db)
			storetest.MustDo(t, "tamper", db.ExecRaw(ctx, `UPDATE audit_log SET detail = '' WHERE id = 2`))
			_, err := db.PurgeAudit(ctx, cut)
			if party.ErrorCode(err) != party.ECONFLICT || !strings.Contains(party.ErrorMessage(err), "第2条") {
				t.Fatalf("got %v, want conflict naming row 2", err)
			}
			var n int
			storetest.MustDo(t, "count", db.RawQueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&n))
			if n != jan+1 {
				t.Fatalf("%d rows left, want %d", n, jan+1)
			}
		})
	})
}

func TestSearchAudit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock(db, "2026-03-01T08:00:00Z")
		tr := mkTree(t, db) // 5 rows by "system"
		clock.set("2026-04-01T08:00:00Z")
		alice := party.WithActor(ctx, party.Actor{UserID: 7, Username: "alice", Source: "10.1.2.3"})
		for i, name := range []string{"张三", "李四"} {
			storetest.MustDo(t, "create", db.CreateMember(alice, member(name, tr.branch.ID, 200+i)))
		}
		_, err := db.UpdateOrg(alice, tr.branch.ID, store.OrgUpdate{Note: ptr("四月")})
		storetest.MustDo(t, "update", err)
		cases := []struct {
			name  string
			f     store.AuditFilter
			total int
			first int64
		}{
			{"Everything", store.AuditFilter{}, 8, 8},
			{"ByUser", store.AuditFilter{Username: "alice"}, 3, 8},
			{"ByAction", store.AuditFilter{Action: store.ActCreate}, 7, 7},
			{"ByObjectType", store.AuditFilter{ObjectType: store.ObjMember}, 2, 7},
			{"ByObject", store.AuditFilter{ObjectType: store.ObjOrg, ObjectID: tr.branch.ID}, 2, 8},
			{"ByTime", store.AuditFilter{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
				To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}, 5, 5},
			{"SecondPage", store.AuditFilter{Offset: 2, Limit: 2}, 8, 6},
			{"BeforeID", store.AuditFilter{BeforeID: 4}, 3, 3},
			{"NoMatch", store.AuditFilter{Username: "nobody"}, 0, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rows, total, err := db.SearchAudit(ctx, c.f)
				storetest.MustDo(t, "search", err)
				var first int64
				if len(rows) > 0 {
					first = rows[0].ID
				}
				if total != c.total || first != c.first {
					t.Fatalf("total %d, first id %d; want %d, %d", total, first, c.total, c.first)
				}
				for i := 1; i < len(rows); i++ {
					if rows[i].ID >= rows[i-1].ID {
						t.Fatalf("not newest first: %d after %d", rows[i].ID, rows[i-1].ID)
					}
				}
			})
		}
		t.Run("EntryFields", func(t *testing.T) {
			rows, _, err := db.SearchAudit(ctx, store.AuditFilter{Limit: 1})
			storetest.MustDo(t, "search", err)
			e := rows[0]
			if e.UserID != 7 || e.Username != "alice" || e.Source != "10.1.2.3" || e.Action != store.ActUpdate ||
				e.ObjectType != store.ObjOrg || e.ObjectID != tr.branch.ID || e.OrgID != tr.branch.ID || !e.OK ||
				!strings.Contains(e.Detail, "四月") || !e.At.Equal(time.Date(2026, 4, 1, 8, 3, 0, 0, time.UTC)) {
				t.Fatalf("entry: %+v", e)
			}
		})
		t.Run("PastTheLastPageKeepsTheTotal", func(t *testing.T) {
			rows, total, err := db.SearchAudit(ctx, store.AuditFilter{Offset: 50})
			storetest.MustDo(t, "search", err)
			if len(rows) != 0 || total != 8 {
				t.Fatalf("%d rows, total %d", len(rows), total)
			}
		})
	})
}

// personalData matches what must never appear in the audit trail: 18-character ID numbers
// and mainland mobile numbers, anywhere in a value (no word boundaries, to be strict).
var personalData = regexp.MustCompile(`\d{17}[\dXx]|1[3-9]\d{9}`)

// scanAuditForPersonalData returns every audit value (except the hashes) that holds an ID
// number or a phone number.
func scanAuditForPersonalData(t *testing.T, db *store.DB) []string {
	t.Helper()
	var hits []string
	for before := int64(0); ; {
		rows, _, err := db.SearchAudit(context.Background(), store.AuditFilter{BeforeID: before, Limit: store.MaxAuditPage})
		storetest.MustDo(t, "search", err)
		for _, e := range rows {
			for _, v := range []string{e.Username, e.Source, e.Action, e.ObjectType, e.Detail} {
				if personalData.MatchString(v) {
					hits = append(hits, fmt.Sprintf("row %d: %s", e.ID, v))
				}
			}
		}
		if len(rows) < store.MaxAuditPage {
			return hits
		}
		before = rows[len(rows)-1].ID
	}
}

func TestAuditHoldsNoIDOrPhoneNumbers(t *testing.T) {
	if !personalData.MatchString(`{"note":"电话13912345678"}`) || !personalData.MatchString("11010119850615001X") {
		t.Fatal("the scanner does not recognise the values it looks for")
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newClock(db, "2026-03-01T08:00:00Z")
		tr := mkTree(t, db)
		m := member("张三", tr.branch.ID, 300)
		m.Note = "联系电话13912345678，身份证" + idFor("1985-06-15", true, 301) + "，银行卡6222020200112233445"
		storetest.MustDo(t, "create", db.CreateMember(ctx, m))
		m.Phone = "15987654321"
		m.IDNumber = party.IDNumber(idFor("1985-06-15", true, 302))
		m.UnitPost = "办公室（+8613700001111）"
		storetest.MustDo(t, "update", db.UpdateMember(ctx, m))
		_, err := db.TransferOut(ctx, m.ID, day("2026-02-01"), "外省党支部（电话18600002222）", "经办人手机 186 0000 2222 / 18600003333")
		storetest.MustDo(t, "transfer out", err)
		storetest.MustDo(t, "bulk", db.BulkCreateMembers(ctx, []*party.Member{member("李四", tr.branch.ID, 303)}))
		res, err := db.ImportMembers(ctx, tr.top.ID, []party.MemberRow{{Row: 2, Member: *member("王五", tr.branch.ID, 304), Branch: "机关党支部"}}, false)
		storetest.MustDo(t, "import", err)
		if len(res.Errors) > 0 {
			t.Fatalf("import errors: %v", res.Errors)
		}
		storetest.MustDo(t, "export", db.RecordExport(ctx, store.ObjMember, tr.top.ID, map[string]string{"file": "名册13812345678.xlsx"}))
		if hits := scanAuditForPersonalData(t, db); len(hits) > 0 {
			t.Fatalf("audit rows hold ID or phone numbers:\n%s", strings.Join(hits, "\n"))
		}
		rows, err := db.AuditFor(ctx, store.ObjMember, m.ID, 10)
		storetest.MustDo(t, "audit for", err)
		if len(rows) == 0 || !strings.Contains(rows[len(rows)-1].Detail, "139****5678") {
			t.Fatalf("the note's phone number should stay recognisable, masked: %+v", rows)
		}
		if c := verify(t, db); c.Fault != nil {
			t.Fatalf("masked rows must verify: %+v", c.Fault)
		}
	})
}
