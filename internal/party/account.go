package party

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is an account that signs in to the program.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Disabled    bool
	// MustChangePassword is set when an administrator set the password: the next sign-in
	// must choose a new one.
	MustChangePassword bool
	PasswordSetAt      time.Time
	// LockedUntil is the end of a lockout after repeated failed sign-ins (zero: not locked).
	LockedUntil  time.Time
	TOTPEnabled  bool
	LastSignInAt time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Grants       []Grant
}

// Locked reports whether the account is locked at now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// Limits of account fields.
const (
	MaxUsernameLen    = 32
	MaxDisplayNameLen = 50
	MaxPasswordLen    = 128
	MaxTokenNameLen   = 50
)

// NormalizeUsername trims a username and lower-cases it, so names match case-insensitively.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckUsername validates a normalized username: 2 to 32 characters of lower-case ASCII
// letters, digits, and . _ -, starting with a letter or digit.
func CheckUsername(s string) error {
	if n := len(s); n < 2 || n > MaxUsernameLen {
		return FieldErrorf(EINVALID, "username", "用户名应为2至%d个字符", MaxUsernameLen)
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (i > 0 && strings.ContainsRune("._-", r))
		if !ok {
			return FieldErrorf(EINVALID, "username", "用户名只能由小写字母、数字和 . _ - 组成，并以字母或数字开头")
		}
	}
	return nil
}

// SecurityPolicy holds the rules for passwords, sign-in and sessions; the 安全管理员 sets it.
// The defaults follow 网络安全等级保护 expectations.
type SecurityPolicy struct {
	// MinLength is the least number of characters of a password.
	MinLength int `json:"min_length"`
	// MinClasses is how many of the four classes (upper, lower, digit, other) it must mix.
	MinClasses int `json:"min_classes"`
	// MaxAgeDays forces a change after that many days; 0 turns it off.
	MaxAgeDays int `json:"max_age_days"`
	// History is how many recent passwords (the current one included) may not be reused.
	History int `json:"history"`
	// LockoutThreshold failures within LockoutWindowMinutes lock the account for
	// LockoutMinutes.
	LockoutThreshold     int `json:"lockout_threshold"`
	LockoutWindowMinutes int `json:"lockout_window_minutes"`
	LockoutMinutes       int `json:"lockout_minutes"`
	// IdleMinutes ends a session unused that long; AbsoluteHours ends any session that old.
	IdleMinutes   int `json:"idle_minutes"`
	AbsoluteHours int `json:"absolute_hours"`
	// RequireSecondFactor requires TOTP of every account holding an administrative role.
	RequireSecondFactor bool `json:"require_second_factor"`
}

// DefaultPolicy returns the 等保 defaults: 8 characters of 3 classes, a change every 90 days,
// the last 5 not reused, 5 failures in 15 minutes lock for 30 minutes, sessions end after 30
// idle minutes or 12 hours.
func DefaultPolicy() SecurityPolicy {
	return SecurityPolicy{MinLength: 8, MinClasses: 3, MaxAgeDays: 90, History: 5, LockoutThreshold: 5,
		LockoutWindowMinutes: 15, LockoutMinutes: 30, IdleMinutes: 30, AbsoluteHours: 12}
}

// Validate checks that every value lies in a sensible range.
func (p *SecurityPolicy) Validate() error {
	for _, c := range []struct {
		field, label string
		v, lo, hi    int
	}{
		{"min_length", "密码最小长度", p.MinLength, 8, 64},
		{"min_classes", "密码字符种类", p.MinClasses, 1, 4},
		{"max_age_days", "密码有效天数", p.MaxAgeDays, 0, 3650},
		{"history", "不得重复使用的近期密码个数", p.History, 1, 24},
		{"lockout_threshold", "锁定前允许的失败次数", p.LockoutThreshold, 3, 20},
		{"lockout_window_minutes", "失败次数统计时长", p.LockoutWindowMinutes, 1, 1440},
		{"lockout_minutes", "锁定时长", p.LockoutMinutes, 1, 1440},
		{"idle_minutes", "会话空闲超时", p.IdleMinutes, 5, 480},
		{"absolute_hours", "会话最长时长", p.AbsoluteHours, 1, 72},
	} {
		if c.v < c.lo || c.v > c.hi {
			return FieldErrorf(EINVALID, c.field, "%s应在%d至%d之间", c.label, c.lo, c.hi)
		}
	}
	return nil
}

// Idle returns the idle timeout of sessions.
func (p *SecurityPolicy) Idle() time.Duration { return time.Duration(p.IdleMinutes) * time.Minute }

// Absolute returns the longest a session lasts.
func (p *SecurityPolicy) Absolute() time.Duration { return time.Duration(p.AbsoluteHours) * time.Hour }

// LockoutWindow returns the span in which failures count towards a lockout.
func (p *SecurityPolicy) LockoutWindow() time.Duration {
	return time.Duration(p.LockoutWindowMinutes) * time.Minute
}

// LockoutFor returns how long a lockout lasts.
func (p *SecurityPolicy) LockoutFor() time.Duration {
	return time.Duration(p.LockoutMinutes) * time.Minute
}

// PasswordExpired reports whether a password set at setAt must be changed at now.
func (p *SecurityPolicy) PasswordExpired(setAt, now time.Time) bool {
	return p.MaxAgeDays > 0 && !now.Before(setAt.AddDate(0, 0, p.MaxAgeDays))
}

// CheckPassword checks a new password against the policy: length, character classes, valid
// text, and not the username (nor the username reversed).
func (p *SecurityPolicy) CheckPassword(username, password string) error {
	if !utf8.ValidString(password) {
		return FieldErrorf(EINVALID, "password", "密码含有无效字符")
	}
	n := utf8.RuneCountInString(password)
	if n < p.MinLength {
		return FieldErrorf(EINVALID, "password", "密码至少%d个字符", p.MinLength)
	}
	if n > MaxPasswordLen {
		return FieldErrorf(EINVALID, "password", "密码不能超过%d个字符", MaxPasswordLen)
	}
	var upper, lower, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsControl(r):
			return FieldErrorf(EINVALID, "password", "密码不能含有控制字符")
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			classes++
		}
	}
	if classes < p.MinClasses {
		return FieldErrorf(EINVALID, "password", "密码须包含大写字母、小写字母、数字、其他符号中的至少%d种", p.MinClasses)
	}
	lp, lu := strings.ToLower(password), strings.ToLower(username)
	if lu != "" && (lp == lu || lp == reverse(lu) || len(lu) >= 4 && strings.Contains(lp, lu)) {
		return FieldErrorf(EINVALID, "password", "密码不能包含用户名")
	}
	return nil
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
