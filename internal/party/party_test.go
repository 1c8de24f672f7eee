package party_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"dangjian/internal/party"
)

var today = party.Date{Year: 2026, Month: 11, Day: 26}

func TestParseIDNumber(t *testing.T) {
	valid := "11010519491231002X"
	for _, tc := range []struct {
		name, in string
		ok       bool
		want     string
	}{
		{"Valid", valid, true, ""},
		{"LowerCaseX", strings.ToLower(valid), true, ""},
		{"ErrWrongCheckDigit", "110105194912310021", false, "校验位"},
		{"ErrShort", "11010519491231002", false, "18位"},
		{"ErrLetters", "1101051949123100AX", false, "数字"},
		{"ErrNoSuchDay", func() string { s := "11010519490231002"; return s + string(party.IDCheckDigit(s)) }(), false, "出生日期"},
		{"ErrFutureBirth", func() string { s := "11010520300101002"; return s + string(party.IDCheckDigit(s)) }(), false, "出生日期"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, birth, g, err := party.ParseIDNumber(tc.in, today)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				if id.Reveal() != valid || birth.String() != "1949-12-31" || g != party.Female {
					t.Fatalf("got %s %s %s", id.Reveal(), birth, g)
				}
				return
			}
			if err == nil || !strings.Contains(party.ErrorMessage(err), tc.want) {
				t.Fatalf("got %v, want a message about %s", err, tc.want)
			}
		})
	}
}

func TestSensitiveValuesPrintMasked(t *testing.T) {
	id := party.IDNumber("11010519491231002X")
	ph := party.Phone("13812345678")
	if got := fmt.Sprint(id, " ", ph); got != "110***********002X 138****5678" {
		t.Fatalf("printed: %s", got)
	}
	b, _ := json.Marshal(struct {
		ID party.IDNumber
		P  party.Phone
	}{id, ph})
	if strings.Contains(string(b), "19491231") || strings.Contains(string(b), "1234") {
		t.Fatalf("json leaks: %s", b)
	}
}

func TestParseDate(t *testing.T) {
	for _, in := range []string{"2019-07-01", "2019年7月1日", "2019.07.01", "2019/7/1", "20190701", " 2019 年 7 月 1 日 "} {
		d, err := party.ParseDate(in)
		if err != nil || d.String() != "2019-07-01" {
			t.Errorf("%q: got %v %v", in, d, err)
		}
	}
	for _, in := range []string{"2019-02-30", "2019-13-01", "七月一日", "2019-07", ""} {
		if _, err := party.ParseDate(in); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}

func TestParsePhone(t *testing.T) {
	if p, err := party.ParsePhone("138 1234 5678"); err != nil || p.Reveal() != "13812345678" {
		t.Fatalf("got %v %v", p, err)
	}
	for _, in := range []string{"12812345678", "1381234567", "010-12345678", "1381234567a"} {
		if _, err := party.ParsePhone(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestNamesSortByPinyin(t *testing.T) {
	names := []string{"赵六", "阿强", "张三", "李四", "王五", "曾国", "白云"}
	sort.Slice(names, func(i, j int) bool { return party.NameKey(names[i]) < party.NameKey(names[j]) })
	if got, want := strings.Join(names, " "), "阿强 白云 李四 王五 曾国 张三 赵六"; got != want {
		t.Fatalf("got %s, want pinyin order like %s", got, want)
	}
	if got := party.Initials("张三丰"); got != "zsf" {
		t.Fatalf("initials: %s", got)
	}
	if got := party.Initials("曾国藩"); got != "zgf" {
		t.Fatalf("surname initials: %s", got)
	}
}

func TestMemberValidate(t *testing.T) {
	base := func() party.Member {
		s := "11010519800101001"
		return party.Member{Name: "张三", Gender: party.Male, Ethnicity: "汉族",
			BirthDate: party.Date{Year: 1980, Month: 1, Day: 1}, IDNumber: party.IDNumber(s + string(party.IDCheckDigit(s))),
			Education: "大学本科", JoinedOn: party.Date{Year: 2005, Month: 7, Day: 1},
			FullOn: party.Date{Year: 2006, Month: 7, Day: 1}, Category: party.Full}
	}
	for _, tc := range []struct {
		name, field string
		mut         func(m *party.Member)
	}{
		{"ErrBirthDisagrees", "birth_date", func(m *party.Member) { m.BirthDate.Day = 2 }},
		{"ErrGenderDisagrees", "gender", func(m *party.Member) { m.Gender = party.Female }},
		{"ErrUnknownEthnicity", "ethnicity", func(m *party.Member) { m.Ethnicity = "汉" }},
		{"ErrJoinedTooYoung", "joined_on", func(m *party.Member) { m.JoinedOn = party.Date{Year: 1997, Month: 1, Day: 1} }},
		{"ErrProbationWithFullDate", "full_on", func(m *party.Member) { m.Category = party.Probation }},
		{"ErrFullWithoutFullDate", "full_on", func(m *party.Member) { m.FullOn = party.Date{} }},
		{"ErrBadPhone", "phone", func(m *party.Member) { m.Phone = "12345" }},
		{"ErrNameTooLong", "name", func(m *party.Member) { m.Name = strings.Repeat("张", 51) }},
		{"ErrInvalidUTF8", "name", func(m *party.Member) { m.Name = "\xff张" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.mut(&m)
			err := m.Validate(today)
			if party.ErrorCode(err) != party.EINVALID || party.ErrorField(err) != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
	m := base()
	if err := m.Validate(today); err != nil {
		t.Fatalf("valid member refused: %v", err)
	}
}

func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "110105194912310021", "", "x", "11010519490231002\x00", "１１０１０５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, birth, g, err := party.ParseIDNumber(s, today)
		if err != nil {
			return
		}
		r := id.Reveal()
		if len(r) != 18 || party.IDCheckDigit(r[:17]) != r[17] {
			t.Fatalf("accepted %q as %q", s, r)
		}
		if birth.After(today) || (g != party.Male && g != party.Female) {
			t.Fatalf("accepted %q with birth %s gender %s", s, birth, g)
		}
	})
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/c/Qx3vB9kLmN0pR7sT2uWy":              "/c/…",
		"/feeds/a1b2c3d4e5f6g7h8i9j0k1l2.ics":  "/feeds/….ics",
		"/orgs/12/import/0123456789abcdef0123": "/orgs/12/import/…",
		"/orgs/123456789012345678/members":     "/orgs/123456789012345678/members",
		"/events/42/attendance":                "/events/42/attendance",
		"/orgs/7/members/transfer-out":         "/orgs/7/members/transfer-out",
		"/orgs/7/compliance.xlsx":              "/orgs/7/compliance.xlsx",
	} {
		if got := party.RedactPath(in); got != want {
			t.Errorf("RedactPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEventLabel(t *testing.T) {
	for _, c := range [][3]string{
		{"主题党日", "主题党日", "主题党日"},
		{"夜校学习", "夜校学习", "夜校学习"},
		{"支部党员大会", "第三季度支部党员大会", "第三季度支部党员大会"},
		{"主题党日", "学雷锋志愿服务", "主题党日：学雷锋志愿服务"},
		{"", "学习会", "学习会"},
	} {
		if got := party.EventLabel(c[0], c[1]); got != c[2] {
			t.Errorf("EventLabel(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
