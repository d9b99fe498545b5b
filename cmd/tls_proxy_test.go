package cmd

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seen is what a handler behind trustedProxy observed.
type seen struct {
	RemoteAddr string
	Scheme     string
	Host       string
	XFF        string
}

func TestTrustedProxy(t *testing.T) {
	tests := []struct {
		name    string
		trust   bool
		headers map[string][]string
		want    seen
	}{
		{
			name:    "not trusted: headers ignored and removed",
			trust:   false,
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"evil.example"}},
			want:    seen{RemoteAddr: "192.0.2.1:1234", Host: "ledger.local"},
		},
		{
			name:  "trusted: one proxy",
			trust: true,
			headers: map[string][]string{
				"X-Forwarded-For": {"203.0.113.9"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"ledger.example.com"},
			},
			want: seen{RemoteAddr: "203.0.113.9:0", Scheme: "https", Host: "ledger.example.com", XFF: "203.0.113.9"},
		},
		{
			name:    "trusted: spoofed left hops are skipped, rightmost untrusted wins",
			trust:   true,
			headers: map[string][]string{"X-Forwarded-For": {"1.1.1.1, 198.51.100.7", "10.0.0.5"}},
			want:    seen{RemoteAddr: "198.51.100.7:0", Host: "ledger.local", XFF: "1.1.1.1, 198.51.100.7"},
		},
		{
			name:    "trusted: all hops internal uses the leftmost",
			trust:   true,
			headers: map[string][]string{"X-Forwarded-For": {"192.168.1.20, 10.0.0.5, 127.0.0.1"}},
			want:    seen{RemoteAddr: "192.168.1.20:0", Host: "ledger.local", XFF: "192.168.1.20, 10.0.0.5, 127.0.0.1"},
		},
		{
			name:    "trusted: garbage hop stops the walk",
			trust:   true,
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.1, <script>, 10.0.0.5"}},
			want:    seen{RemoteAddr: "10.0.0.5:0", Host: "ledger.local", XFF: "203.0.113.1, <script>, 10.0.0.5"},
		},
		{
			name:    "trusted: IPv6 with port and mapped IPv4",
			trust:   true,
			headers: map[string][]string{"X-Forwarded-For": {"[2001:db8::1]:4711, ::ffff:10.1.1.1"}},
			want:    seen{RemoteAddr: "[2001:db8::1]:0", Host: "ledger.local", XFF: "[2001:db8::1]:4711, ::ffff:10.1.1.1"},
		},
		{
			name:    "trusted: bad proto and host are ignored",
			trust:   true,
			headers: map[string][]string{"X-Forwarded-Proto": {"javascript"}, "X-Forwarded-Host": {"evil.example/path"}},
			want:    seen{RemoteAddr: "192.0.2.1:1234", Host: "ledger.local"},
		},
		{
			name:    "trusted: rightmost proto wins",
			trust:   true,
			headers: map[string][]string{"X-Forwarded-Proto": {"http, https"}},
			want:    seen{RemoteAddr: "192.0.2.1:1234", Scheme: "https", Host: "ledger.local"},
		},
		{
			name:  "trusted: no headers changes nothing",
			trust: true,
			want:  seen{RemoteAddr: "192.0.2.1:1234", Host: "ledger.local"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got seen
			h := trustedProxy(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got.RemoteAddr, got.Scheme, got.Host = r.RemoteAddr, r.URL.Scheme, r.Host
				got.XFF = r.Header.Get("X-Forwarded-For")
				if !tt.trust {
					for _, k := range forwardingHeaders {
						if r.Header.Get(k) != "" {
							t.Errorf("%s reached the handler untrusted", k)
						}
					}
				}
			}), tt.trust)
			req := httptest.NewRequest("GET", "/dashboard", nil)
			req.Host = "ledger.local"
			req.RemoteAddr = "192.0.2.1:1234"
			for k, vs := range tt.headers {
				for _, v := range vs {
					req.Header.Add(k, v)
				}
			}
			orig := req.RemoteAddr
			h.ServeHTTP(httptest.NewRecorder(), req)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if req.RemoteAddr != orig || req.URL.Scheme != "" {
				t.Error("the caller's request was mutated")
			}
		})
	}
}

func FuzzClientFromXFF(f *testing.F) {
	for _, s := range []string{"203.0.113.9", "1.1.1.1, 10.0.0.1", "[::1]:80, fe80::1", ",,, ", "::ffff:1.2.3.4", "1.2.3.4%eth0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, xff string) {
		ip, ok := clientFromXFF([]string{xff})
		if ok {
			if _, good := parseHop(ip); !good {
				t.Fatalf("clientFromXFF(%q) = %q, not an address", xff, ip)
			}
		} else if ip != "" {
			t.Fatalf("not ok but ip %q", ip)
		}
	})
}
