package store

import (
	"context"
	"fmt"
	"strconv"

	"dangjian/internal/party"
)

// CheckIn records that member memberID signed in by QR code (扫码签到) at event eventID. At a
// planned event the sign-in is kept until the recorder completes the event; at a held one the
// member is marked 出席 as SetAttendance does; a cancelled event refuses it. Signing in again
// is not an error and writes nothing. The caller checks that the member is expected there.
func (db *DB) CheckIn(ctx context.Context, eventID, memberID int64) (*party.Event, error) {
	var out *party.Event
	err := db.write(ctx, func(tx *Tx) error {
		e, err := tx.db.findEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		switch e.Status {
		case party.EventHeld:
			err = tx.setAttendance(ctx, e, []party.Attendance{{MemberID: memberID, Status: party.Present}})
		case party.EventPlanned:
			if err = tx.lockEvent(ctx, e.ID, false); err == nil {
				err = tx.insertCheckin(ctx, e, memberID)
			}
		default:
			err = party.Errorf(party.ECONFLICT, "该活动%s，不能签到", e.Status)
		}
		if err != nil {
			return err
		}
		out = e
		return nil
	})
	return out, err
}

// insertCheckin keeps the sign-in of member memberID at planned event e, with its audit row;
// a member already signed in keeps the first sign-in and no row is written.
func (tx *Tx) insertCheckin(ctx context.Context, e *party.Event, memberID int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM members WHERE id = $1`, memberID).Scan(&n); err != nil {
		return fmt.Errorf("store: check member: %w", err)
	}
	if n == 0 {
		return party.Errorf(party.ENOTFOUND, "党员不存在")
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO event_checkins (event_id, member_id, signed_at) VALUES ($1, $2, $3)
		ON CONFLICT (event_id, member_id) DO NOTHING`, e.ID, memberID, formatTS(tx.now))
	if err != nil {
		return fmt.Errorf("store: insert sign-in: %w", err)
	}
	added, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: insert sign-in: %w", err)
	}
	if added == 0 {
		return nil
	}
	return tx.audit(ctx, ActEventCheckIn, ObjEvent, e.ID, e.OrgID, []Change{{Field: "member",
		New: strconv.FormatInt(memberID, 10)}})
}

// EventCheckins returns the sign-ins by QR code at event eventID, in the order they came.
func (db *DB) EventCheckins(ctx context.Context, eventID int64) ([]party.Checkin, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT c.member_id, m.name, c.signed_at FROM event_checkins c
		JOIN members m ON m.id = c.member_id WHERE c.event_id = $1 ORDER BY c.signed_at, c.member_id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("store: list sign-ins: %w", err)
	}
	defer rows.Close()
	var out []party.Checkin
	for rows.Next() {
		var c party.Checkin
		if err := rows.Scan(&c.MemberID, &c.MemberName, ts{&c.At}); err != nil {
			return nil, fmt.Errorf("store: scan sign-in: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sign-ins: %w", err)
	}
	return out, nil
}
