package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/emmansun/gmsm/sm3"

	"dangjian/internal/party"
)

// Sign-in links (签到二维码): the recorder projects a QR code of /c/{token} in the meeting room;
// a member scans it, signs in if need be, and taps 签到. At a planned event (the usual case: the
// code is shown as the meeting starts) the sign-in is kept and the recorder's completion form
// starts from it; at a held one it marks the member present. The token names the event and an
// expiry and is signed with the link key, so it can be neither forged nor extended.

const (
	// checkinLifetime is how long a freshly shown QR code works.
	checkinLifetime = 2 * time.Hour
	// checkinGrace is how long after the end of the event's day a QR code may still work, for
	// a meeting that runs late.
	checkinGrace = 4 * time.Hour
	// checkinMACLen is the length of the token's truncated HMAC-SM3 (128 bits).
	checkinMACLen = 16
	// maxCheckinToken bounds the token text read from a URL.
	maxCheckinToken = 64
)

// checkinDomain separates sign-in MACs from anything else the link key signs.
const checkinDomain = "dangjian checkin v1\x00"

var (
	errCheckinForged  = errors.New("web: sign-in token does not verify")
	errCheckinExpired = errors.New("web: sign-in token expired")
)

// checkinMAC returns the truncated HMAC-SM3 of a token's payload under the link key.
func (s *Server) checkinMAC(payload []byte) []byte {
	m := hmac.New(sm3.New, s.db.Keys().LinkKey())
	m.Write([]byte(checkinDomain))
	m.Write(payload)
	return m.Sum(nil)[:checkinMACLen]
}

// signCheckin returns the sign-in token of event id valid until expires: base64url of the
// event id and the expiry (Unix seconds) as uvarints, followed by their MAC.
func (s *Server) signCheckin(eventID int64, expires time.Time) string {
	payload := binary.AppendUvarint(nil, uint64(eventID))
	payload = binary.AppendUvarint(payload, uint64(expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(append(payload, s.checkinMAC(payload)...))
}

// verifyCheckin returns the event and expiry of a sign-in token: errCheckinForged when it is
// malformed or its MAC does not match, errCheckinExpired when it is genuine but past its expiry.
func (s *Server) verifyCheckin(token string) (int64, time.Time, error) {
	if len(token) > maxCheckinToken {
		return 0, time.Time{}, errCheckinForged
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) <= checkinMACLen {
		return 0, time.Time{}, errCheckinForged
	}
	payload, mac := raw[:len(raw)-checkinMACLen], raw[len(raw)-checkinMACLen:]
	if !hmac.Equal(mac, s.checkinMAC(payload)) {
		return 0, time.Time{}, errCheckinForged
	}
	id, n := binary.Uvarint(payload)
	if n <= 0 || id == 0 || id > 1<<62 {
		return 0, time.Time{}, errCheckinForged
	}
	exp, m := binary.Uvarint(payload[n:])
	if m <= 0 || n+m != len(payload) || exp > 1<<40 {
		return 0, time.Time{}, errCheckinForged
	}
	expires := time.Unix(int64(exp), 0)
	if !s.now().Before(expires) {
		return int64(id), expires, errCheckinExpired
	}
	return int64(id), expires, nil
}

// checkinClosed says why members cannot sign in to e now, or "" when they can: sign-in opens
// on the meeting's day (Beijing time), not weeks ahead, and closes a few hours after it.
func checkinClosed(now time.Time, e *party.Event) string {
	_, open := checkinExpiry(now, e)
	switch {
	case e.Status == party.EventCancelled:
		return "该活动已取消，不能签到。"
	case now.Before(checkinOpens(e)):
		return "签到在活动当天（" + party.Today(e.StartAt).Chinese() + "）开放，届时再生成签到二维码。"
	case !open:
		return "该活动已经结束，不能再生成签到二维码。"
	}
	return ""
}

// checkinOpens is when sign-in to e opens: the start of its day in Beijing time.
func checkinOpens(e *party.Event) time.Time {
	day := party.Today(e.StartAt)
	return time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, party.Zone)
}

// checkinExpiry returns when a QR code shown now for e stops working: two hours from now, but
// never later than a few hours after the end of the day e ends on. It reports false when that
// moment has passed: the meeting is over.
func checkinExpiry(now time.Time, e *party.Event) (time.Time, bool) {
	d := party.Today(e.EndAt)
	limit := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, party.Zone).AddDate(0, 0, 1).Add(checkinGrace)
	exp := now.Add(checkinLifetime).Truncate(time.Minute)
	if exp.After(limit) {
		exp = limit
	}
	return exp, exp.After(now)
}

// absoluteURL returns the absolute URL of path on this server as the request reached it. The
// host comes from the request's Host header: the pages that show such URLs are behind sign-in,
// so a client sending another Host only misleads itself, and an intranet installation has no
// configured public name to prefer. A TLS-terminating proxy is recognized by X-Forwarded-Proto.
func absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: path}).String()
}

// checkinQRPage is the page the recorder projects: the QR code and how long it works.
type checkinQRPage struct {
	page
	Event   *party.Event
	URL     string
	Image   string
	Expires time.Time
	// Closed says why no QR code is shown (cancelled, or over); empty when one is.
	Closed string
	// Planned is set while the event is not yet recorded as held: sign-ins are kept for the
	// recorder, who completes the event after the meeting.
	Planned bool
	// SignedIn counts who has signed in so far (a planned meeting's sign-ins, a held one's
	// present attendees), refreshed on the projected page every few seconds.
	SignedIn int
}

// checkinCode resolves the event of a QR code route and the token to show: the one named by
// ?t= when it is genuine, unexpired and for this event (so the image matches the page), else a
// fresh one. It answers itself when the event has no QR code.
func (s *Server) checkinCode(w http.ResponseWriter, r *http.Request) (*checkinQRPage, bool) {
	ctx := r.Context()
	id, _ := pathID(r, "id")
	e, err := s.db.FindEvent(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	data := &checkinQRPage{page: s.frame(ctx, "签到二维码"), Event: e, Planned: e.Status == party.EventPlanned}
	data.Crumbs = []crumb{{Label: e.Title, URL: "/events/" + strconv.FormatInt(e.ID, 10)}, {Label: "签到二维码"}}
	now := s.now()
	exp, _ := checkinExpiry(now, e)
	if data.Closed = checkinClosed(now, e); data.Closed != "" {
		return data, true
	}
	token := s.signCheckin(e.ID, exp)
	if t := r.URL.Query().Get("t"); t != "" {
		if tid, texp, err := s.verifyCheckin(t); err == nil && tid == e.ID {
			token, exp = t, texp
		}
	}
	if e.Status == party.EventPlanned {
		list, err := s.db.EventCheckins(r.Context(), e.ID)
		if err != nil {
			s.serverError(w, r, err)
			return nil, false
		}
		data.SignedIn = len(list)
	} else {
		data.SignedIn = e.Present
	}
	data.URL = absoluteURL(r, "/c/"+token)
	data.Image = "/events/" + strconv.FormatInt(e.ID, 10) + "/checkin.png?" + url.Values{"t": {token}}.Encode()
	data.Expires = exp
	return data, true
}

// checkinShow shows the QR code of an event's sign-in link, for projecting in the meeting room.
func (s *Server) checkinShow(w http.ResponseWriter, r *http.Request) {
	data, ok := s.checkinCode(w, r)
	if !ok {
		return
	}
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "checkin-count" {
		s.render(w, r, http.StatusOK, "checkin_qr", "checkin-count", data)
		return
	}
	status := http.StatusOK
	if data.Closed != "" {
		status = http.StatusConflict
	}
	s.render(w, r, status, "checkin_qr", "layout", data)
}

// checkinImage serves the QR code of an event's sign-in link as a PNG.
func (s *Server) checkinImage(w http.ResponseWriter, r *http.Request) {
	data, ok := s.checkinCode(w, r)
	if !ok {
		return
	}
	if data.Closed != "" {
		s.errorPage(w, r, http.StatusConflict, "无法生成签到二维码", data.Closed)
		return
	}
	img, err := qrPNG(data.URL)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(img)
}

// qrPNG draws text as a QR code PNG with the quiet zone scanners need, about 600 pixels wide.
func qrPNG(text string) ([]byte, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	const quiet = 4
	n := code.Bounds().Dx()
	scale := max(1, 600/(n+2*quiet))
	size := (n + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r != 0 {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetColorIndex((x+quiet)*scale+dx, (y+quiet)*scale+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkinPage is what a member sees after scanning: the event and the 签到 button.
type checkinPage struct {
	page
	Event *party.Event
	Token string
	// State is "open" (may sign in), "present" (already signed in) or "cancelled".
	State string
	// Planned is set while the event is not yet recorded as held.
	Planned bool
}

// Sign-in states.
const (
	checkinOpen      = "open"
	checkinPresent   = "present"
	checkinCancelled = "cancelled"
)

// checkinRequest is a sign-in link resolved for the request's principal.
type checkinRequest struct {
	event  *party.Event
	member int64
	token  string
	state  string
}

// redactPath returns a copy of r whose URL is shown instead of the real one, for log lines of
// routes whose path holds a credential (a sign-in or feed token).
func redactPath(r *http.Request, shown string) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	r2.URL = &url.URL{Path: shown}
	return r2
}

// checkinResolve checks the token of a sign-in link and that the request's principal is
// expected at its event; it answers itself when not. Someone not expected there gets the page
// of a missing record, which tells nothing about the event.
func (s *Server) checkinResolve(w http.ResponseWriter, r *http.Request) (*checkinRequest, bool) {
	ctx := r.Context()
	token := r.PathValue("token")
	id, _, err := s.verifyCheckin(token)
	switch {
	case errors.Is(err, errCheckinExpired):
		s.errorPage(w, r, http.StatusGone, "签到二维码已过期", "签到二维码已过期，请让会议记录人刷新二维码。")
		return nil, false
	case err != nil:
		s.errorPage(w, r, http.StatusNotFound, "签到二维码无效", "签到二维码已过期或无效，请让会议记录人刷新二维码。")
		return nil, false
	}
	p := party.PrincipalFrom(ctx)
	member := p.OwnMember()
	if member == 0 {
		s.notFound(w, r)
		return nil, false
	}
	e, err := s.db.FindEvent(ctx, id)
	if err != nil {
		s.fail(w, redactPath(r, "/c/…"), err)
		return nil, false
	}
	if s.now().Before(checkinOpens(e)) {
		s.errorPage(w, r, http.StatusConflict, "签到尚未开始", "签到在活动当天（"+party.Today(e.StartAt).Chinese()+"）开放。")
		return nil, false
	}
	expected := false
	if e.Status == party.EventHeld {
		// A held event lists whom it expects; the guard's own rule decides.
		switch err := s.auth.AllowEvent(ctx, p, party.ActEventSignIn, id); party.ErrorCode(err) {
		case "":
			expected = true
		case party.ENOTFOUND, party.EFORBIDDEN:
		default:
			s.serverError(w, redactPath(r, "/c/…"), err)
			return nil, false
		}
	} else {
		list, err := s.db.MemberEvents(ctx, member, e.Date(), e.Date().AddDays(1), 0)
		if err != nil {
			s.serverError(w, redactPath(r, "/c/…"), err)
			return nil, false
		}
		for _, x := range list {
			expected = expected || x.ID == e.ID
		}
	}
	if !expected {
		s.notFound(w, r)
		return nil, false
	}
	c := &checkinRequest{event: e, member: member, token: token}
	if c.state, err = s.checkinState(ctx, e, member); err != nil {
		s.serverError(w, redactPath(r, "/c/…"), err)
		return nil, false
	}
	return c, true
}

// checkinState says whether member may still sign in at e: present once signed in at a
// planned event or marked present at a held one.
func (s *Server) checkinState(ctx context.Context, e *party.Event, member int64) (string, error) {
	switch e.Status {
	case party.EventCancelled:
		return checkinCancelled, nil
	case party.EventPlanned:
		signed, err := s.db.EventCheckins(ctx, e.ID)
		if err != nil {
			return "", err
		}
		if slices.ContainsFunc(signed, func(c party.Checkin) bool { return c.MemberID == member }) {
			return checkinPresent, nil
		}
		return checkinOpen, nil
	}
	if slices.ContainsFunc(e.Attendance, func(a party.Attendance) bool { return a.MemberID == member && a.Status == party.Present }) {
		return checkinPresent, nil
	}
	return checkinOpen, nil
}

// checkinForm shows the event of a scanned sign-in link with its 签到 button.
func (s *Server) checkinForm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.checkinResolve(w, r)
	if !ok {
		return
	}
	s.showCheckin(w, r, c)
}

func (s *Server) showCheckin(w http.ResponseWriter, r *http.Request, c *checkinRequest) {
	data := checkinPage{page: s.frame(r.Context(), "会议签到"), Event: c.event, Token: c.token, State: c.state,
		Planned: c.event.Status == party.EventPlanned}
	if c.state == checkinPresent && r.URL.Query().Get("done") == "checkin" {
		data.Flash = "签到成功。"
	}
	status := http.StatusOK
	if c.state == checkinCancelled {
		status = http.StatusConflict
	}
	s.render(w, r, status, "checkin", "layout", data)
}

// checkinSubmit signs the principal's own member in at the event of a sign-in link: kept for
// the recorder at a planned event, marked present at a held one. It is idempotent: signing in
// again changes nothing and writes no audit row.
func (s *Server) checkinSubmit(w http.ResponseWriter, r *http.Request) {
	c, ok := s.checkinResolve(w, r)
	if !ok {
		return
	}
	target := "/c/" + c.token
	switch c.state {
	case checkinPresent:
		redirect(w, r, target)
		return
	case checkinOpen:
	default:
		s.showCheckin(w, r, c)
		return
	}
	if _, err := s.db.CheckIn(r.Context(), c.event.ID, c.member); err != nil {
		s.fail(w, redactPath(r, "/c/…"), err)
		return
	}
	redirect(w, r, target+"?done=checkin")
}
