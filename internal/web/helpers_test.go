package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
	"dangjian/internal/web"
)

// now is the fixed clock of every web test.
func now() time.Time { return time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC) }

func day(s string) party.Date {
	d, err := party.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// idFor builds a valid ID number for a birth date and gender, with serial n.
func idFor(birth string, male bool, n int) string {
	d := day(birth)
	seq := (n * 2) % 1000
	if male {
		seq++
	}
	s := fmt.Sprintf("110101%04d%02d%02d%03d", d.Year, d.Month, d.Day, seq)
	return s + string(party.IDCheckDigit(s))
}

// fixture is the small bureau every scenario starts from, served to a signed-in 党建管理员 of
// the whole installation unless a request says otherwise.
type fixture struct {
	db                                    *store.DB
	srv                                   *web.Server
	h                                     http.Handler
	auth                                  *auth.Service
	logs                                  *syncBuffer
	cookie                                *http.Cookie
	top, zong, branch, group, other, temp *party.Org
	members                               []*party.Member
	// ids are the full ID numbers stored so far; no page may show one of them.
	ids []string
	// later moves the web handler's clock forward.
	later time.Duration
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	db.Now = now
	fx := &fixture{db: db, logs: &syncBuffer{}}
	// Cheap argon2id parameters keep the fixtures fast; internal/auth measures the real ones.
	fx.auth = auth.New(db, auth.Options{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
	// The web clock runs later than the store's when a test moves it on (upload expiry).
	fx.srv = web.New(web.Options{DB: db, Auth: fx.auth, Logger: slog.New(slog.NewTextHandler(fx.logs, nil)),
		Now: func() time.Time { return now().Add(fx.later) }})
	fx.h = fx.srv
	t.Cleanup(func() { scanLogs(t, fx.logs.String()) })
	mk := func(o *party.Org) *party.Org {
		storetest.MustDo(t, "create "+o.Name, db.CreateOrg(ctx, o))
		return o
	}
	fx.top = mk(&party.Org{Name: "中共测试局党组", Code: "T", Kind: party.KindLeadingGroup, FoundedOn: day("2001-07-01")})
	fx.zong = mk(&party.Org{Name: "直属单位党总支", Code: "T-ZZ", Kind: party.KindGeneralBranch, ParentID: fx.top.ID})
	fx.branch = mk(&party.Org{Name: "机关党支部", Code: "T-JG", Kind: party.KindBranch, ParentID: fx.top.ID})
	fx.group = mk(&party.Org{Name: "第一党小组", Code: "T-JG-1", Kind: party.KindGroup, ParentID: fx.branch.ID})
	fx.other = mk(&party.Org{Name: "体校党支部", Code: "T-TX", Kind: party.KindBranch, ParentID: fx.top.ID})
	fx.temp = mk(&party.Org{Name: "省运会临时党支部", Code: "T-LS", Kind: party.KindTempBranch, ParentID: fx.top.ID,
		StartOn: day("2026-03-01"), EndOn: day("2026-12-31")})
	people := []struct {
		name, birth, edu string
		org              *party.Org
		group            bool
		cat              party.Category
	}{
		{"张三", "1985-06-15", "大学本科", fx.branch, true, party.Full},
		{"李四", "1990-02-01", "硕士研究生", fx.branch, false, party.Full},
		{"王五", "1970-09-09", "大学专科", fx.branch, false, party.Full},
		{"赵六", "1998-12-24", "大学本科", fx.other, false, party.Probation},
		{"阿强", "1962-03-03", "高中", fx.other, false, party.Full},
	}
	for i, p := range people {
		m := &party.Member{Name: p.name, Gender: party.Male, Ethnicity: "汉族", BirthDate: day(p.birth),
			IDNumber: party.IDNumber(idFor(p.birth, true, i+1)), Phone: party.Phone(fmt.Sprintf("1381234%04d", i)),
			Education: p.edu, UnitPost: "办公室科员", JoinedOn: day("2024-07-01"), Category: p.cat, OrgID: p.org.ID}
		if p.cat == party.Full {
			m.JoinedOn, m.FullOn = day("2019-07-01"), day("2020-07-01")
		}
		if p.group {
			m.GroupID = fx.group.ID
		}
		storetest.MustDo(t, "create "+p.name, db.CreateMember(ctx, m))
		fx.members = append(fx.members, m)
		fx.ids = append(fx.ids, string(m.IDNumber))
	}
	fx.cookie = fx.account(t, "admin", party.Grant{Role: party.RolePartyAdmin})
	return fx
}

// testPassword is the password of every account the fixtures create.
const testPassword = "Test-pass-2026"

// account creates an account with grants and signs it in through the sign-in page; it
// returns the session cookie.
func (fx *fixture) account(t *testing.T, username string, grants ...party.Grant) *http.Cookie {
	t.Helper()
	_, err := fx.auth.CreateUser(context.Background(), auth.NewUser{Username: username, Password: testPassword, Grants: grants})
	storetest.MustDo(t, "create account "+username, err)
	return fx.signIn(t, username, testPassword)
}

// signIn posts the sign-in form and returns the session cookie it sets.
func (fx *fixture) signIn(t *testing.T, username, password string) *http.Cookie {
	t.Helper()
	w := fx.do(t, request{method: "POST", path: "/signin", anonymous: true,
		form: url.Values{"username": {username}, "password": {password}}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d\n%s", username, w.Code, excerpt(w.Body.String()))
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "dangjian_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("sign in as %s set no session cookie", username)
	return nil
}

// syncBuffer collects log output written from the handlers' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The patterns of personal numbers that no log line may hold: 18-character ID numbers and
// mainland mobile numbers.
var (
	idNumberInLog = regexp.MustCompile(`(^|[^0-9])[0-9]{17}[0-9Xx]($|[^0-9])`)
	phoneInLog    = regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{9}($|[^0-9])`)
)

// scanLogs fails when a log line written during a test holds an ID number or a phone number.
func scanLogs(t *testing.T, logs string) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if idNumberInLog.MatchString(line) || phoneInLog.MatchString(line) {
			t.Errorf("a log line holds a personal number: %.60s…", line)
		}
	}
}

// request is one HTTP exchange with the handler, from a loopback client unless remote is set,
// with the fixture's session unless cookie names another or anonymous is set.
type request struct {
	method, path string
	form         url.Values
	remote       string
	header       map[string]string
	body         io.Reader
	contentType  string
	cookie       *http.Cookie
	anonymous    bool
	// revealed marks the one answer allowed to show full numbers (after an unmask).
	revealed bool
}

func (fx *fixture) do(t *testing.T, rq request) *httptest.ResponseRecorder {
	t.Helper()
	body := rq.body
	if body == nil && rq.form != nil {
		body = strings.NewReader(rq.form.Encode())
		rq.contentType = "application/x-www-form-urlencoded"
	}
	r := httptest.NewRequest(rq.method, rq.path, body)
	r.RemoteAddr = "127.0.0.1:40000"
	if rq.remote != "" {
		r.RemoteAddr = rq.remote
	}
	if rq.contentType != "" {
		r.Header.Set("Content-Type", rq.contentType)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	switch {
	case rq.anonymous:
	case rq.cookie != nil:
		r.AddCookie(rq.cookie)
	case fx.cookie != nil:
		r.AddCookie(fx.cookie)
	}
	w := httptest.NewRecorder()
	fx.h.ServeHTTP(w, r)
	if !rq.revealed {
		fx.checkNoFullIDs(t, rq, w)
	}
	return w
}

// checkNoFullIDs fails when a response carries a stored ID number in full.
func (fx *fixture) checkNoFullIDs(t *testing.T, rq request, w *httptest.ResponseRecorder) {
	t.Helper()
	body := w.Body.String()
	for _, id := range fx.ids {
		if strings.Contains(body, id) {
			t.Errorf("%s %s: the page shows the full ID number %s", rq.method, rq.path, party.IDNumber(id).Masked())
		}
	}
}

// get fetches a page and fails unless it answers 200.
func (fx *fixture) get(t *testing.T, path string) string {
	t.Helper()
	w := fx.do(t, request{method: "GET", path: path})
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200\n%s", path, w.Code, w.Body.String())
	}
	return w.Body.String()
}

// scenario is one row of a handler table.
type scenario struct {
	name      string
	method    string
	path      string
	form      url.Values
	remote    string
	header    map[string]string
	cookie    *http.Cookie
	anonymous bool
	status    int
	want      []string // substrings the body must hold
	notWant   []string // substrings the body must not hold
	// location is the expected redirect target's prefix, for 303 answers.
	location string
}

func (fx *fixture) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			method := sc.method
			if method == "" {
				method = "GET"
			}
			w := fx.do(t, request{method: method, path: sc.path, form: sc.form, remote: sc.remote, header: sc.header,
				cookie: sc.cookie, anonymous: sc.anonymous})
			body := w.Body.String()
			if w.Code != sc.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, sc.path, w.Code, sc.status, excerpt(body))
			}
			for _, s := range sc.want {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s: body lacks %q\n%s", method, sc.path, s, excerpt(body))
				}
			}
			for _, s := range sc.notWant {
				if strings.Contains(body, s) {
					t.Errorf("%s %s: body holds %q", method, sc.path, s)
				}
			}
			if sc.location != "" && !strings.HasPrefix(w.Header().Get("Location"), sc.location) {
				t.Errorf("%s %s: Location %q, want prefix %q", method, sc.path, w.Header().Get("Location"), sc.location)
			}
		})
	}
}

// excerpt shortens a body for a failure message: the main element when there is one.
func excerpt(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// rosterFile builds a roster workbook with the template headers and the given rows.
func rosterFile(t testing.TB, rows [][]string) []byte {
	t.Helper()
	return workbook(t, party.MemberHeaders, rows)
}

func workbook(t testing.TB, headers []string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	all := append([][]string{headers}, rows...)
	for i, row := range all {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rosterRow is one roster line for a man born on birth with ID serial n.
func rosterRow(name, birth string, n int, branch, group string) []string {
	return []string{name, "男", "汉族", birth, idFor(birth, true, n), "13900000000", "大学本科", "科员",
		"2015-07-01", "2016-07-01", "正式党员", branch, group}
}

// upload builds a multipart body with a file and extra fields.
func upload(t testing.TB, name string, data []byte, fields map[string]string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}
