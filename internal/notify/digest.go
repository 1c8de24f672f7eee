// Package notify builds the reminders of organizational life (what is planned in the coming
// week, what falls due, what is overdue) for organization subtrees, and sends them as one
// summary per run through the channels an administrator configured: e-mail, DingTalk and WeCom
// group robots. Sending is rate-limited and retried, and a failure is recorded for the
// administrator without ever blocking the program.
package notify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"dangjian/internal/compliance"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Horizon is how many days ahead reminders look.
const Horizon = 7

// unrecordedFallbackDays is how far back planned events not yet recorded as held are listed
// in a database that does not know its ledger start; otherwise they are listed back to it.
const unrecordedFallbackDays = 366

// Digest is the reminder list of some subtrees on one day.
type Digest struct {
	Today party.Date
	// Upcoming are the planned events of the next Horizon days.
	Upcoming []*party.Event
	// Unrecorded are planned events whose day has passed without being recorded as held or
	// cancelled, back to the installation's ledger start, the latest first: they stay until
	// someone records them. UnrecordedBeyond counts those left off the list (2000 at most are
	// listed per subtree).
	Unrecorded       []*party.Event
	UnrecordedBeyond int
	// Due are obligations with a deadline in the next Horizon days, not yet met.
	Due []compliance.Item
	// Overdue are obligations whose period ended with events lacking.
	Overdue []compliance.Item
}

// Count returns the number of items in d.
func (d *Digest) Count() int {
	return len(d.Upcoming) + len(d.Unrecorded) + len(d.Due) + len(d.Overdue)
}

// Collect builds the digest of the subtrees of roots on day today; a user's in-app list is the
// digest of the subtrees of their grants. Overlapping subtrees list each item once.
func Collect(ctx context.Context, db *store.DB, roots []int64, today party.Date) (*Digest, error) {
	d := &Digest{Today: today}
	seenEvent := map[int64]bool{}
	seenItem := map[string]bool{}
	addEvents := func(dst *[]*party.Event, list []*party.Event) {
		for _, e := range list {
			if !seenEvent[e.ID] {
				seenEvent[e.ID] = true
				*dst = append(*dst, e)
			}
		}
	}
	addItems := func(dst *[]compliance.Item, list []compliance.Item) {
		for _, it := range list {
			k := fmt.Sprintf("%d|%s|%s", it.OrgID, it.Type, it.Period)
			if !seenItem[k] {
				seenItem[k] = true
				*dst = append(*dst, it)
			}
		}
	}
	since, err := db.LedgerStart(ctx)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if since.IsZero() {
		since = today.AddDays(-unrecordedFallbackDays)
	}
	for _, root := range roots {
		upcoming, _, err := db.ListEvents(ctx, store.EventFilter{Root: root, From: today, To: today.AddDays(Horizon),
			Status: party.EventPlanned, Limit: 2000})
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		addEvents(&d.Upcoming, upcoming)
		late, total, err := db.ListEvents(ctx, store.EventFilter{Root: root, From: since, To: today,
			Status: party.EventPlanned, Newest: true, Limit: 2000})
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		addEvents(&d.Unrecorded, late)
		d.UnrecordedBeyond += total - len(late)
		due, overdue, err := compliance.DueAndOverdue(ctx, db, root, today, today.AddDays(Horizon-1))
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		addItems(&d.Due, due)
		addItems(&d.Overdue, overdue)
	}
	byStart := func(list []*party.Event) {
		sort.SliceStable(list, func(i, j int) bool { return list[i].StartAt.Before(list[j].StartAt) })
	}
	byStart(d.Upcoming)
	sort.SliceStable(d.Unrecorded, func(i, j int) bool { return d.Unrecorded[i].StartAt.After(d.Unrecorded[j].StartAt) })
	return d, nil
}

// Message is one summary to send.
type Message struct {
	Title    string
	Markdown string
}

// Message renders d as one markdown summary, listing at most perSection lines in each section
// and saying how many more there are.
func (d *Digest) Message(scope string, perSection int) Message {
	title := fmt.Sprintf("党建工作提醒（%s）", d.Today.Chinese())
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	if scope != "" {
		fmt.Fprintf(&b, "范围：%s\n\n", scope)
	}
	if d.Count() == 0 {
		b.WriteString("近期没有需要提醒的事项。\n")
		return Message{Title: title, Markdown: b.String()}
	}
	// section lists the first perSection of the n items listed, of total in all.
	section := func(head string, n, total int, line func(i int) string) {
		if total == 0 {
			return
		}
		fmt.Fprintf(&b, "**%s（%d项）**\n\n", head, total)
		shown := min(n, perSection)
		for i := range shown {
			b.WriteString("- " + line(i) + "\n")
		}
		if total > shown {
			fmt.Fprintf(&b, "- ……另有%d项，请登录系统查看\n", total-shown)
		}
		b.WriteString("\n")
	}
	section("未来7天的活动", len(d.Upcoming), len(d.Upcoming), func(i int) string {
		e := d.Upcoming[i]
		return fmt.Sprintf("%s %s %s：%s", monthDay(e.Date()), e.StartAt.In(party.Zone).Format("15:04"), e.OrgName,
			e.TypeName+"·"+e.Title)
	})
	section("7天内到期尚未完成", len(d.Due), len(d.Due), func(i int) string {
		it := d.Due[i]
		return fmt.Sprintf("%s %s（%s）：%s还差%d次，%s截止", it.OrgName, it.TypeName, it.Rule, it.Period.Chinese(),
			it.Short, monthDay(it.Deadline))
	})
	section("已逾期", len(d.Overdue), len(d.Overdue), func(i int) string {
		it := d.Overdue[i]
		return fmt.Sprintf("%s %s：%s缺%d次", it.OrgName, it.TypeName, it.Period.Chinese(), it.Short)
	})
	section("已过日期、未登记召开情况", len(d.Unrecorded), len(d.Unrecorded)+d.UnrecordedBeyond, func(i int) string {
		e := d.Unrecorded[i]
		day := monthDay(e.Date())
		if e.Date().Year != d.Today.Year {
			day = e.Date().Chinese()
		}
		return fmt.Sprintf("%s %s：%s（请登记召开情况或取消原因）", day, e.OrgName, e.TypeName+"·"+e.Title)
	})
	return Message{Title: title, Markdown: b.String()}
}

func monthDay(d party.Date) string { return fmt.Sprintf("%d月%d日", int(d.Month), d.Day) }
