package magento

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		in       string
		private  bool
		want     string
		warnings int
		bad      bool
	}{
		{"https://shop.example.com/", false, "https://shop.example.com", 0, false},
		{"  HTTPS://Shop.Example.com/magento//  ", false, "https://shop.example.com/magento", 0, false},
		{"http://shop.example.com", false, "http://shop.example.com", 1, false},
		{"https://shop.example.com:8443/index.php", false, "https://shop.example.com:8443/index.php", 0, false},
		{"http://127.0.0.1:8080/", true, "http://127.0.0.1:8080", 1, false},
		{"http://127.0.0.1:8080/", false, "", 0, true},
		{"https://10.0.0.5", false, "", 0, true},
		{"https://[::1]/", false, "", 0, true},
		{"https://169.254.169.254/", false, "", 0, true},
		{"ftp://shop.example.com", false, "", 0, true},
		{"shop.example.com", false, "", 0, true},
		{"https://user:pw@shop.example.com", false, "", 0, true},
		{"https://shop.example.com/?a=1", false, "", 0, true},
		{"https://shop.example.com/?", false, "", 0, true},
		{"https://shop.example.com/#x", false, "", 0, true},
		{"https:///path", false, "", 0, true},
		{"", false, "", 0, true},
	}
	for _, tt := range tests {
		got, warns, err := CheckBaseURL(tt.in, tt.private)
		if tt.bad {
			if domain.KindOf(err) != domain.EInvalid {
				t.Errorf("CheckBaseURL(%q) = %q, %v; want EInvalid", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want || len(warns) != tt.warnings {
			t.Errorf("CheckBaseURL(%q) = %q, %q, %v; want %q with %d warnings", tt.in, got, warns, err, tt.want, tt.warnings)
		}
	}
}

func TestForbidden(t *testing.T) {
	for s, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.169.254": true, "fe80::1": true, "224.0.0.1": true, "ff02::1": true, "0.0.0.0": true, "::": true,
		"100.64.0.1": true, "fc00::1": true, "::ffff:127.0.0.1": true, "0.1.2.3": true,
		"93.184.216.34": false, "2606:2800:220:1:248:1893:25c8:1946": false, "8.8.8.8": false,
	} {
		if got := forbidden(netip.MustParseAddr(s)); got != want {
			t.Errorf("forbidden(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestHTTPClientRefusesLoopbackAtDial(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	// The URL check would refuse 127.0.0.1; a name that resolves to it
	// (as after DNS rebinding) is caught by the dialer.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, url := range []string{srv.URL, "http://localhost:" + port} {
		resp, err := NewHTTPClient(false).Get(url)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET %s: dial allowed", url)
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Fatalf("GET %s: err = %v, want ErrForbiddenAddress", url, err)
		}
	}
	if hits != 0 {
		t.Fatalf("server saw %d requests", hits)
	}
	resp, err := NewHTTPClient(true).Get(srv.URL)
	if err != nil {
		t.Fatalf("allowPrivate: %v", err)
	}
	resp.Body.Close()
	if diff := cmp.Diff(1, hits); diff != "" {
		t.Errorf("hits (-want +got): %s", diff)
	}
}

func TestHTTPClientDoesNotFollowRedirects(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("http://example.invalid/", http.StatusFound))
	defer srv.Close()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
	resp, err := NewHTTPClient(true).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status %d, want 302 returned as is", resp.StatusCode)
	}
}
