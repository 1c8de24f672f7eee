package web

import (
	"context"
	"time"
)

// This file is compiled only into the package's tests: it lets the external tests make
// sign-in tokens of any expiry and calendar feeds without going through the pages.

// CheckinToken returns the sign-in token of event eventID valid until expires.
func CheckinToken(s *Server, eventID int64, expires time.Time) string {
	return s.signCheckin(eventID, expires)
}

// NewFeed creates or replaces the calendar feed of user userID and returns its token.
func NewFeed(ctx context.Context, s *Server, userID int64) (string, error) {
	return s.newFeed(ctx, userID)
}
