package xerotest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWallClockFollowsTimeAndAdvances(t *testing.T) {
	c := NewWallClock()
	before := time.Now()
	got := c.Now()
	if got.Before(before) || got.Sub(before) > time.Minute {
		t.Fatalf("wall clock reads %v, want about %v", got, before)
	}
	c.Advance(time.Hour)
	if d := time.Until(c.Now()); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("after Advance(1h) the clock is %v ahead, want 1h", d)
	}
}

// NewServer runs without a *testing.T: on the asked address, seeded,
// answering unauthenticated Accounting calls 401, and stops on Close.
func TestNewServerOutsideTests(t *testing.T) {
	s, err := NewServer(Options{Addr: "127.0.0.1:0", Clock: NewWallClock()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %q, want a loopback http URL", s.URL)
	}
	if got := len(s.Organisations()); got != 1 {
		t.Errorf("organisations = %d, want the seeded one", got)
	}
	resp, err := http.Get(s.URL + "/api.xro/2.0/Organisation")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unauthenticated GET /Organisation = %d, want 401", resp.StatusCode)
	}
	s.Close()
	if _, err := http.Get(s.URL + "/connections"); err == nil {
		t.Error("the fake still answers after Close")
	}
}

func TestNewServerMisuseWithoutTestPanics(t *testing.T) {
	s, err := NewServer(Options{NoOrganisation: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	defer func() {
		if recover() == nil {
			t.Error("EnableCurrency on an unknown organisation did not panic")
		}
	}()
	s.EnableCurrency("no-such-org", "EUR")
}

func TestNewServerBadAddr(t *testing.T) {
	if _, err := NewServer(Options{Addr: "256.0.0.1:1"}); err == nil {
		t.Fatal("NewServer on an impossible address succeeded")
	}
}
