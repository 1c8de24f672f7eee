// Package auth signs people in: argon2id password hashes, the sign-in with lockout and a
// per-source rate limit, server-side sessions, TOTP second factors and API tokens. Who may do
// what is decided by party.Principal.Can; this package establishes who the principal is.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters of new password hashes; every hash records its own,
// so raising them later keeps old hashes verifiable.
type Params struct {
	// Memory in KiB.
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultParams cost about 85 ms and 64 MiB per hash on the reference machine (2 cores of an
// AMD EPYC), inside the 50-150 ms a sign-in may take; see BenchmarkSignIn.
func DefaultParams() Params { return Params{Memory: 64 * 1024, Time: 2, Threads: 2} }

const (
	saltLen = 16
	keyLen  = 32
)

// hasher hashes and verifies passwords; at most a few hashes run at once, so a burst of
// sign-ins cannot take all the memory (each one holds Params.Memory).
type hasher struct {
	p   Params
	sem chan struct{}
}

func newHasher(p Params) *hasher {
	return &hasher{p: p, sem: make(chan struct{}, max(2, runtime.NumCPU()))}
}

// hash returns the PHC string of password: $argon2id$v=19$m=..,t=..,p=..$salt$hash.
func (h *hasher) hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	h.sem <- struct{}{}
	key := argon2.IDKey([]byte(password), salt, h.p.Time, h.p.Memory, h.p.Threads, keyLen)
	<-h.sem
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.Memory, h.p.Time, h.p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verify reports whether password matches the PHC string phc, in constant time.
func (h *hasher) verify(phc, password string) (bool, error) {
	p, salt, want, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	h.sem <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	<-h.sem
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// parsePHC reads an argon2id PHC string.
func parsePHC(phc string) (Params, []byte, []byte, error) {
	bad := errors.New("auth: not an argon2id PHC string")
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, bad
	}
	var p Params
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || n == 0 {
			return Params{}, nil, nil, bad
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return Params{}, nil, nil, bad
			}
			p.Threads = uint8(n)
		default:
			return Params{}, nil, nil, bad
		}
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) < 16 || p.Memory == 0 || p.Time == 0 || p.Threads == 0 {
		return Params{}, nil, nil, bad
	}
	return p, salt, key, nil
}
