package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangjian/internal/api"
	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// scenario is one request against the API and what its answer must hold.
type scenario struct {
	name        string
	method      string
	url         string // {var} placeholders are filled from env.vars
	body        string // likewise
	contentType string // default application/json when body is set; "-" sends none
	status      int
	contains    []string
	notContains []string
	// json maps dotted paths (items.0.name, error.field, items.# for a length) to expected values.
	json   map[string]any
	header map[string]string
	// reqHeader is sent with the request; an empty Authorization sends no token.
	reqHeader map[string]string
	// unmasked marks the one answer allowed to carry full ID and phone numbers.
	unmasked bool
	// save stores the value at a dotted path as a var for later scenarios (before header and
	// json are checked, so they may use it).
	save  map[string]string
	check func(t *testing.T, e *env, body map[string]any)
}

// env is a real database with a small tree and roster, and the API mounted on a mux.
type env struct {
	db   *store.DB
	mux  *http.ServeMux
	auth *auth.Service
	logs *bytes.Buffer
	vars map[string]string
	// token is the bearer token the scenarios send unless they name another in header.
	token string
	// secrets are full ID numbers and phones that no response body and no log line may contain.
	secrets []string
}

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

// newEnv builds the fixture: 党组 T with 机关党支部 (and its 第一党小组), 体校党支部, a 党总支 and
// a 临时党支部; five members in 机关党支部, 阿强 a probationary member, 张三 in the party group,
// 王五 its secretary.
func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC) }
	e := &env{db: db, mux: http.NewServeMux(), logs: &bytes.Buffer{}, vars: map[string]string{}}
	// Cheap argon2id parameters keep the fixture fast; internal/auth measures the real ones.
	e.auth = auth.New(db, auth.Options{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
	api.New(db, e.auth, slog.New(slog.NewTextHandler(e.logs, nil))).Register(e.mux)
	t.Cleanup(func() { scanLogs(t, e.logs.String()) })
	// The scenarios act as a 党建管理员 of the whole installation unless they say otherwise.
	e.token = e.tokenFor(t, "admin", party.Grant{Role: party.RolePartyAdmin})

	org := func(key, name, code string, kind party.OrgKind, parent string) {
		o := &party.Org{Name: name, Code: code, Kind: kind}
		if parent != "" {
			o.ParentID, _ = strconv.ParseInt(e.vars[parent], 10, 64)
		}
		if kind == party.KindTempBranch {
			o.StartOn, o.EndOn = day("2026-03-01"), day("2026-05-31")
		}
		storetest.MustDo(t, "create "+name, db.CreateOrg(ctx, o))
		e.vars[key] = strconv.FormatInt(o.ID, 10)
	}
	org("top", "中共测试局党组", "T", party.KindLeadingGroup, "")
	org("branch", "机关党支部", "T-JG", party.KindBranch, "top")
	org("group", "第一党小组", "T-JG-1", party.KindGroup, "branch")
	org("other", "体校党支部", "T-TX", party.KindBranch, "top")
	org("zong", "直属单位党总支", "T-ZZ", party.KindGeneralBranch, "top")
	org("temp", "省运会临时党支部", "T-LS", party.KindTempBranch, "top")

	for i, p := range []struct {
		key, name string
		male      bool
	}{{"wang", "王五", true}, {"zhang", "张三", true}, {"li", "李四", false}, {"zhao", "赵六", true}, {"aqiang", "阿强", true}} {
		gender := party.Female
		if p.male {
			gender = party.Male
		}
		m := &party.Member{Name: p.name, Gender: gender, Ethnicity: "汉族", BirthDate: day("1985-06-15"),
			IDNumber: party.IDNumber(e.id("1985-06-15", p.male, 10+i)), Phone: party.Phone(e.phone(i)),
			Education: "大学本科", UnitPost: "办公室科员", JoinedOn: day("2010-07-01"), FullOn: day("2011-07-01"),
			Category: party.Full}
		m.OrgID, _ = strconv.ParseInt(e.vars["branch"], 10, 64)
		if p.key == "zhang" {
			m.GroupID, _ = strconv.ParseInt(e.vars["group"], 10, 64)
		}
		if p.key == "aqiang" {
			m.JoinedOn, m.FullOn, m.Category = day("2026-01-10"), party.Date{}, party.Probation
		}
		storetest.MustDo(t, "create "+p.name, db.CreateMember(ctx, m))
		e.vars[p.key] = strconv.FormatInt(m.ID, 10)
		e.vars[p.key+"_masked"] = m.IDNumber.Masked()
		if p.key == "wang" {
			pos := &party.Position{MemberID: m.ID, OrgID: m.OrgID, Title: "书记", StartOn: day("2024-01-01")}
			storetest.MustDo(t, "add position", db.AddPosition(ctx, pos))
		}
	}
	// Numbers for the requests to send.
	e.vars["id_new"] = e.id("1990-03-08", false, 101)
	e.vars["id_in"] = e.id("1979-12-01", true, 102)
	good := e.id("1992-05-20", true, 103)
	bad := good[:17] + "0"
	if bad == good {
		bad = good[:17] + "1"
	}
	e.vars["id_bad"] = bad
	e.secrets = append(e.secrets, bad)
	e.vars["id_wang"] = e.secrets[0]
	e.vars["phone_new"] = e.phone(50)
	return e
}

// tokenFor creates an account holding grants and returns an API token of it.
func (e *env) tokenFor(t *testing.T, username string, grants ...party.Grant) string {
	t.Helper()
	ctx := context.Background()
	u, err := e.auth.CreateUser(ctx, auth.NewUser{Username: username, Password: "Test-pass-2026", Grants: grants})
	storetest.MustDo(t, "create "+username, err)
	tok, _, err := e.auth.CreateToken(ctx, u.ID, "测试", time.Time{})
	storetest.MustDo(t, "token for "+username, err)
	return tok
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

// id returns a valid ID number and remembers it as a secret.
func (e *env) id(birth string, male bool, n int) string {
	s := idFor(birth, male, n)
	e.secrets = append(e.secrets, s)
	return s
}

// phone returns a mobile number and remembers it as a secret.
func (e *env) phone(n int) string {
	s := fmt.Sprintf("1381234%04d", n)
	e.secrets = append(e.secrets, s)
	return s
}

// fill replaces {var} placeholders, repeatedly, since a var may hold placeholders itself.
func (e *env) fill(s string) string {
	for range 3 {
		for k, v := range e.vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
	}
	return s
}

// run runs the scenarios in order as subtests; later ones may depend on earlier writes.
func (e *env) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) { e.do(t, s) })
	}
}

var (
	maskedID    = regexp.MustCompile(`^\d{3}\*{11}[0-9X]{4}$`)
	maskedPhone = regexp.MustCompile(`^\d{3}\*{4}\d{4}$`)
)

func (e *env) do(t *testing.T, s scenario) {
	t.Helper()
	var body *strings.Reader
	if s.body != "" {
		body = strings.NewReader(e.fill(s.body))
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(s.method, e.fill(s.url), body)
	if _, ok := s.reqHeader["Authorization"]; !ok {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	for k, v := range s.reqHeader {
		if v != "" {
			req.Header.Set(k, e.fill(v))
		}
	}
	switch {
	case s.contentType == "-":
	case s.contentType != "":
		req.Header.Set("Content-Type", s.contentType)
	case s.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	raw := rec.Body.String()

	if rec.Code != s.status {
		t.Fatalf("%s %s: status %d, want %d; body %s", s.method, req.URL, rec.Code, s.status, raw)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q, want application/json; charset=utf-8", ct)
	}
	for _, secret := range e.secrets {
		if strings.Contains(raw, secret) && !s.unmasked {
			t.Errorf("response holds the full number %s…", secret[:6])
		}
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("log holds the full number %s…", secret[:6])
		}
	}
	for _, want := range s.contains {
		if !strings.Contains(raw, e.fill(want)) {
			t.Errorf("body lacks %q: %s", e.fill(want), raw)
		}
	}
	for _, unwanted := range s.notContains {
		if strings.Contains(raw, e.fill(unwanted)) {
			t.Errorf("body holds %q: %s", e.fill(unwanted), raw)
		}
	}
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, raw)
	}
	if !s.unmasked {
		checkMasked(t, doc)
	}
	for path, name := range s.save {
		v, ok := lookup(doc, path)
		if !ok {
			t.Fatalf("%s: missing, cannot save %s", path, name)
		}
		e.vars[name] = fmt.Sprint(v)
	}
	for k, want := range s.header {
		if got, want := rec.Header().Get(k), e.fill(want); got != want {
			t.Errorf("header %s: %q, want %q", k, got, want)
		}
	}
	for path, want := range s.json {
		got, ok := lookup(doc, path)
		if !ok {
			t.Errorf("%s: missing in %s", path, raw)
			continue
		}
		w := fmt.Sprint(want)
		if ws, isString := want.(string); isString {
			w = e.fill(ws)
		}
		if fmt.Sprint(got) != w {
			t.Errorf("%s = %v, want %s", path, got, w)
		}
	}
	if s.check != nil {
		s.check(t, e, doc)
	}
}

// checkMasked fails when any id_number or phone anywhere in v is not in masked form.
func checkMasked(t *testing.T, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			s, isString := val.(string)
			switch {
			case k == "id_number" && (!isString || !maskedID.MatchString(s)):
				t.Errorf("id_number is not masked (%d characters)", len(s))
			case k == "phone" && isString && s != "" && !maskedPhone.MatchString(s):
				t.Errorf("phone is not masked (%d characters)", len(s))
			}
			checkMasked(t, val)
		}
	case []any:
		for _, val := range x {
			checkMasked(t, val)
		}
	}
}

// lookup follows a dotted path through decoded JSON; "#" gives an array's length.
func lookup(v any, path string) (any, bool) {
	for _, seg := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			val, ok := x[seg]
			if !ok {
				return nil, false
			}
			v = val
		case []any:
			if seg == "#" {
				return len(x), true
			}
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// names lists the "name" of every element of the array at path.
func names(body map[string]any, path string) []string {
	v, _ := lookup(body, path)
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, fmt.Sprint(m["name"]))
		}
	}
	return out
}

func TestOrgRoutes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.run(t, []scenario{
			{name: "ListAllWithMemberCounts", method: "GET", url: "/api/v1/orgs", status: 200,
				json: map[string]any{"items.#": 6, "items.0.name": "中共测试局党组", "items.0.parent_id": 0,
					"items.1.name": "机关党支部", "items.1.member_count": 5, "items.1.path": "/{top}/{branch}/",
					"items.2.name": "第一党小组", "items.2.member_count": 1, "items.2.depth": 2,
					"items.5.kind": "临时党支部", "items.5.start_on": "2026-03-01"}},
			{name: "ListSubtreeIncludesRoot", method: "GET", url: "/api/v1/orgs?root={branch}", status: 200,
				json: map[string]any{"items.#": 2, "items.0.code": "T-JG", "items.1.code": "T-JG-1"}},
			{name: "ListUnknownRoot", method: "GET", url: "/api/v1/orgs?root=999999", status: 404,
				json: map[string]any{"error.code": "not_found"}},
			{name: "ListBadRoot", method: "GET", url: "/api/v1/orgs?root=abc", status: 400,
				json: map[string]any{"error.code": "invalid", "error.field": "root"}},
			{name: "ListBadFlag", method: "GET", url: "/api/v1/orgs?include_dissolved=maybe", status: 400,
				json: map[string]any{"error.field": "include_dissolved"}},
			{name: "GetWithChildrenAndOfficers", method: "GET", url: "/api/v1/orgs/{branch}", status: 200,
				json: map[string]any{"name": "机关党支部", "member_count": 5, "children.#": 1,
					"children.0.name": "第一党小组", "children.0.member_count": 1, "officers.#": 1,
					"officers.0.title": "书记", "officers.0.member_name": "王五", "attachments.#": 0}},
			{name: "GetUnknown", method: "GET", url: "/api/v1/orgs/999999", status: 404,
				json: map[string]any{"error.code": "not_found", "error.message": "组织不存在"}},
			{name: "GetNonNumericID", method: "GET", url: "/api/v1/orgs/abc", status: 404,
				json: map[string]any{"error.code": "not_found"}},
			{name: "GetZeroID", method: "GET", url: "/api/v1/orgs/0", status: 404},
			{name: "GetNegativeID", method: "GET", url: "/api/v1/orgs/-3", status: 404},
			{name: "GetOverflowingID", method: "GET", url: "/api/v1/orgs/99999999999999999999", status: 404},
			{name: "Officers", method: "GET", url: "/api/v1/orgs/{branch}/officers", status: 200,
				json: map[string]any{"items.#": 1, "items.0.title": "书记", "items.0.start_on": "2024-01-01", "items.0.end_on": ""}},
			{name: "Stats", method: "GET", url: "/api/v1/orgs/{top}/stats", status: 200,
				json: map[string]any{"total": 5, "by_category.0.category": "正式党员", "by_category.0.count": 4,
					"by_category.1.category": "预备党员", "by_category.1.count": 1}},
			{name: "StatsUnknown", method: "GET", url: "/api/v1/orgs/999999/stats", status: 404},
			{name: "Create", method: "POST", url: "/api/v1/orgs", status: 201,
				body: `{"parent_id": {zong}, "code": "t-zz-yx", "name": "训练中心党支部", "kind": "党支部", "founded_on": "2020-01-01"}`,
				json: map[string]any{"code": "T-ZZ-YX", "kind": "党支部", "depth": 2, "parent_id": "{zong}",
					"founded_on": "2020-01-01", "dissolved_on": "", "member_count": 0},
				save:   map[string]string{"id": "created"},
				header: map[string]string{"Location": "/api/v1/orgs/{created}"},
				check: func(t *testing.T, e *env, body map[string]any) {
					id, _ := strconv.ParseInt(e.vars["created"], 10, 64)
					rows, err := e.db.AuditFor(context.Background(), store.ObjOrg, id, 5)
					storetest.MustDo(t, "audit", err)
					if len(rows) != 1 || rows[0].Username != "admin" || rows[0].Source != "api 192.0.2.1" {
						t.Fatalf("audit rows of the created org: %+v", rows)
					}
				}},
			{name: "CreateDuplicateCode", method: "POST", url: "/api/v1/orgs", status: 409,
				body: `{"parent_id": {top}, "code": "t-jg", "name": "另一支部", "kind": "党支部"}`,
				json: map[string]any{"error.code": "conflict", "error.field": "code"}},
			{name: "CreateGroupUnderTop", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"parent_id": {top}, "code": "BAD", "name": "错误小组", "kind": "党小组"}`,
				json: map[string]any{"error.code": "invalid", "error.field": "parent_id"}},
			{name: "CreateBadKind", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"code": "BAD", "name": "某组织", "kind": "委员会"}`,
				json: map[string]any{"error.field": "kind"}},
			{name: "CreateImpossibleDate", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"code": "BAD", "name": "某组织", "kind": "党委", "founded_on": "2020-02-30"}`,
				json: map[string]any{"error.field": "founded_on"}},
			{name: "CreateLooseDateRefused", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"code": "BAD", "name": "某组织", "kind": "党委", "founded_on": "2020年1月1日"}`,
				json: map[string]any{"error.field": "founded_on"}, contains: []string{"2006-01-02"}},
			{name: "Rename", method: "PATCH", url: "/api/v1/orgs/{other}", status: 200,
				body: `{"name": "体育运动学校党支部", "note": "2026年更名"}`,
				json: map[string]any{"name": "体育运动学校党支部", "code": "T-TX", "note": "2026年更名"}},
			{name: "PatchKindRefused", method: "PATCH", url: "/api/v1/orgs/{other}", status: 400,
				body: `{"kind": "党委"}`, json: map[string]any{"error.field": "kind"}, contains: []string{"kind"}},
			{name: "PatchClearsDate", method: "PATCH", url: "/api/v1/orgs/{created}", status: 200,
				body: `{"founded_on": ""}`, json: map[string]any{"founded_on": "", "code": "T-ZZ-YX"}},
			{name: "PatchUnknown", method: "PATCH", url: "/api/v1/orgs/999999", status: 404, body: `{"name": "某"}`},
			{name: "Move", method: "POST", url: "/api/v1/orgs/{other}/move", status: 200,
				body: `{"parent_id": {zong}}`,
				json: map[string]any{"parent_id": "{zong}", "path": "/{top}/{zong}/{other}/", "depth": 2}},
			{name: "MoveToTop", method: "POST", url: "/api/v1/orgs/{zong}/move", status: 200,
				body: `{"parent_id": 0}`, json: map[string]any{"parent_id": 0, "path": "/{zong}/", "depth": 0}},
			{name: "MoveCarriedSubtree", method: "GET", url: "/api/v1/orgs?root={zong}", status: 200,
				json: map[string]any{"items.#": 3, "items.1.path": "/{zong}/{other}/"}},
			{name: "MoveNeedsParent", method: "POST", url: "/api/v1/orgs/{other}/move", status: 400,
				body: `{}`, json: map[string]any{"error.field": "parent_id"}},
			{name: "MoveUnderOwnGroup", method: "POST", url: "/api/v1/orgs/{branch}/move", status: 400,
				body: `{"parent_id": {group}}`, json: map[string]any{"error.code": "invalid", "error.field": "parent_id"}},
			{name: "DissolveRefusedWhileMembersPresent", method: "POST", url: "/api/v1/orgs/{group}/dissolve", status: 409,
				body: `{"dissolved_on": "2026-06-30", "note": "合并"}`,
				json: map[string]any{"error.code": "conflict"}, contains: []string{"在册党员"}},
			{name: "DissolveNeedsDate", method: "POST", url: "/api/v1/orgs/{temp}/dissolve", status: 400,
				body: `{"note": "省运会结束"}`, json: map[string]any{"error.field": "dissolved_on"}},
			{name: "Dissolve", method: "POST", url: "/api/v1/orgs/{temp}/dissolve", status: 200,
				body: `{"dissolved_on": "2026-06-30", "note": "省运会结束"}`,
				json: map[string]any{"dissolved_on": "2026-06-30", "dissolve_note": "省运会结束"}},
			{name: "DissolveTwice", method: "POST", url: "/api/v1/orgs/{temp}/dissolve", status: 409,
				body: `{"dissolved_on": "2026-06-30"}`},
			{name: "ListHidesDissolved", method: "GET", url: "/api/v1/orgs", status: 200,
				notContains: []string{"省运会临时党支部"}},
			{name: "ListWithDissolved", method: "GET", url: "/api/v1/orgs?include_dissolved=1", status: 200,
				contains: []string{"省运会临时党支部"}},
			{name: "DissolvedStaysReadable", method: "GET", url: "/api/v1/orgs/{temp}", status: 200,
				json: map[string]any{"name": "省运会临时党支部", "dissolved_on": "2026-06-30"}},
			{name: "PatchDissolvedRefused", method: "PATCH", url: "/api/v1/orgs/{temp}", status: 409,
				body: `{"name": "新名"}`},
		})
	})
}
