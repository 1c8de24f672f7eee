package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// CityEventsOptions says which year of events to generate for a synthetic city.
type CityEventsOptions struct {
	// Year is the calendar year generated; days from today on are left out.
	Year int
	// Seed makes the history reproducible.
	Seed uint64
}

// CityEventsSummary counts what CityEvents wrote.
type CityEventsSummary struct {
	Events     int
	Attendance int
	Elapsed    time.Duration
}

// cityEventBatch is how many attendance rows one bulk transaction writes.
const cityEventBatch = 250000

// cityGen generates and writes a city's events in batches.
type cityGen struct {
	db       *store.DB
	rng      *rand.Rand
	today    party.Date
	progress io.Writer
	start    time.Time
	batch    []*party.Event
	rows     int
	sum      CityEventsSummary
}

// CityEvents gives a synthetic city (built by City) one year of organizational life for
// scale tests: every branch's 支部委员会 (its first five members standing for the committee),
// 主题党日, 党员大会, 党课, 组织生活会 and 民主评议党员, every party group's 党小组会, and
// the 中心组 and 民主生活会 of the 党委 and 党组, with a few per cent missed and some committee
// meetings short of a quorum. At full scale (14,000 branches, 300,000 members) that is about
// 680,000 events and 10 million attendance rows, written through the store's bulk loader with
// one audit row per batch; progress goes to progress (nil: none).
func CityEvents(ctx context.Context, db *store.DB, opt CityEventsOptions, progress io.Writer) (*CityEventsSummary, error) {
	if progress == nil {
		progress = io.Discard
	}
	root, err := db.FindOrgByCode(ctx, CityCode)
	if err != nil {
		return nil, fmt.Errorf("demo: city events need a synthetic city: %w", err)
	}
	orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: root.ID})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	refs, err := db.MemberRefs(ctx, root.ID)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	byBranch := map[int64][]int64{}
	byGroup := map[int64][]int64{}
	for _, m := range refs {
		byBranch[m.OrgID] = append(byBranch[m.OrgID], m.ID)
		if m.GroupID != 0 {
			byGroup[m.GroupID] = append(byGroup[m.GroupID], m.ID)
		}
	}
	g := &cityGen{db: db, rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed)), today: party.Today(db.Now()),
		progress: progress, start: time.Now()}
	firstBranch := map[int64][]int64{} // unit -> members of its first branch, the 中心组
	for _, o := range orgs {
		if o.Kind == party.KindBranch {
			unit := unitOf(o)
			if _, ok := firstBranch[unit]; !ok {
				firstBranch[unit] = byBranch[o.ID]
			}
		}
	}
	for _, o := range orgs {
		var err error
		switch o.Kind {
		case party.KindCommittee, party.KindLeadingGroup:
			if ms := firstBranch[o.ID]; len(ms) > 0 {
				err = g.unit(ctx, o, ms[:min(7, len(ms))], opt.Year)
			}
		case party.KindBranch:
			err = g.branch(ctx, o, byBranch[o.ID], opt.Year)
		case party.KindGroup:
			err = g.group(ctx, o, byGroup[o.ID], opt.Year)
		}
		if err != nil {
			return nil, fmt.Errorf("demo: city events: %w", err)
		}
	}
	if err := g.flush(ctx); err != nil {
		return nil, fmt.Errorf("demo: city events: %w", err)
	}
	if err := db.Analyze(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	g.sum.Elapsed = time.Since(g.start)
	fmt.Fprintf(progress, "city events: done: %d events, %d attendance rows in %s\n", g.sum.Events, g.sum.Attendance,
		g.sum.Elapsed.Round(time.Millisecond))
	return &g.sum, nil
}

// unitOf returns the id of the organization directly under the city root above o (its 党委
// or 党组), read from the path /root/unit/....
func unitOf(o *party.Org) int64 {
	var ids []int64
	var n int64
	for _, c := range o.Path[1:] {
		if c == '/' {
			ids = append(ids, n)
			n = 0
			continue
		}
		n = n*10 + int64(c-'0')
	}
	if len(ids) < 2 {
		return 0
	}
	return ids[1]
}

// unit generates a 党委's or 党组's 中心组 sessions and, for a 党组, its 民主生活会.
func (g *cityGen) unit(ctx context.Context, o *party.Org, members []int64, year int) error {
	for m := time.January; m <= time.December; m++ {
		if err := g.add(ctx, o, party.TypeCenterGroup, g.day(year, m, 8, 14), "09:00", "理论学习中心组集中学习", members, 3, -1); err != nil {
			return err
		}
	}
	if o.Kind == party.KindLeadingGroup {
		return g.add(ctx, o, party.TypeDemocraticLife, g.day(year, time.January, 15, 25), "09:00", "年度民主生活会", members, 0, -1)
	}
	return nil
}

// cityStep is one event a generator adds: its type, day, time, title and expected people,
// the per cent of them skipped, and how many attend (-1: the usual).
type cityStep struct {
	typ     party.EventTypeCode
	day     party.Date
	clock   string
	title   string
	people  []int64
	skip    int
	present int
}

// branch generates one branch's year.
func (g *cityGen) branch(ctx context.Context, o *party.Org, members []int64, year int) error {
	if len(members) == 0 {
		return nil
	}
	committee := members[:min(5, len(members))]
	for m := time.January; m <= time.December; m++ {
		present := -1
		if g.rng.IntN(100) < 2 {
			present = len(committee) / 2 // short of a quorum
		}
		steps := []cityStep{
			{party.TypeBranchCommittee, g.day(year, m, 3, 8), "09:30", "支部委员会会议", committee, 3, present},
			{party.TypeThemeDay, g.day(year, m, 12, 18), "14:30", themeDays[m-1], members, 3, -1},
		}
		if m%3 == 0 {
			steps = append(steps, cityStep{party.TypeBranchAssembly, g.day(year, m, 20, 26), "14:30", "支部党员大会", members, 3, -1},
				cityStep{party.TypePartyLecture, g.day(year, m, 10, 16), "15:00", "专题党课", members, 5, -1})
		}
		if m == time.December {
			steps = append(steps, cityStep{party.TypeOrgLife, g.day(year, m, 10, 24), "09:00", "年度组织生活会", members, 2, -1},
				cityStep{party.TypeMemberReview, g.day(year, m, 10, 24), "14:30", "民主评议党员", members, 2, -1})
		}
		for _, s := range steps {
			if err := g.add(ctx, o, s.typ, s.day, s.clock, s.title, s.people, s.skip, s.present); err != nil {
				return err
			}
		}
	}
	return nil
}

// group generates one party group's monthly meetings.
func (g *cityGen) group(ctx context.Context, o *party.Org, members []int64, year int) error {
	if len(members) == 0 {
		return nil
	}
	for m := time.January; m <= time.December; m++ {
		if err := g.add(ctx, o, party.TypeGroupMeeting, g.day(year, m, 5, 25), "16:30", "党小组学习会", members, 4, -1); err != nil {
			return err
		}
	}
	return nil
}

// day returns a made-up day of month m between days lo and hi.
func (g *cityGen) day(year int, m time.Month, lo, hi int) party.Date {
	return party.Date{Year: year, Month: m, Day: lo + g.rng.IntN(hi-lo+1)}
}

// add queues one held event of o unless it falls from today on or is among the skip per cent
// left out; present >= 0 sets how many attend (the others being on leave or absent).
func (g *cityGen) add(ctx context.Context, o *party.Org, typ party.EventTypeCode, d party.Date, clock, title string,
	people []int64, skip, present int) error {
	if !d.Before(g.today) || !o.ActiveOn(d) || g.rng.IntN(100) < skip {
		return nil
	}
	start, err := party.At(d, clock)
	if err != nil {
		return err
	}
	e := &party.Event{OrgID: o.ID, Type: typ, Title: title, Status: party.EventHeld, StartAt: start,
		EndAt: start.Add(90 * time.Minute), Attendance: make([]party.Attendance, len(people))}
	for i, id := range people {
		a := party.Attendance{MemberID: id, Status: party.Present}
		switch r := g.rng.IntN(100); {
		case present >= 0 && i >= present:
			a.Status, a.Reason = party.Leave, "出差"
		case present >= 0:
		case r < 6:
			a.Status, a.Reason = party.Leave, leaveReasons[r%len(leaveReasons)]
		case r < 8:
			a.Status = party.Absent
		}
		e.Attendance[i] = a
	}
	g.batch = append(g.batch, e)
	g.rows += len(people)
	if g.rows >= cityEventBatch {
		return g.flush(ctx)
	}
	return nil
}

// flush writes the queued events.
func (g *cityGen) flush(ctx context.Context) error {
	if len(g.batch) == 0 {
		return nil
	}
	if err := g.db.BulkCreateEvents(ctx, g.batch); err != nil {
		return err
	}
	g.sum.Events += len(g.batch)
	g.sum.Attendance += g.rows
	fmt.Fprintf(g.progress, "city events: %d events, %d attendance rows written, %s\n", g.sum.Events, g.sum.Attendance,
		time.Since(g.start).Round(time.Millisecond))
	g.batch, g.rows = nil, 0
	return nil
}
