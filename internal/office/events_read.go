package office

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// ParseEvents reads an event ledger workbook (first sheet, headers party.EventHeaders in row 1,
// in any order; one held event per row) and returns its readable rows, or every problem found
// with its row and column. Organizations, types, people and 第一议题 items are resolved later,
// by the store, against the tree.
func ParseEvents(r io.Reader, today party.Date) ([]party.EventRow, []party.RowError, error) {
	rows, errs, err := parseEvents(r, today)
	if err != nil {
		return nil, nil, err
	}
	return rows, errs, nil
}

func parseEvents(r io.Reader, today party.Date) ([]party.EventRow, []party.RowError, error) {
	var rows []party.EventRow
	errs, err := readTable(r, party.EventHeaders, func(rec *record) {
		if row, ok := readEvent(rec, today); ok {
			rows = append(rows, row)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return rows, sortErrors(party.EventHeaders, errs), nil
}

// readEvent reads the cells of one ledger row; ok is false when any cell is unreadable.
func readEvent(rec *record, today party.Date) (party.EventRow, bool) {
	row := party.EventRow{Row: rec.row, Org: rec.required("组织"), Type: rec.required("类型"), On: rec.date("日期", true),
		Title: rec.required("主题"), Host: rec.text("主持人"), Recorder: rec.text("记录人")}
	if !row.On.IsZero() && row.On.After(today) {
		rec.fail("日期", "已召开的活动日期不能晚于今天")
	}
	if s := rec.required("开始时间"); s != "" {
		d, err := parseClockCell(s)
		if err != nil {
			rec.fail("开始时间", "%s", party.ErrorMessage(err))
		}
		row.Start = d
	}
	for _, c := range []struct {
		header, value string
		max           int
	}{{"主题", row.Title, party.MaxTitleLen}, {"主持人", row.Host, party.MaxPersonNameLen}, {"记录人", row.Recorder, party.MaxPersonNameLen}} {
		if err := party.CheckText("x", c.header, c.value, c.max, false); err != nil {
			rec.fail(c.header, "%s", party.ErrorMessage(err))
		}
	}
	if s := strings.TrimSuffix(rec.text("应到人数"), "人"); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if f, ferr := strconv.ParseFloat(s, 64); err != nil && ferr == nil && f == math.Trunc(f) {
			n, err = int(f), nil
		}
		if err != nil || n < 0 || n > 100000 {
			rec.fail("应到人数", "应为人数，如 12")
		}
		row.Expected = n
	}
	names := func(header string) []string {
		list := party.SplitNames(rec.text(header))
		for _, n := range list {
			if !party.ValidName(n) {
				rec.fail(header, "“%s”不是有效的姓名", n)
			}
		}
		return list
	}
	row.Present = names("出席人员")
	for _, s := range names("请假人员") {
		nr := party.SplitNameReason(s)
		if !party.ValidName(nr.Name) {
			rec.fail("请假人员", "“%s”不是有效的姓名", s)
		}
		row.Leave = append(row.Leave, nr)
	}
	row.Absent = names("缺席人员")
	if len(row.Present)+len(row.Leave)+len(row.Absent) == 0 {
		rec.fail("出席人员", "出席、请假、缺席人员不能都为空")
	}
	for _, t := range splitTopics(rec.text("第一议题")) {
		if err := party.CheckText("x", "第一议题", t, party.MaxTitleLen, true); err != nil {
			rec.fail("第一议题", "%s", party.ErrorMessage(err))
		}
		row.Topics = append(row.Topics, t)
	}
	return row, !rec.bad
}

// splitTopics splits a 第一议题 cell into titles, one per line or separated by ；: titles
// themselves often hold 、 and ，.
func splitTopics(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '；' || r == ';' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// parseClockCell reads a time of day written as text (14:30) or stored by Excel as a fraction
// of a day (0.6041666), possibly with a date before it (46097.6041666).
func parseClockCell(s string) (time.Duration, error) {
	if strings.ContainsAny(s, ":：") || (len(s) == 4 && !strings.Contains(s, ".")) {
		if len(s) > 8 && strings.Contains(s, " ") {
			s = s[strings.LastIndexByte(s, ' ')+1:] // 2026-03-15 14:30:00
		}
		return party.ParseClock(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > maxSerial || math.IsNaN(f) {
		return 0, party.Errorf(party.EINVALID, "“%s”不是有效时间，应写作 14:30", s)
	}
	_, frac := math.Modf(f)
	minutes := int(math.Round(frac * 24 * 60))
	if minutes >= 24*60 {
		minutes = 24*60 - 1
	}
	return time.Duration(minutes) * time.Minute, nil
}

// ImportEvents reads an event ledger workbook and records its events in the subtree of root,
// all or nothing. As with the roster, the readable rows are checked against the tree even when
// some cells are bad, so one answer lists every problem; nothing is written while any remains.
func ImportEvents(ctx context.Context, db *store.DB, root int64, r io.Reader, dryRun bool, opts ...store.EventImportOption) (*party.ImportResult, error) {
	rows, errs, err := parseEvents(r, party.Today(db.Now()))
	if err != nil {
		return nil, err
	}
	res, err := db.ImportEvents(ctx, root, rows, dryRun || len(errs) > 0, opts...)
	if err != nil {
		return nil, fmt.Errorf("office: import events: %w", err)
	}
	return merge(res, dryRun, party.EventHeaders, errs), nil
}
