package magentotest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// NewServer runs without a *testing.T: it answers on the asked address,
// refuses an unauthenticated call with Magento's 401, tells Logf why, and
// stops on Close.
func TestNewServerOutsideTests(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	m, err := NewServer(Options{Addr: "127.0.0.1:0", Logf: func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(m.URL() + "/rest/V1/byte8/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unauthenticated ping = %d, want 401", resp.StatusCode)
	}
	mu.Lock()
	if len(logs) != 1 || !strings.Contains(logs[0], "401") {
		t.Errorf("logs = %q, want one line about the 401", logs)
	}
	mu.Unlock()
	m.Close()
	if _, err := http.Get(m.URL() + "/rest/V1/byte8/ping"); err == nil {
		t.Error("the fake still answers after Close")
	}
}

func TestNewServerBadAddr(t *testing.T) {
	if _, err := NewServer(Options{Addr: "256.0.0.1:1"}); err == nil {
		t.Fatal("NewServer on an impossible address succeeded")
	}
}
