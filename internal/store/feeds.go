package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/party"
)

// ObjCalendarFeed is the audit object type of calendar subscription links.
const ObjCalendarFeed = "calendar_feed"

// CalendarFeed is a user's calendar subscription link (iCalendar feed). The token in its URL
// is the credential; only a keyed hash of it is stored, so the link is shown once.
type CalendarFeed struct {
	ID        int64
	UserID    int64
	CreatedAt time.Time
	RevokedAt time.Time
}

// missingFeed is the answer for a feed that does not exist or no longer works.
func missingFeed() error {
	return party.Errorf(party.ENOTFOUND, "日历订阅链接不存在或已失效")
}

const feedColumns = `f.id, f.user_id, f.created_at, f.revoked_at`

func scanFeed(s scanner) (*CalendarFeed, error) {
	var f CalendarFeed
	if err := s.Scan(&f.ID, &f.UserID, ts{&f.CreatedAt}, ts{&f.RevokedAt}); err != nil {
		return nil, err
	}
	return &f, nil
}

// CreateFeed stores a new calendar feed of user userID under the token's hash and revokes the
// user's previous one, so a user has one live link at most.
func (db *DB) CreateFeed(ctx context.Context, userID int64, hash string) (*CalendarFeed, error) {
	if hash == "" {
		return nil, fmt.Errorf("store: create feed: empty token hash")
	}
	var out *CalendarFeed
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.db.findUser(ctx, tx, "u.id = $1", userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE calendar_feeds SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`,
			formatTS(tx.now), userID)
		if err != nil {
			return fmt.Errorf("store: revoke previous feed: %w", err)
		}
		replaced, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: revoke previous feed: %w", err)
		}
		f := &CalendarFeed{UserID: userID, CreatedAt: tx.now}
		if err := tx.QueryRowContext(ctx, `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
			RETURNING id`, userID, hash, formatTS(tx.now)).Scan(&f.ID); err != nil {
			return fmt.Errorf("store: insert feed: %w", err)
		}
		out = f
		return tx.audit(ctx, ActCreate, ObjCalendarFeed, f.ID, 0, map[string]string{
			"user": strconv.FormatInt(userID, 10), "replaced": strconv.FormatInt(replaced, 10)})
	})
	return out, err
}

// FeedUser returns the user whose live feed has the token hash; ENOTFOUND for an unknown or
// revoked one.
func (db *DB) FeedUser(ctx context.Context, hash string) (int64, error) {
	if hash == "" {
		return 0, missingFeed()
	}
	f, err := scanFeed(db.r.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM calendar_feeds f
		WHERE f.token_hash = $1 AND f.revoked_at IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, missingFeed()
	}
	if err != nil {
		return 0, fmt.Errorf("store: find feed: %w", err)
	}
	return f.UserID, nil
}

// Feed returns the live feed of user userID; ENOTFOUND when the user has none.
func (db *DB) Feed(ctx context.Context, userID int64) (*CalendarFeed, error) {
	f, err := scanFeed(db.r.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM calendar_feeds f
		WHERE f.user_id = $1 AND f.revoked_at IS NULL ORDER BY f.id DESC LIMIT 1`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, missingFeed()
	}
	if err != nil {
		return nil, fmt.Errorf("store: find feed: %w", err)
	}
	return f, nil
}

// RevokeFeed revokes the live feed of user userID; ENOTFOUND when the user has none.
func (db *DB) RevokeFeed(ctx context.Context, userID int64) error {
	return db.write(ctx, func(tx *Tx) error {
		f, err := scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM calendar_feeds f
			WHERE f.user_id = $1 AND f.revoked_at IS NULL ORDER BY f.id DESC LIMIT 1`, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return missingFeed()
		}
		if err != nil {
			return fmt.Errorf("store: find feed: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE calendar_feeds SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`,
			formatTS(tx.now), userID); err != nil {
			return fmt.Errorf("store: revoke feed: %w", err)
		}
		return tx.audit(ctx, ActRevoke, ObjCalendarFeed, f.ID, 0, map[string]string{"user": strconv.FormatInt(userID, 10)})
	})
}

// maxMemberEvents bounds the events MemberEvents returns and the planned ones it examines.
const maxMemberEvents = 2000

// MemberEvents returns the events member memberID is expected at that start on a day of
// [from, to), in time order, at most limit of them (at most 2000). A held event lists its
// expected attendees in its attendance rows; a planned or cancelled one has none, so the member
// is expected there when the audience of the event's type on its day covers them, as
// RecordEvent would decide. Planned events of types whose attendees are listed by hand
// (谈心谈话) expect nobody until they are recorded.
func (db *DB) MemberEvents(ctx context.Context, memberID int64, from, to party.Date, limit int) ([]*party.Event, error) {
	m, err := db.findMember(ctx, db.r, memberID)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxMemberEvents {
		limit = maxMemberEvents
	}
	out, err := db.queryFeedEvents(ctx, `SELECT `+eventListColumns+eventFrom+` WHERE e.id IN
		(SELECT a.event_id FROM attendance a WHERE a.member_id = $1) AND e.on_date >= $2 AND e.on_date < $3
		ORDER BY e.starts_at, e.id LIMIT $4`, memberID, from, to, limit)
	if err != nil {
		return nil, err
	}

	// The organizations whose planned events may expect the member: its branch and every
	// organization above it (a higher organization's events expect its whole subtree), its
	// party group, the temporary branches it was attached to, and where it holds a post.
	branch, err := findOrg(ctx, db.r, m.OrgID)
	if err != nil {
		return nil, err
	}
	var orgIDs []int64
	for _, part := range strings.Split(strings.Trim(branch.Path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			orgIDs = append(orgIDs, id)
		}
	}
	if m.GroupID != 0 {
		orgIDs = append(orgIDs, m.GroupID)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT org_id FROM temp_attachments WHERE member_id = $1
		UNION SELECT org_id FROM positions WHERE member_id = $1`, memberID)
	if err != nil {
		return nil, fmt.Errorf("store: member organizations: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scan member organization: %w", err)
		}
		orgIDs = append(orgIDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: member organizations: %w", err)
	}
	slices.Sort(orgIDs)
	orgIDs = slices.Compact(orgIDs)

	args := []any{string(party.EventHeld), from, to}
	ph := make([]string, len(orgIDs))
	for i, id := range orgIDs {
		args = append(args, id)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	args = append(args, maxMemberEvents)
	planned, err := db.queryFeedEvents(ctx, `SELECT `+eventListColumns+eventFrom+` WHERE e.status <> $1 AND e.on_date >= $2
		AND e.on_date < $3 AND e.org_id IN (`+strings.Join(ph, ",")+`) ORDER BY e.starts_at, e.id LIMIT $`+
		strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	if len(planned) > 0 {
		types, err := eventTypes(ctx, db.r)
		if err != nil {
			return nil, err
		}
		audience := make(map[party.EventTypeCode]party.Audience, len(types))
		for _, t := range types {
			audience[t.Code] = t.Audience
		}
		orgs := map[int64]*party.Org{}
		covered := map[string]bool{}
		for _, e := range planned {
			aud := audience[e.Type]
			if aud == party.AudienceListed || aud == "" {
				continue
			}
			key := fmt.Sprintf("%d/%s/%s", e.OrgID, aud, e.Date())
			in, seen := covered[key]
			if !seen {
				o := orgs[e.OrgID]
				if o == nil {
					if o, err = findOrg(ctx, db.r, e.OrgID); err != nil {
						return nil, err
					}
					orgs[e.OrgID] = o
				}
				list, err := expectedAttendees(ctx, db.r, o, aud, e.Date())
				if err != nil {
					return nil, err
				}
				in = slices.ContainsFunc(list, func(a party.Attendance) bool { return a.MemberID == memberID })
				covered[key] = in
			}
			if in {
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b *party.Event) int {
		if c := a.StartAt.Compare(b.StartAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// queryFeedEvents runs a query selecting eventListColumns and scans the events.
func (db *DB) queryFeedEvents(ctx context.Context, query string, args ...any) ([]*party.Event, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	defer rows.Close()
	var out []*party.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan event: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	return out, nil
}
