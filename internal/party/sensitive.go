package party

import (
	"encoding/json"
	"strings"
	"time"
)

// IDNumber is a 居民身份证号码. It prints and marshals masked; Reveal returns the digits.
type IDNumber string

// Reveal returns the full number; callers must have checked the unmask permission.
func (n IDNumber) Reveal() string { return string(n) }

// Masked returns the number as 110***********1234.
func (n IDNumber) Masked() string { return maskMiddle(string(n), 3, 4) }

// String returns the masked form, so the number never reaches a log by accident.
func (n IDNumber) String() string { return n.Masked() }

// MarshalJSON writes the masked form.
func (n IDNumber) MarshalJSON() ([]byte, error) { return json.Marshal(n.Masked()) }

// Phone is a mainland mobile number. It prints and marshals masked; Reveal returns the digits.
type Phone string

// Reveal returns the full number; callers must have checked the unmask permission.
func (p Phone) Reveal() string { return string(p) }

// Masked returns the number as 138****5678.
func (p Phone) Masked() string { return maskMiddle(string(p), 3, 4) }

// String returns the masked form.
func (p Phone) String() string { return p.Masked() }

// MarshalJSON writes the masked form.
func (p Phone) MarshalJSON() ([]byte, error) { return json.Marshal(p.Masked()) }

func maskMiddle(s string, head, tail int) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDCheckDigit returns the GB 11643-1999 check character for the first 17 digits.
func IDCheckDigit(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// NormalizeIDNumber trims spaces and upper-cases a trailing x.
func NormalizeIDNumber(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, " ", ""))
	return strings.ToUpper(s)
}

// ParseIDNumber validates an 18-character ID number (length, digits, check digit, a real
// birth date not in the future) and returns it normalized with its birth date and gender.
func ParseIDNumber(s string, today Date) (IDNumber, Date, Gender, error) {
	s = NormalizeIDNumber(s)
	if len(s) != 18 {
		return "", Date{}, "", Errorf(EINVALID, "身份证号应为18位，现为%d位", len([]rune(s)))
	}
	if !isDigits(s[:17]) || !(isDigits(s[17:]) || s[17] == 'X') {
		return "", Date{}, "", Errorf(EINVALID, "身份证号只能由数字和末位X组成")
	}
	birth, err := ParseDate(s[6:14])
	if err != nil || birth.After(today) || birth.Year < 1900 {
		return "", Date{}, "", Errorf(EINVALID, "身份证号中的出生日期%s不是有效日期", s[6:14])
	}
	if IDCheckDigit(s[:17]) != s[17] {
		return "", Date{}, "", Errorf(EINVALID, "身份证号校验位错误，请核对号码")
	}
	g := Female
	if (s[16]-'0')%2 == 1 {
		g = Male
	}
	return IDNumber(s), birth, g, nil
}

// phoneSeparators strips the spaces and dashes people type inside phone numbers; a Replacer
// is safe for concurrent use and never changes.
var phoneSeparators = strings.NewReplacer(" ", "", "-", "")

// ParsePhone validates an 11-digit mainland mobile number.
func ParsePhone(s string) (Phone, error) {
	s = strings.TrimSpace(phoneSeparators.Replace(s))
	s = strings.TrimPrefix(s, "+86")
	if len(s) != 11 || !isDigits(s) || s[0] != '1' || s[1] < '3' {
		return "", Errorf(EINVALID, "手机号码应为11位大陆手机号，以13-19开头")
	}
	return Phone(s), nil
}

// Today returns the current calendar day in the display zone.
func Today(now time.Time) Date { return DateOf(now.In(Zone)) }

// Zone is the display time zone (China Standard Time); times are stored in UTC.
var Zone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// RedactPath replaces every segment of a URL path that could be a credential (16 or more
// letters, digits, '-' or '_', not all digits, an extension such as ".ics" kept) by "…",
// for log lines: sign-in links, calendar feeds and import confirmations carry their token in
// the path. Numeric ids and the words of routes (none of 16 characters or more) stay
// readable.
func RedactPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		name, ext := s, ""
		if j := strings.LastIndexByte(s, '.'); j > 0 {
			name, ext = s[:j], s[j:]
		}
		if len(name) >= 16 && tokenLike(name) {
			segs[i] = "…" + ext
		}
	}
	return strings.Join(segs, "/")
}

func tokenLike(s string) bool {
	digits := true
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
			digits = false
		default:
			return false
		}
	}
	return !digits
}
