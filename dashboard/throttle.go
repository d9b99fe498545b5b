package dashboard

import (
	"sync"
	"time"
)

// throttle counts failed logins per key (an IP or an email) in a sliding
// window; a key with max failures in the window is refused until the oldest
// failure leaves the window.
type throttle struct {
	mu     sync.Mutex
	now    func() time.Time
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newThrottle(now func() time.Time, max int, window time.Duration) *throttle {
	return &throttle{now: now, max: max, window: window, fails: map[string][]time.Time{}}
}

// blocked reports how long any of keys stays refused (0: not refused).
func (t *throttle) blocked(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range keys {
		f := t.prune(k, now)
		if len(f) >= t.max {
			if w := f[len(f)-t.max].Add(t.window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait
}

// fail records one failure for every key.
func (t *throttle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range keys {
		t.fails[k] = append(t.prune(k, now), now)
	}
}

// reset forgets the failures of keys (after a successful login).
func (t *throttle) reset(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.fails, k)
	}
}

func (t *throttle) prune(k string, now time.Time) []time.Time {
	f := t.fails[k]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= t.window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(t.fails, k)
		return nil
	}
	t.fails[k] = f
	return f
}
