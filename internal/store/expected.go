package store

import (
	"context"
	"slices"

	"dangjian/internal/party"
)

// ExpectsMember reports whether member memberID is among the expected attendees of event e:
// for an event with attendance rows (a held one), whether the member has a row; for a planned
// or cancelled one, whether the audience of its type on its day covers the member, as
// RecordEvent would decide (a type whose attendees are listed by hand expects nobody yet).
// The permission check uses it, so a member sees the planned meetings it is expected at.
func (db *DB) ExpectsMember(ctx context.Context, e *party.Event, memberID int64) (bool, error) {
	if memberID == 0 {
		return false, nil
	}
	if e.Status == party.EventHeld || len(e.Attendance) > 0 {
		return slices.ContainsFunc(e.Attendance, func(a party.Attendance) bool { return a.MemberID == memberID }), nil
	}
	t, err := findEventType(ctx, db.r, e.Type)
	if err != nil {
		return false, err
	}
	if t.Audience == party.AudienceListed || t.Audience == "" {
		return false, nil
	}
	o, err := findOrg(ctx, db.r, e.OrgID)
	if err != nil {
		return false, err
	}
	list, err := expectedAttendees(ctx, db.r, o, t.Audience, e.Date())
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(list, func(a party.Attendance) bool { return a.MemberID == memberID }), nil
}
