package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Calendar feeds: each user may have one secret link to an iCalendar (RFC 5545) feed of the
// meetings that concern them, for the calendar app of a phone or desktop. The token in the URL
// is the credential, so the route needs no session; only its keyed hash is stored.

const (
	// feedTokenBytes is the length of a feed token before base64url.
	feedTokenBytes = 32
	// feedLookupKind separates feed token hashes from other keyed lookups.
	feedLookupKind = "calendar_feed"
	// feedPast and feedAhead bound the feed: from 90 days ago to 365 days ahead.
	feedPast  = 90
	feedAhead = 365
	// maxFeedEvents caps the feed, whatever the user's grants.
	maxFeedEvents = 500
	// icsTime is the UTC date-time form of RFC 5545.
	icsTime = "20060102T150405Z"
)

// newFeed creates (or replaces) the calendar feed of user userID and returns its token.
func (s *Server) newFeed(ctx context.Context, userID int64) (string, error) {
	b := make([]byte, feedTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	if _, err := s.db.CreateFeed(ctx, userID, s.db.Keys().Lookup(feedLookupKind, token)); err != nil {
		return "", err
	}
	return token, nil
}

// feedPath returns the path of the feed with token.
func feedPath(token string) string { return "/feeds/" + token + ".ics" }

// validFeedToken reports whether s has the shape of a feed token, before any lookup.
func validFeedToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(feedTokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}

// calendarFeed serves the iCalendar feed of a token; an unknown or revoked token, or one of a
// disabled account, is answered as a missing page.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || !validFeedToken(token) {
		s.notFound(w, r)
		return
	}
	userID, err := s.db.FeedUser(ctx, s.db.Keys().Lookup(feedLookupKind, token))
	if party.ErrorCode(err) == party.ENOTFOUND {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, redactPath(r, "/feeds/….ics"), err)
		return
	}
	u, err := s.db.FindUser(ctx, userID)
	if party.ErrorCode(err) == party.ENOTFOUND || err == nil && u.Disabled {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, redactPath(r, "/feeds/….ics"), err)
		return
	}
	now := s.now()
	events, err := s.feedEvents(ctx, &party.Principal{UserID: u.ID, Username: u.Username, Grants: u.Grants}, now)
	if err != nil {
		s.serverError(w, redactPath(r, "/feeds/….ics"), err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="dangjian.ics"`)
	w.Write(icsCalendar(events, now))
}

// feedEvents returns the events of p's feed, in time order: those p's own member is expected
// at, and for each 支部书记 or 组织委员 grant the events of that branch and its party groups.
// The grants are read at each request, so a revoked grant leaves the feed at once; grants of
// wider scope (党建管理员, 领导, 纪检) add nothing, or a bureau's feed would hold every meeting
// of the bureau. At most maxFeedEvents are kept, the nearest to now.
func (s *Server) feedEvents(ctx context.Context, p *party.Principal, now time.Time) ([]*party.Event, error) {
	today := party.Today(now)
	from, to := today.AddDays(-feedPast), today.AddDays(feedAhead+1)
	byID := map[int64]*party.Event{}
	if m := p.OwnMember(); m != 0 {
		list, err := s.db.MemberEvents(ctx, m, from, to, 0)
		if err != nil && party.ErrorCode(err) != party.ENOTFOUND {
			return nil, err
		}
		for _, e := range list {
			byID[e.ID] = e
		}
	}
	for _, g := range p.Grants {
		if g.OrgID == 0 || (g.Role != party.RoleSecretary && g.Role != party.RoleOrganizer) {
			continue
		}
		list, _, err := s.db.ListEvents(ctx, store.EventFilter{Root: g.OrgID, From: from, To: to, Limit: 2000})
		if party.ErrorCode(err) == party.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			byID[e.ID] = e
		}
	}
	out := make([]*party.Event, 0, len(byID))
	for _, e := range byID {
		out = append(out, e)
	}
	if len(out) > maxFeedEvents {
		distance := func(e *party.Event) time.Duration { return max(e.StartAt.Sub(now), now.Sub(e.StartAt)) }
		slices.SortFunc(out, func(a, b *party.Event) int {
			return cmp.Or(cmp.Compare(distance(a), distance(b)), cmp.Compare(a.ID, b.ID))
		})
		out = out[:maxFeedEvents]
	}
	slices.SortFunc(out, func(a, b *party.Event) int {
		return cmp.Or(a.StartAt.Compare(b.StartAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// icsCalendar writes events as an RFC 5545 calendar stamped at now.
func icsCalendar(events []*party.Event, now time.Time) []byte {
	var c icsWriter
	c.line("BEGIN", "VCALENDAR")
	c.line("VERSION", "2.0")
	c.line("PRODID", "-//dangjian//Party Work Calendar//ZH")
	c.line("CALSCALE", "GREGORIAN")
	c.line("METHOD", "PUBLISH")
	c.line("X-WR-CALNAME", icsText("党建活动"))
	c.line("X-WR-TIMEZONE", "Asia/Shanghai")
	c.line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
	c.line("X-PUBLISHED-TTL", "PT1H")
	stamp := now.UTC().Format(icsTime)
	for _, e := range events {
		c.line("BEGIN", "VEVENT")
		c.line("UID", "event-"+strconv.FormatInt(e.ID, 10)+"@dangjian")
		c.line("DTSTAMP", stamp)
		c.line("DTSTART", e.StartAt.UTC().Format(icsTime))
		c.line("DTEND", e.EndAt.UTC().Format(icsTime))
		if !e.UpdatedAt.IsZero() {
			c.line("LAST-MODIFIED", e.UpdatedAt.UTC().Format(icsTime))
		}
		c.line("SUMMARY", icsText(party.EventLabel(e.TypeName, e.Title)))
		if e.Place != "" {
			c.line("LOCATION", icsText(e.Place))
		}
		desc := "组织：" + e.OrgName + "\n状态：" + string(e.Status)
		if e.Status == party.EventCancelled && e.CancelReason != "" {
			desc += "\n取消原因：" + e.CancelReason
		}
		c.line("DESCRIPTION", icsText(desc))
		c.line("STATUS", icsStatus(e.Status))
		c.line("END", "VEVENT")
	}
	c.line("END", "VCALENDAR")
	return c.buf.Bytes()
}

// icsStatus maps an event's status to the VEVENT STATUS value.
func icsStatus(s party.EventStatus) string {
	switch s {
	case party.EventHeld:
		return "CONFIRMED"
	case party.EventCancelled:
		return "CANCELLED"
	}
	return "TENTATIVE"
}

// icsText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// icsWriter builds an iCalendar stream: CRLF line ends, and content lines folded at 75 octets
// (RFC 5545 3.1) without splitting a UTF-8 character.
type icsWriter struct{ buf bytes.Buffer }

// line writes the content line name:value, folded.
func (c *icsWriter) line(name, value string) {
	const limit = 75
	s := name + ":" + value
	width := 0
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		if width+size > limit {
			c.buf.WriteString("\r\n ")
			width = 1
		}
		c.buf.WriteString(s[:size])
		width += size
		s = s[size:]
	}
	c.buf.WriteString("\r\n")
}

// feedCreate creates or replaces the signed-in user's calendar feed and shows its URL once.
func (s *Server) feedCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token, err := s.newFeed(ctx, party.PrincipalFrom(ctx).UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showAccount(w, r, http.StatusOK, accountPage{NewFeedURL: absoluteURL(r, feedPath(token))})
}

// feedRevoke revokes the signed-in user's calendar feed; without one there is nothing to do.
func (s *Server) feedRevoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	err := s.db.RevokeFeed(ctx, party.PrincipalFrom(ctx).UserID)
	if err != nil && party.ErrorCode(err) != party.ENOTFOUND {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/account?done=feed-revoked")
}

// feedFlash is the confirmation of the account page's calendar feed actions.
func feedFlash(key string) string {
	if key == "feed-revoked" {
		return "日历订阅链接已吊销，原链接不再可用。"
	}
	return ""
}
