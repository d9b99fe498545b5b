package dashboard

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestThrottleBounded: failed logins under ever new emails (attacker input)
// never grow the throttle past maxThrottleKeys, stale keys are swept, and a
// key still counting its failures survives the sweep.
func TestThrottleBounded(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	th := newThrottle(clk.Now, 5, 15*time.Minute)
	for range 5 {
		th.fail("email:victim@example.com")
	}
	clk.Add(time.Second)
	for i := range maxThrottleKeys + 500 {
		th.fail("email:" + strconv.Itoa(i) + "@spray.example")
		if n := len(th.fails); n > maxThrottleKeys {
			t.Fatalf("after %d keys the throttle holds %d, want ≤ %d", i+1, n, maxThrottleKeys)
		}
	}
	// The oldest keys were evicted first: the victim's was the first written.
	if th.blocked("email:victim@example.com") != 0 {
		t.Error("the oldest key was not the one evicted")
	}
	// After the window, filling the table again sweeps every stale key.
	clk.Add(16 * time.Minute)
	fresh := maxThrottleKeys - len(th.fails) + 1
	for i := range fresh {
		th.fail("email:" + strconv.Itoa(i) + "@later.example")
	}
	if n := len(th.fails); n != fresh {
		t.Errorf("after the window the throttle holds %d keys, want %d (stale ones swept)", n, fresh)
	}
	// A long key is stored cut to a bound.
	th.fail("email:" + strings.Repeat("x", 10_000))
	for k := range th.fails {
		if len(k) > maxThrottleKey {
			t.Errorf("stored a %d-byte key", len(k))
		}
	}
}

// TestThrottleKeepsBlocking: a key with failures in its window is still
// refused after the table filled up with newer keys, when older ones exist
// to evict.
func TestThrottleKeepsBlocking(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	th := newThrottle(clk.Now, 5, 15*time.Minute)
	for i := range maxThrottleKeys / 2 {
		th.fail("ip:10.0.0." + strconv.Itoa(i))
	}
	clk.Add(time.Minute)
	for range 5 {
		th.fail("email:victim@example.com")
	}
	for i := range maxThrottleKeys - 1 {
		th.fail("ip:10.1.0." + strconv.Itoa(i))
	}
	if th.blocked("email:victim@example.com") == 0 {
		t.Fatal("the victim's email is no longer throttled after the table filled")
	}
}

// TestThrottleIPv6Prefix: IPv6 clients are counted per /64, the block one
// subscriber gets, so rotating addresses inside it does not reset the count.
func TestThrottleIPv6Prefix(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"203.0.113.7:1234", "203.0.113.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"[::ffff:203.0.113.7]:80", "203.0.113.7"},
		{"not-an-address", "not-an-address"},
	} {
		if got := throttleIP(tt.addr); got != tt.want {
			t.Errorf("throttleIP(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
