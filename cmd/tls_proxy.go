package cmd

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// forwarded is what a trusted reverse proxy said about the original request.
type forwarded struct {
	ClientIP string // the rightmost untrusted X-Forwarded-For hop
	Proto    string // "http" or "https"
	Host     string
}

// forwardingHeaders are the headers a client could forge to look like
// someone else when no proxy vouches for them.
var forwardingHeaders = []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-Ip", "Forwarded"}

// trustedProxy makes the handlers behind it see the real client when ledger
// runs behind a reverse proxy (--trust-proxy). With trust set, the client IP
// is taken from X-Forwarded-For — walking from the right, the first address
// that is not loopback, private or link-local (i.e. not one of the operator's
// own proxies) — and put in r.RemoteAddr (port 0) so login throttling keys on
// it; X-Forwarded-Proto (http/https) goes to r.URL.Scheme and a valid
// X-Forwarded-Host to r.Host. Without trust the headers are removed so nothing
// downstream can be fooled by them.
func trustedProxy(next http.Handler, trust bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !trust {
			if hasForwarding(r.Header) {
				r = r.Clone(r.Context())
				for _, h := range forwardingHeaders {
					r.Header.Del(h)
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		var f forwarded
		if ip, ok := clientFromXFF(r.Header.Values("X-Forwarded-For")); ok {
			f.ClientIP = ip
		}
		if p := strings.ToLower(lastValue(r.Header.Values("X-Forwarded-Proto"))); p == "http" || p == "https" {
			f.Proto = p
		}
		if h := lastValue(r.Header.Values("X-Forwarded-Host")); validHost(h) {
			f.Host = h
		}
		if f == (forwarded{}) {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.WithContext(r.Context()) // a shallow copy: the caller's request stays as it was
		u := *r.URL
		r2.URL = &u
		if f.ClientIP != "" {
			r2.RemoteAddr = net.JoinHostPort(f.ClientIP, "0")
		}
		if f.Proto != "" {
			r2.URL.Scheme = f.Proto
		}
		if f.Host != "" {
			r2.Host = f.Host
			r2.URL.Host = f.Host
		}
		next.ServeHTTP(w, r2)
	})
}

func hasForwarding(h http.Header) bool {
	for _, k := range forwardingHeaders {
		if _, ok := h[k]; ok {
			return true
		}
	}
	return false
}

// clientFromXFF returns the rightmost hop that is not a proxy of ours
// (loopback, private, link-local); if every hop is ours, the leftmost. A
// malformed hop stops the walk: what lies left of it cannot be trusted, so the
// last good hop to its right is the answer.
func clientFromXFF(values []string) (string, bool) {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	last := ""
	for i := len(hops) - 1; i >= 0; i-- {
		ip, ok := parseHop(hops[i])
		if !ok {
			break
		}
		last = ip.String()
		if !ownProxy(ip) {
			return last, true
		}
	}
	return last, last != ""
}

// parseHop accepts "1.2.3.4", "1.2.3.4:567", "2001:db8::1" and "[2001:db8::1]:567".
func parseHop(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func ownProxy(a netip.Addr) bool {
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified()
}

func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v := values[len(values)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// validHost accepts a DNS name or IP with an optional port; nothing that
// could smuggle a path, user info or header.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}
