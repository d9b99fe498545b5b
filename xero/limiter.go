package xero

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Xero's published limits per organisation (per app connection) and per app.
const (
	DefaultConcurrent  = 5
	DefaultPerMinute   = 60
	DefaultDailyBudget = 5000
	DefaultAppPerMin   = 10000
)

// Clock is the limiter's time source; tests inject one that advances on
// After so a simulated day runs instantly.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// window counts events in the last rolling minute.
type window struct{ at []time.Time }

func (w *window) prune(now time.Time) {
	cut := now.Add(-time.Minute)
	i := 0
	for i < len(w.at) && !w.at[i].After(cut) {
		i++
	}
	w.at = w.at[i:]
}

// wait is how long until one more event fits under limit when pending
// more are in flight (they enter the window when they finish, because Xero
// stamps a call somewhere between our send and its answer). -1 means
// "until an in-flight call finishes".
func (w *window) wait(now time.Time, limit, pending int) time.Duration {
	w.prune(now)
	free := limit - pending
	if len(w.at) < free {
		return 0
	}
	if free <= 0 {
		return -1
	}
	return w.at[len(w.at)-free].Add(time.Minute).Sub(now)
}

// AppLimiter is the app-wide per-minute budget shared by every organisation.
type AppLimiter struct {
	mu      sync.Mutex
	limit   int
	clock   Clock
	win     window
	pending int
	blocked time.Time
}

// NewAppLimiter shares perMinute calls (≤0 means Xero's 10 000) among all
// organisations; clock nil means the wall clock.
func NewAppLimiter(perMinute int, clock Clock) *AppLimiter {
	if perMinute <= 0 {
		perMinute = DefaultAppPerMin
	}
	if clock == nil {
		clock = realClock{}
	}
	return &AppLimiter{limit: perMinute, clock: clock}
}

func (a *AppLimiter) reserve(now time.Time) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if d := a.blocked.Sub(now); d > 0 {
		return d
	}
	if d := a.win.wait(now, a.limit, a.pending); d != 0 {
		if d < 0 {
			d = time.Second
		}
		return d
	}
	a.pending++
	return 0
}

func (a *AppLimiter) done(now time.Time) {
	a.mu.Lock()
	a.pending--
	a.win.at = append(a.win.at, now)
	a.mu.Unlock()
}

func (a *AppLimiter) block(until time.Time) {
	a.mu.Lock()
	if until.After(a.blocked) {
		a.blocked = until
	}
	a.mu.Unlock()
}

func (a *AppLimiter) remaining(now time.Time) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.win.prune(now)
	return a.limit - len(a.win.at) - a.pending
}

// LimiterConfig sets one organisation's limits; zero values take Xero's.
type LimiterConfig struct {
	Concurrent  int
	PerMinute   int
	DailyBudget int // calls per UTC day
	App         *AppLimiter
	Clock       Clock
	// OnWait, when set, is told how long each successful Wait blocked
	// (metrics); it must not block.
	OnWait func(time.Duration)
}

// Limiter paces one organisation's calls so ledger never draws a 429:
// ≤ Concurrent in flight, ≤ PerMinute per rolling minute, ≤ DailyBudget per
// UTC day, within the shared app budget, and never beyond what Xero's
// X-*Limit-Remaining headers say is left.
type Limiter struct {
	cfg LimiterConfig
	sem chan struct{}

	mu       sync.Mutex
	min      window
	day      time.Time // start of the current UTC day
	dayUsed  int
	srvDay   int // Xero's X-DayLimit-Remaining minus calls since; -1 unknown
	blocked  time.Time
	inFlight int
	changed  chan struct{} // closed and replaced when a call finishes
}

// NewLimiter builds an organisation's limiter.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.Concurrent <= 0 {
		cfg.Concurrent = DefaultConcurrent
	}
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = DefaultPerMinute
	}
	if cfg.DailyBudget <= 0 {
		cfg.DailyBudget = DefaultDailyBudget
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	return &Limiter{cfg: cfg, sem: make(chan struct{}, cfg.Concurrent), srvDay: -1, changed: make(chan struct{})}
}

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (l *Limiter) rollDay(now time.Time) {
	if d := utcDay(now); !d.Equal(l.day) {
		l.day, l.dayUsed, l.srvDay = d, 0, -1
	}
}

func (l *Limiter) dayLeft() int {
	left := l.cfg.DailyBudget - l.dayUsed
	if l.srvDay >= 0 && l.srvDay < left {
		left = l.srvDay
	}
	return max(left, 0)
}

// Wait takes a slot for one call, blocking while the minute or concurrency
// limits say so. When today's budget is spent it returns a *RateLimitError
// at once (Problem "day", Reset at the next UTC midnight) so the caller can
// park the organisation. Every successful Wait must be paired with Done.
func (l *Limiter) Wait(ctx context.Context) error {
	start := l.cfg.Clock.Now()
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	for {
		now := l.cfg.Clock.Now()
		l.mu.Lock()
		l.rollDay(now)
		if l.dayLeft() == 0 {
			reset := l.day.Add(24 * time.Hour)
			l.mu.Unlock()
			<-l.sem
			return &RateLimitError{Problem: "day", RetryAfter: reset.Sub(now), Reset: reset}
		}
		wait := l.min.wait(now, l.cfg.PerMinute, l.inFlight)
		if wait >= 0 {
			wait = max(wait, l.blocked.Sub(now))
		}
		if wait == 0 && l.cfg.App != nil {
			wait = l.cfg.App.reserve(now)
		}
		if wait == 0 {
			l.dayUsed++
			if l.srvDay > 0 {
				l.srvDay--
			}
			l.inFlight++
			l.mu.Unlock()
			if l.cfg.OnWait != nil {
				l.cfg.OnWait(now.Sub(start))
			}
			return nil
		}
		changed := l.changed
		l.mu.Unlock()
		var timer <-chan time.Time
		if wait > 0 {
			timer = l.cfg.Clock.After(wait)
		}
		select {
		case <-timer:
		case <-changed:
		case <-ctx.Done():
			<-l.sem
			return ctx.Err()
		}
	}
}

// Done releases the slot taken by Wait and learns from the response
// headers (nil when no response arrived).
func (l *Limiter) Done(h http.Header) {
	l.Observe(h)
	now := l.cfg.Clock.Now()
	l.mu.Lock()
	l.inFlight--
	l.min.at = append(l.min.at, now)
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
	if l.cfg.App != nil {
		l.cfg.App.done(now)
	}
	<-l.sem
}

// Observe applies Xero's X-MinLimit-Remaining, X-DayLimit-Remaining,
// X-AppMinLimit-Remaining, Retry-After and X-Rate-Limit-Problem headers.
func (l *Limiter) Observe(h http.Header) {
	if h == nil {
		return
	}
	now := l.cfg.Clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rollDay(now)
	if n, ok := headerInt(h, "X-DayLimit-Remaining"); ok {
		l.srvDay = n
	}
	if n, ok := headerInt(h, "X-MinLimit-Remaining"); ok && n <= 0 {
		until := now.Add(time.Minute)
		if len(l.min.at) > 0 {
			until = l.min.at[0].Add(time.Minute)
		}
		if until.After(l.blocked) {
			l.blocked = until
		}
	}
	if n, ok := headerInt(h, "X-AppMinLimit-Remaining"); ok && n <= 0 && l.cfg.App != nil {
		l.cfg.App.block(now.Add(time.Minute))
	}
	if s, ok := headerInt(h, "Retry-After"); ok && s > 0 {
		until := now.Add(time.Duration(min(s, maxRetryAfter)) * time.Second)
		switch h.Get("X-Rate-Limit-Problem") {
		case "day":
			l.srvDay = 0
		case "appminute":
			if l.cfg.App != nil {
				l.cfg.App.block(until)
			}
		default:
			if until.After(l.blocked) {
				l.blocked = until
			}
		}
	}
}

func headerInt(h http.Header, k string) (int, bool) {
	v := h.Get(k)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// LimitStatus is a snapshot for metrics and batching decisions.
type LimitStatus struct {
	MinuteRemaining    int
	DayRemaining       int
	AppMinuteRemaining int // -1 without an app limiter
	InFlight           int
}

// Remaining reports what is left now.
func (l *Limiter) Remaining() LimitStatus {
	now := l.cfg.Clock.Now()
	l.mu.Lock()
	l.rollDay(now)
	l.min.prune(now)
	s := LimitStatus{
		MinuteRemaining: l.cfg.PerMinute - len(l.min.at) - l.inFlight,
		DayRemaining:    l.dayLeft(),
		InFlight:        l.inFlight,
	}
	l.mu.Unlock()
	s.AppMinuteRemaining = -1
	if l.cfg.App != nil {
		s.AppMinuteRemaining = l.cfg.App.remaining(now)
	}
	return s
}

// DayRemaining is how many calls are left today, for batching decisions.
func (l *Limiter) DayRemaining() int { return l.Remaining().DayRemaining }
