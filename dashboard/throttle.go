package dashboard

import (
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// The throttle's keys are attacker input (emails, addresses): it holds at
// most maxThrottleKeys of them, each cut to maxThrottleKey bytes. When full it
// sweeps keys whose failures all left the window, then evicts the tenth of
// keys whose last failure is oldest.
const (
	maxThrottleKeys = 10_000
	maxThrottleKey  = 320 // "email:" + the longest valid address
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
		f := t.prune(cutKey(k), now)
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
		k = cutKey(k)
		f := t.prune(k, now)
		if f == nil && len(t.fails) >= maxThrottleKeys {
			t.makeRoom(now)
		}
		t.fails[k] = append(f, now)
	}
}

// makeRoom sweeps expired keys and, if the table is still full, evicts the
// tenth of keys whose last failure is oldest.
func (t *throttle) makeRoom(now time.Time) {
	for k := range t.fails {
		t.prune(k, now)
	}
	if len(t.fails) < maxThrottleKeys {
		return
	}
	type entry struct {
		k    string
		last time.Time
	}
	all := make([]entry, 0, len(t.fails))
	for k, f := range t.fails {
		all = append(all, entry{k, f[len(f)-1]})
	}
	slices.SortFunc(all, func(a, b entry) int { return a.last.Compare(b.last) })
	for _, e := range all[:len(all)/10+1] {
		delete(t.fails, e.k)
	}
}

func cutKey(k string) string {
	if len(k) > maxThrottleKey {
		return k[:maxThrottleKey]
	}
	return k
}

// throttleIP is the throttle's key for a peer address: the IPv4 address, or
// the IPv6 /64 (one subscriber's block, whose addresses are free to rotate).
func throttleIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// reset forgets the failures of keys (after a successful login).
func (t *throttle) reset(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.fails, cutKey(k))
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
