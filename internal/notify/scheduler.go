package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Clock is the scheduler's time source; tests replace it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Sending limits: both robots accept 20 messages a minute.
const (
	RatePerMinute = 20
	Attempts      = 3
	// FirstBackoff is the wait before the second attempt; each later wait doubles.
	FirstBackoff = 5 * time.Second
)

// limiter lets at most max sends start in any window of per.
type limiter struct {
	mu    sync.Mutex
	clock Clock
	max   int
	per   time.Duration
	sent  []time.Time
}

// wait blocks until a send may start, then counts it.
func (l *limiter) wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := l.clock.Now()
		keep := l.sent[:0]
		for _, t := range l.sent {
			if now.Sub(t) < l.per {
				keep = append(keep, t)
			}
		}
		l.sent = keep
		if len(l.sent) < l.max {
			l.sent = append(l.sent, now)
			l.mu.Unlock()
			return nil
		}
		wait := l.per - now.Sub(l.sent[0])
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-l.clock.After(wait):
		}
	}
}

// Scheduler runs the daily reminders: every morning it creates the planned events of
// recurring plans and sends each enabled channel the digest of its subtree. The web server
// starts Run in a goroutine; a failing channel is retried and recorded, never fatal.
type Scheduler struct {
	DB *store.DB
	// Clock defaults to the real clock.
	Clock Clock
	// At is the local time of day of the daily run; zero means 07:30.
	At time.Duration
	// PlanDays is how many days ahead recurring plans are materialized; zero means 60.
	PlanDays int
	// PerSection bounds the lines of each digest section; zero means 20.
	PerSection int
	// Client sends the webhooks; nil uses a client with a 15-second timeout.
	Client *http.Client
	// Log receives one line per run and per failure; nil discards them.
	Log *slog.Logger

	mu       sync.Mutex
	limiters map[int64]*limiter
}

// RunResult says what one run did.
type RunResult struct {
	Materialized int
	Sent         int
	Failed       int
}

func (s *Scheduler) clock() Clock {
	if s.Clock == nil {
		return realClock{}
	}
	return s.Clock
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Next returns the first daily run time strictly after now.
func (s *Scheduler) Next(now time.Time) time.Time {
	at := s.At
	if at == 0 {
		at = 7*time.Hour + 30*time.Minute
	}
	local := now.In(party.Zone)
	y, m, d := local.Date()
	next := time.Date(y, m, d, 0, 0, 0, 0, party.Zone).Add(at)
	if !next.After(now) {
		next = time.Date(y, m, d+1, 0, 0, 0, 0, party.Zone).Add(at)
	}
	return next
}

// Run runs every day at At until ctx is done; it returns ctx's error.
func (s *Scheduler) Run(ctx context.Context) error {
	c := s.clock()
	for {
		now := c.Now()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.After(s.Next(now).Sub(now)):
		}
		res, err := s.RunOnce(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log().Error("reminders: run failed", "err", err)
			continue
		}
		s.log().Info("reminders: run done", "materialized", res.Materialized, "sent", res.Sent, "failed", res.Failed)
	}
}

// RunOnce materializes recurring plans and sends every enabled channel its digest now.
// Channels whose subtree has nothing to report are skipped.
func (s *Scheduler) RunOnce(ctx context.Context) (RunResult, error) {
	var res RunResult
	ctx = party.WithActor(ctx, party.Actor{Username: "system:reminders", Source: "system"})
	today := party.Today(s.clock().Now())
	days := s.PlanDays
	if days == 0 {
		days = 60
	}
	n, err := s.DB.MaterializePlans(ctx, today.AddDays(days))
	if err != nil {
		return res, fmt.Errorf("notify: materialize plans: %w", err)
	}
	res.Materialized = n
	channels, err := s.DB.Channels(ctx, true)
	if err != nil {
		return res, fmt.Errorf("notify: %w", err)
	}
	per := s.PerSection
	if per == 0 {
		per = 20
	}
	for _, c := range channels {
		d, err := Collect(ctx, s.DB, []int64{c.RootOrgID}, today)
		if err != nil {
			return res, err
		}
		if d.Count() == 0 {
			continue
		}
		attempts, sendErr := s.deliver(ctx, c, d.Message(c.RootName, per))
		del := &store.Delivery{ChannelID: c.ID, OK: sendErr == nil, Attempts: attempts, Items: d.Count()}
		if sendErr != nil {
			del.Error = sendErr.Error()
			res.Failed++
			s.log().Warn("reminders: channel failed", "channel", c.Name, "attempts", attempts, "err", sendErr)
		} else {
			res.Sent++
		}
		if err := s.DB.RecordDelivery(ctx, del); err != nil {
			return res, fmt.Errorf("notify: %w", err)
		}
	}
	return res, nil
}

// deliver sends m through channel c within its rate limit, retrying with a doubling backoff;
// it returns the attempts made and the last error.
func (s *Scheduler) deliver(ctx context.Context, c *store.Channel, m Message) (int, error) {
	sender, err := NewSender(c, s.Client, s.clock().Now)
	if err != nil {
		return 0, err
	}
	lim := s.limiter(c.ID)
	backoff := FirstBackoff
	var last error
	for attempt := 1; attempt <= Attempts; attempt++ {
		if err := lim.wait(ctx); err != nil {
			return attempt - 1, err
		}
		sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		last = sender.Send(sendCtx, m)
		cancel()
		if last == nil {
			return attempt, nil
		}
		if attempt == Attempts {
			return attempt, last
		}
		select {
		case <-ctx.Done():
			return attempt, ctx.Err()
		case <-s.clock().After(backoff):
		}
		backoff *= 2
	}
	return Attempts, last
}

func (s *Scheduler) limiter(channel int64) *limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limiters == nil {
		s.limiters = map[int64]*limiter{}
	}
	l := s.limiters[channel]
	if l == nil {
		l = &limiter{clock: s.clock(), max: RatePerMinute, per: time.Minute}
		s.limiters[channel] = l
	}
	return l
}
