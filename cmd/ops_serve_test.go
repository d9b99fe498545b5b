package cmd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startServeArgs runs `ledger serve` with extra flags until the test ends.
func startServeArgs(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan result, 1)
	logs := &syncBuffer{}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir}, extra...)
	go func() {
		done <- runCLI(t, invocation{ctx: ctx, args: args, logs: logs, onServing: func(a string) { ready <- a }})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case a := <-ready:
		return a
	case r := <-done:
		t.Fatalf("serve exited %d before listening: %s\nlogs: %s", r.code, r.stderr, logs)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not listen within 10s")
	}
	return ""
}

func TestServeTLSAnswersHealthz(t *testing.T) {
	dir := dataDir(t)
	c := makeTestCert(t, 7)
	cf, kf := c.write(t, t.TempDir(), time.Now())
	addr := startServeArgs(t, dir, "--tls-cert", cf, "--tls-key", kf)
	pool := x509.NewCertPool()
	pool.AddCert(c.leaf)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || body.Status != "ok" || resp.TLS == nil || resp.TLS.PeerCertificates[0].SerialNumber.Int64() != 7 {
		t.Errorf("GET https /healthz = %d %+v (tls %v), want 200 ok with serial 7", resp.StatusCode, body, resp.TLS != nil)
	}
	// Plain HTTP on the TLS port is refused.
	if r, err := http.Get("http://" + addr + "/healthz"); err == nil {
		if r.StatusCode == 200 {
			t.Error("plain HTTP answered 200 on the TLS port")
		}
		r.Body.Close()
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// failLogins posts n failed logins (a new email each time, so only the IP
// key counts) with the X-Forwarded-For header and returns the last status.
func failLogins(t *testing.T, base, xff string, n int) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	req, _ := http.NewRequest("GET", base+"/login", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf token on the login page")
	}
	code := 0
	for i := 0; i < n; i++ {
		form := url.Values{"csrf": {string(m[1])}, "email": {fmt.Sprintf("nobody%d-%s@example.com", i, xff)}, "password": {"wrong"}}
		req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
		if next := csrfRE.FindSubmatch(page); next != nil { // the form may rotate its token
			m = next
		}
	}
	return code
}

func TestServeTrustProxyThrottlesForwardedClient(t *testing.T) {
	tests := []struct {
		name      string
		flags     []string
		wantOther int // a sixth failure from another forwarded client
	}{
		// Behind a proxy each client has its own budget of failures.
		{"trusted", []string{"--trust-proxy"}, http.StatusUnauthorized},
		// Without trust every request is the proxy's own address.
		{"untrusted", nil, http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := "http://" + startServeArgs(t, dataDir(t), tt.flags...)
			if code := failLogins(t, base, "203.0.113.5", 6); code != http.StatusTooManyRequests {
				t.Fatalf("sixth failed login from 203.0.113.5 = %d, want 429", code)
			}
			if code := failLogins(t, base, "203.0.113.6", 1); code != tt.wantOther {
				t.Errorf("failed login from 203.0.113.6 = %d, want %d", code, tt.wantOther)
			}
		})
	}
}
