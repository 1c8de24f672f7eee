package auth

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"dangjian/internal/party"
)

// Issuer names the program in authenticator apps.
const Issuer = "党建工作管理平台"

// totpPeriod is the length of one TOTP time step.
const totpPeriod = 30

// totpOpts are the parameters every authenticator app supports: 6 digits, SHA-1, 30 seconds.
var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrollment is a second factor being set up: the secret to enter into an authenticator app,
// its otpauth:// URL and the same as a QR code (a data: URL of a PNG).
type Enrollment struct {
	Secret string
	URL    string
	QR     string
}

// NewEnrollment makes a fresh TOTP secret for username.
func NewEnrollment(username string) (*Enrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: Issuer, AccountName: username, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("auth: totp secret: %w", err)
	}
	return enrollment(key)
}

// ResumeEnrollment rebuilds the enrollment of secret (sent back by the set-up form).
func ResumeEnrollment(username, secret string) (*Enrollment, error) {
	secret = strings.ToUpper(strings.TrimSpace(secret))
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil ||
		len(secret) < 16 || len(secret) > 64 {
		return nil, party.FieldErrorf(party.EINVALID, "secret", "密钥无效，请重新开始设置")
	}
	q := url.Values{"secret": {secret}, "issuer": {Issuer}, "period": {"30"}, "digits": {"6"}, "algorithm": {"SHA1"}}
	key, err := otp.NewKeyFromURL("otpauth://totp/" + url.PathEscape(Issuer+":"+username) + "?" + q.Encode())
	if err != nil {
		return nil, fmt.Errorf("auth: totp key: %w", err)
	}
	return enrollment(key)
}

func enrollment(key *otp.Key) (*Enrollment, error) {
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, fmt.Errorf("auth: totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("auth: totp qr code: %w", err)
	}
	return &Enrollment{Secret: key.Secret(), URL: key.URL(),
		QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// checkCode reports whether code is the TOTP code of secret at now or one step either side,
// at a step after last (so a code works once); it returns that step.
func checkCode(secret, code string, now time.Time, last int64) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for _, s := range []int64{step - 1, step, step + 1} {
		if s <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// EnableSecondFactor turns on TOTP for user userID once code proves the app holds secret.
func (s *Service) EnableSecondFactor(ctx context.Context, userID int64, secret, code string) error {
	step, ok := checkCode(secret, code, s.db.Now(), 0)
	if !ok {
		return party.FieldErrorf(party.EINVALID, "code", "动态验证码不正确，请核对手机时间后重新输入")
	}
	return s.db.SetSecondFactor(ctx, userID, secret, step)
}

// DisableSecondFactor turns TOTP off for user userID; the user proves it with a current code.
func (s *Service) DisableSecondFactor(ctx context.Context, userID int64, code string) error {
	u, err := s.db.FindUser(ctx, userID)
	if err != nil {
		return err
	}
	c, err := s.db.Credentials(ctx, u.Username)
	if err != nil {
		return err
	}
	if c.TOTPSecret == "" {
		return party.Errorf(party.ECONFLICT, "尚未启用双因素认证")
	}
	if _, ok := checkCode(c.TOTPSecret, code, s.db.Now(), c.TOTPStep); !ok {
		return party.FieldErrorf(party.EINVALID, "code", "动态验证码不正确")
	}
	return s.db.SetSecondFactor(ctx, userID, "", 0)
}

// ResetSecondFactor turns TOTP off for a user who lost the device (an administrator's act).
func (s *Service) ResetSecondFactor(ctx context.Context, userID int64) error {
	return s.db.SetSecondFactor(ctx, userID, "", 0)
}
