package metrics

import (
	"net/http"
	"strings"
	"time"
)

// RoundTripper wraps next (nil means http.DefaultTransport) so that every
// request under apiBase is recorded as a Xero call: endpoint (the first path
// segment after apiBase, e.g. "Invoices"), status, duration, and for a 429 the
// X-Rate-Limit-Problem header. Requests outside apiBase (token, connections)
// are recorded with the endpoint "other". The xero package needs no import of
// metrics: pass the wrapped transport in its *http.Client.
func (m *Metrics) RoundTripper(apiBase string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return &roundTripper{m: m, base: strings.TrimRight(pathOf(apiBase), "/"), next: next, now: time.Now}
}

type roundTripper struct {
	m    *Metrics
	base string
	next http.RoundTripper
	now  func() time.Time
}

func (t *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	start := t.now()
	resp, err := t.next.RoundTrip(r)
	d := t.now().Sub(start)
	status := 0
	if err == nil && resp != nil {
		status = resp.StatusCode
	}
	t.m.XeroRequest(Endpoint(t.base, r.URL.Path), status, d)
	if status == http.StatusTooManyRequests {
		t.m.RateLimited(problemLabel(resp.Header.Get("X-Rate-Limit-Problem")))
	}
	return resp, err
}

// Endpoint returns the first path segment of path after basePath ("Invoices"
// for "/api.xro/2.0/Invoices/abc" with base "/api.xro/2.0"), or "other" when
// path is not under basePath. The result is one of a bounded set of words so
// that a hostile path cannot blow up label cardinality: anything that is not
// a plain ASCII identifier becomes "other".
func Endpoint(basePath, path string) string {
	basePath = strings.TrimRight(basePath, "/")
	if basePath != "" {
		rest, ok := strings.CutPrefix(path, basePath)
		if !ok || (rest != "" && rest[0] != '/') {
			return "other"
		}
		path = rest
	}
	path = strings.TrimLeft(path, "/")
	seg, _, _ := strings.Cut(path, "/")
	if seg == "" || len(seg) > 40 || !identifier(seg) {
		return "other"
	}
	return seg
}

func identifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// problemLabel bounds X-Rate-Limit-Problem to Xero's documented values.
func problemLabel(p string) string {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "minute":
		return "minute"
	case "day":
		return "day"
	case "appminute":
		return "appminute"
	case "concurrent":
		return "concurrent"
	}
	return "unknown"
}

// pathOf returns the path of an absolute URL or the string itself if it is
// already a path.
func pathOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return ""
	}
	return u
}
