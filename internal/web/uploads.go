package web

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// Limits of the files kept between an import's preview and its confirmation.
const (
	uploadTTL        = 30 * time.Minute
	maxPendingBytes  = 128 << 20
	uploadTokenBytes = 16
)

// upload is a workbook waiting for the user to confirm its import. It lives only in memory:
// personal data never lands in a file the server did not mean to keep.
type upload struct {
	kind    string // "members" or "orgs"
	orgID   int64  // the import's root (members) or default parent (orgs)
	userID  int64  // who uploaded it: only they may confirm it
	name    string
	data    []byte
	expires time.Time
}

// uploads holds the pending workbooks by random token.
type uploads struct {
	mu    sync.Mutex
	now   func() time.Time
	m     map[string]*upload
	order []string // tokens, oldest first
	size  int
}

func newUploads(now func() time.Time) *uploads {
	return &uploads{now: now, m: map[string]*upload{}}
}

// put keeps u for uploadTTL and returns its token; the oldest uploads make room when the
// total would pass maxPendingBytes.
func (u *uploads) put(up *upload) (string, error) {
	b := make([]byte, uploadTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.sweep()
	for u.size+len(up.data) > maxPendingBytes && len(u.order) > 0 {
		u.drop(u.order[0])
	}
	up.expires = u.now().Add(uploadTTL)
	u.m[token] = up
	u.order = append(u.order, token)
	u.size += len(up.data)
	return token, nil
}

// get returns the pending upload of token if it has not expired and belongs to that kind of
// import into that organization by that user.
func (u *uploads) get(token, kind string, orgID, userID int64) (*upload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.sweep()
	up, ok := u.m[token]
	if !ok || up.kind != kind || up.orgID != orgID || up.userID != userID {
		return nil, false
	}
	return up, true
}

// remove forgets token.
func (u *uploads) remove(token string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.drop(token)
}

// sweep drops expired uploads; the caller holds the lock.
func (u *uploads) sweep() {
	now := u.now()
	for len(u.order) > 0 {
		up, ok := u.m[u.order[0]]
		if ok && now.Before(up.expires) {
			return
		}
		u.drop(u.order[0])
	}
}

// drop forgets token; the caller holds the lock.
func (u *uploads) drop(token string) {
	if up, ok := u.m[token]; ok {
		u.size -= len(up.data)
		delete(u.m, token)
	}
	for i, t := range u.order {
		if t == token {
			u.order = append(u.order[:i], u.order[i+1:]...)
			break
		}
	}
}

// validToken reports whether s looks like a token put returned.
func validToken(s string) bool {
	if len(s) != 2*uploadTokenBytes {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
