package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Options configures a Service; the zero value gives the production settings.
type Options struct {
	// Params are the argon2id parameters of new hashes; DefaultParams when zero.
	Params Params
	// RequireSecondFactor requires TOTP of every administrative account, whatever the stored
	// policy says (dangjian serve --require-2fa).
	RequireSecondFactor bool
	// FailureBurst failed sign-ins from one source address are allowed, then one more every
	// FailureRefill (defaults 20 and 30 seconds).
	FailureBurst  int
	FailureRefill time.Duration
}

// Service signs people in and recognizes their sessions and tokens.
type Service struct {
	db         *store.DB
	hasher     *hasher
	limiter    *limiter
	require2FA bool
	// dummy is a hash verified when a username names no account, so that answer takes as long
	// as a wrong password and timing does not tell which usernames exist.
	dummyOnce sync.Once
	dummy     string
}

// New returns the service over db.
func New(db *store.DB, o Options) *Service {
	if o.Params == (Params{}) {
		o.Params = DefaultParams()
	}
	if o.FailureBurst <= 0 {
		o.FailureBurst = 20
	}
	if o.FailureRefill <= 0 {
		o.FailureRefill = 30 * time.Second
	}
	return &Service{db: db, hasher: newHasher(o.Params), limiter: newLimiter(o.FailureBurst, o.FailureRefill),
		require2FA: o.RequireSecondFactor}
}

// Policy returns the security policy in force: the stored one, with the second factor
// required when the service was started so.
func (s *Service) Policy(ctx context.Context) (party.SecurityPolicy, error) {
	p, err := s.db.SecurityPolicy(ctx)
	if err != nil {
		return p, err
	}
	p.RequireSecondFactor = p.RequireSecondFactor || s.require2FA
	return p, nil
}

// HashPassword checks password against the policy for username and returns its hash.
func (s *Service) HashPassword(ctx context.Context, username, password string) (string, error) {
	p, err := s.Policy(ctx)
	if err != nil {
		return "", err
	}
	if err := p.CheckPassword(party.NormalizeUsername(username), password); err != nil {
		return "", err
	}
	return s.hasher.hash(password)
}

// NewUser is an account to create.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	// MustChange forces a new password at the first sign-in; it is set whenever an
	// administrator (or a script) chooses the password for someone else.
	MustChange bool
	// OnlyFirst refuses when any account exists (the setup page).
	OnlyFirst bool
	Grants    []party.Grant
}

// CreateUser creates an account with its grants in one transaction; the password must meet
// the policy.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (*party.User, error) {
	u := &party.User{Username: party.NormalizeUsername(n.Username), DisplayName: n.DisplayName,
		MustChangePassword: n.MustChange, Grants: n.Grants}
	if err := party.CheckUsername(u.Username); err != nil {
		return nil, err
	}
	hash, err := s.HashPassword(ctx, u.Username, n.Password)
	if err != nil {
		return nil, err
	}
	if err := s.db.CreateUser(ctx, u, hash, n.OnlyFirst); err != nil {
		return nil, err
	}
	return u, nil
}

// SignInRequest is what the sign-in form sends, and where from.
type SignInRequest struct {
	Username string
	Password string
	// Code is the TOTP code, needed when the account has a second factor.
	Code      string
	Source    string
	UserAgent string
}

// SignedIn is a successful sign-in: the session token for the cookie, and the principal.
type SignedIn struct {
	Token     string
	Session   *store.Session
	Principal *party.Principal
}

// RateLimitError refuses a sign-in from a source address that failed too often.
type RateLimitError struct{ RetryAfter time.Duration }

// Error implements the error interface with a message safe to show.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("登录失败次数过多，请%d分钟后再试", int(e.RetryAfter/time.Minute)+1)
}

// signInRefused is the one answer to every refused sign-in, so it tells nobody whether the
// username exists, the account is locked or disabled, or only the code was wrong.
func signInRefused(p party.SecurityPolicy) error {
	return party.Errorf(party.EUNAUTHORIZED, "用户名、密码或动态验证码不正确，或账户已被锁定、停用。连续失败%d次将锁定%d分钟；如需帮助请联系系统管理员。",
		p.LockoutThreshold, p.LockoutMinutes)
}

// maxUsernameInAudit bounds how much of a typed username a refused sign-in records.
const maxUsernameInAudit = party.MaxUsernameLen

// SignIn checks a username, password and (when enabled) TOTP code, and opens a session.
// Every refusal looks the same to the caller and is recorded in the audit trail.
func (s *Service) SignIn(ctx context.Context, r SignInRequest) (*SignedIn, error) {
	now := s.db.Now()
	if ok, wait := s.limiter.allow(r.Source, now); !ok {
		return nil, &RateLimitError{RetryAfter: wait}
	}
	policy, err := s.Policy(ctx)
	if err != nil {
		return nil, err
	}
	username := party.NormalizeUsername(r.Username)
	refuse := func(userID int64, reason string) error {
		s.limiter.fail(r.Source, now)
		typed := username
		if party.CheckUsername(typed) != nil {
			typed = "（无效用户名）"
		}
		actx := party.WithActor(ctx, party.Actor{UserID: userID, Username: typed, Source: r.Source})
		if _, err := s.db.RecordSignInFailure(actx, store.SignInFailure{UserID: userID, Reason: reason,
			Threshold: policy.LockoutThreshold, Window: policy.LockoutWindow(), LockFor: policy.LockoutFor()}); err != nil {
			return err
		}
		return signInRefused(policy)
	}
	if len(r.Password) > 4*party.MaxPasswordLen || len(username) > 4*maxUsernameInAudit {
		return nil, refuse(0, "unknown_user")
	}
	c, err := s.db.Credentials(ctx, username)
	if party.ErrorCode(err) == party.ENOTFOUND || party.CheckUsername(username) != nil {
		s.verifyDummy(r.Password)
		return nil, refuse(0, "unknown_user")
	}
	if err != nil {
		return nil, err
	}
	ok, err := s.hasher.verify(c.PasswordHash, r.Password)
	if err != nil {
		return nil, fmt.Errorf("auth: user %d: %w", c.User.ID, err)
	}
	switch {
	case c.User.Disabled:
		return nil, refuse(c.User.ID, "disabled")
	case c.User.Locked(now):
		return nil, refuse(c.User.ID, "locked")
	case !ok:
		return nil, refuse(c.User.ID, "password")
	}
	var step int64
	if c.TOTPSecret != "" {
		if step, ok = checkCode(c.TOTPSecret, r.Code, now, c.TOTPStep); !ok {
			return nil, refuse(c.User.ID, "second_factor")
		}
	}
	token, hash, err := s.newSecret("session")
	if err != nil {
		return nil, err
	}
	actx := party.WithActor(ctx, party.Actor{UserID: c.User.ID, Username: c.User.Username, Source: r.Source})
	sess, err := s.db.CreateSession(actx, store.NewSession{UserID: c.User.ID, TokenHash: hash, Source: r.Source,
		UserAgent: r.UserAgent, TOTPStep: step, ExpiredBefore: now.Add(-policy.Idle())})
	if err != nil {
		return nil, err
	}
	return &SignedIn{Token: token, Session: sess, Principal: s.principal(c.User, policy, now)}, nil
}

// verifyDummy spends the time of one password check.
func (s *Service) verifyDummy(password string) {
	s.dummyOnce.Do(func() {
		h, err := s.hasher.hash("dangjian dummy password")
		if err == nil {
			s.dummy = h
		}
	})
	if s.dummy != "" {
		s.hasher.verify(s.dummy, password)
	}
}

// principal builds the principal of user u under policy at now.
func (s *Service) principal(u *party.User, policy party.SecurityPolicy, now time.Time) *party.Principal {
	p := &party.Principal{UserID: u.ID, Username: u.Username, Grants: u.Grants}
	p.MustChangePassword = u.MustChangePassword || policy.PasswordExpired(u.PasswordSetAt, now)
	p.NeedsSecondFactor = policy.RequireSecondFactor && p.HasAdminRole() && !u.TOTPEnabled
	return p
}

// tokenBytes is the size of session and API tokens: 256 random bits.
const tokenBytes = 32

// newSecret returns a fresh random token and its keyed hash under kind.
func (s *Service) newSecret(kind string) (string, string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: random token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	if kind == "api_token" {
		token = TokenPrefix + token
	}
	return token, s.db.Keys().Lookup(kind, token), nil
}

// touchEvery is how stale a session's or token's last use may get before it is written again,
// so a busy page does not write on every request.
const touchEvery = time.Minute

// sessionExpired is the answer for a missing, ended or timed-out session.
func sessionExpired() error {
	return party.Errorf(party.EUNAUTHORIZED, "登录已失效，请重新登录")
}

// Authenticate returns the principal and session of a session token, ending the session when
// it has been idle or open too long.
func (s *Service) Authenticate(ctx context.Context, token string) (*party.Principal, *store.Session, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, sessionExpired()
	}
	sess, u, err := s.db.FindSession(ctx, s.db.Keys().Lookup("session", token))
	if err != nil {
		return nil, nil, err
	}
	policy, err := s.Policy(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := s.db.Now()
	reason := ""
	switch {
	case !now.Before(sess.CreatedAt.Add(policy.Absolute())):
		reason = "absolute_timeout"
	case !now.Before(sess.LastSeenAt.Add(policy.Idle())):
		reason = "idle_timeout"
	}
	if reason != "" {
		actx := party.WithActor(ctx, party.Actor{UserID: u.ID, Username: u.Username, Source: "system"})
		if err := s.db.EndSession(actx, sess.ID, reason); err != nil && party.ErrorCode(err) != party.ENOTFOUND {
			return nil, nil, err
		}
		return nil, nil, sessionExpired()
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.db.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, nil, err
		}
		sess.LastSeenAt = now
	}
	return s.principal(u, policy, now), sess, nil
}

// SignOut ends session id.
func (s *Service) SignOut(ctx context.Context, id int64) error {
	err := s.db.EndSession(ctx, id, "signout")
	if party.ErrorCode(err) == party.ENOTFOUND {
		return nil
	}
	return err
}

// checkHistory refuses a password used recently by the user (the policy's History newest,
// the current one included).
func (s *Service) checkHistory(ctx context.Context, userID int64, password string, n int) error {
	hashes, err := s.db.PasswordHistory(ctx, userID, n)
	if err != nil {
		return err
	}
	for _, h := range hashes {
		same, err := s.hasher.verify(h, password)
		if err != nil {
			return fmt.Errorf("auth: password history of user %d: %w", userID, err)
		}
		if same {
			return party.FieldErrorf(party.EINVALID, "password", "新密码不能与最近%d次使用过的密码相同", n)
		}
	}
	return nil
}

// ChangePassword sets a new password chosen by the user, after checking the current one; the
// other sessions of the user end, keepSession stays signed in.
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next string, keepSession int64, source string) error {
	u, err := s.db.FindUser(ctx, userID)
	if err != nil {
		return err
	}
	c, err := s.db.Credentials(ctx, u.Username)
	if err != nil {
		return err
	}
	ok, err := s.hasher.verify(c.PasswordHash, current)
	if err != nil {
		return fmt.Errorf("auth: user %d: %w", userID, err)
	}
	policy, err := s.Policy(ctx)
	if err != nil {
		return err
	}
	if !ok {
		// A wrong current password counts towards the lockout like a failed sign-in.
		actx := party.WithActor(ctx, party.Actor{UserID: u.ID, Username: u.Username, Source: source})
		if _, err := s.db.RecordSignInFailure(actx, store.SignInFailure{UserID: u.ID, Reason: "password_change",
			Threshold: policy.LockoutThreshold, Window: policy.LockoutWindow(), LockFor: policy.LockoutFor()}); err != nil {
			return err
		}
		return party.FieldErrorf(party.EINVALID, "current", "当前密码不正确")
	}
	if current == next {
		return party.FieldErrorf(party.EINVALID, "password", "新密码不能与当前密码相同")
	}
	return s.setPassword(ctx, u, next, false, keepSession, policy)
}

// ResetPassword sets a password chosen by an administrator: the user must change it at the
// next sign-in, and every session of the user ends.
func (s *Service) ResetPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.db.FindUser(ctx, userID)
	if err != nil {
		return err
	}
	policy, err := s.Policy(ctx)
	if err != nil {
		return err
	}
	return s.setPassword(ctx, u, password, true, 0, policy)
}

func (s *Service) setPassword(ctx context.Context, u *party.User, password string, mustChange bool, keep int64, policy party.SecurityPolicy) error {
	if err := policy.CheckPassword(u.Username, password); err != nil {
		return err
	}
	if err := s.checkHistory(ctx, u.ID, password, policy.History); err != nil {
		return err
	}
	hash, err := s.hasher.hash(password)
	if err != nil {
		return err
	}
	return s.db.SetPassword(ctx, store.PasswordChange{UserID: u.ID, Hash: hash, MustChange: mustChange,
		History: policy.History, KeepSession: keep})
}

// TokenPrefix starts every API token, so a leaked one is recognizable in logs and scanners.
const TokenPrefix = "dj_"

// CreateToken makes an API token for user userID, valid until expires (zero: no end), and
// returns it in full: this is the only time it is shown.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, expires time.Time) (string, *store.APIToken, error) {
	if !expires.IsZero() && !expires.After(s.db.Now()) {
		return "", nil, party.FieldErrorf(party.EINVALID, "expires", "有效期须晚于现在")
	}
	token, hash, err := s.newSecret("api_token")
	if err != nil {
		return "", nil, err
	}
	t := &store.APIToken{UserID: userID, Name: name, Prefix: token[:len(TokenPrefix)+6], ExpiresAt: expires}
	if err := s.db.CreateToken(ctx, t, hash); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// tokenInvalid is the answer for a token that is unknown, revoked, expired or whose account
// is disabled.
func tokenInvalid() error {
	return party.Errorf(party.EUNAUTHORIZED, "访问令牌无效、已过期或已吊销")
}

// TokenPrincipal returns the principal of an API token: its user with the user's own grants.
// A token is not held to the interactive restrictions (password change, second factor set-up).
func (s *Service) TokenPrincipal(ctx context.Context, token string) (*party.Principal, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 100 {
		return nil, tokenInvalid()
	}
	t, err := s.db.FindToken(ctx, s.db.Keys().Lookup("api_token", token))
	if party.ErrorCode(err) == party.EUNAUTHORIZED {
		return nil, tokenInvalid()
	}
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	if !t.Active(now) {
		return nil, tokenInvalid()
	}
	u, err := s.db.FindUser(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, tokenInvalid()
	}
	if now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.db.TouchToken(ctx, t.ID, now); err != nil {
			return nil, err
		}
	}
	return &party.Principal{UserID: u.ID, Username: u.Username, Grants: u.Grants}, nil
}

// IsRateLimited reports whether err refuses a sign-in for too many failures from its source.
func IsRateLimited(err error) bool {
	var rl *RateLimitError
	return errors.As(err, &rl)
}
