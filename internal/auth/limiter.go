package auth

import (
	"sync"
	"time"
)

// maxSources bounds the addresses the limiter remembers; beyond it, the sources whose
// allowance has refilled are forgotten.
const maxSources = 10000

// limiter limits failed sign-ins per source address with a token bucket: each source may fail
// burst times, and regains one attempt every refill. Successful sign-ins cost nothing, so an
// office behind one address is not locked out by its own colleagues.
type limiter struct {
	mu      sync.Mutex
	burst   float64
	refill  time.Duration
	sources map[string]*bucket
}

// bucket is the remaining allowance of one source at a moment.
type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, refill time.Duration) *limiter {
	return &limiter{burst: float64(burst), refill: refill, sources: map[string]*bucket{}}
}

// level returns the allowance of b at now.
func (l *limiter) level(b *bucket, now time.Time) float64 {
	return min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.refill))
}

// allow reports whether source may try to sign in at now, and if not, when it may again.
func (l *limiter) allow(source string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.sources[source]
	if !ok {
		return true, 0
	}
	lv := l.level(b, now)
	if lv >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - lv) * float64(l.refill))
}

// fail spends one attempt of source at now.
func (l *limiter) fail(source string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.sources[source]
	if !ok {
		if len(l.sources) >= maxSources {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.sources[source] = b
	}
	b.tokens, b.at = max(0, l.level(b, now)-1), now
}

// sweep forgets the sources whose allowance is full again; the caller holds the lock.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.sources {
		if l.level(b, now) >= l.burst {
			delete(l.sources, k)
		}
	}
}
