package sync

import (
	"errors"
	"io"
	"net/http"
	gosync "sync"
	"testing"

	"ledger/sync/synctest"
)

// dropFirst applies the first request matching method and path, then drops
// its answer: the client cannot know the outcome.
type dropFirst struct {
	next         http.RoundTripper
	method, path string
	mu           gosync.Mutex
	done         bool
}

func (d *dropFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	hit := !d.done && req.Method == d.method && req.URL.Path == d.path
	d.done = d.done || hit
	d.mu.Unlock()
	resp, err := d.next.RoundTrip(req)
	if !hit || err != nil {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errors.New("connection reset by peer (injected after the request was applied)")
}

// TestPaymentLookupIsBatched: after a PUT /Payments of 50 payments whose
// answer is lost, the worker finds what landed with one GET per 25
// invoices (not one per invoice) and adopts every payment exactly once.
func TestPaymentLookupIsBatched(t *testing.T) {
	d := &dropFirst{method: http.MethodPut, path: "/api.xro/2.0/Payments"}
	e := newEnv(t, synctest.Options{Transport: func(next http.RoundTripper) http.RoundTripper { d.next = next; return d }})
	const n = 60
	for i := int64(1); i <= n; i++ {
		e.PaidOrder(i)
	}
	settle(t, e, 5)
	if !d.done {
		t.Fatal("no PUT /Payments was dropped")
	}
	wantExactlyOnce(t, e, n, 0)
	if got, want := e.Xero.Calls()["GET /Payments"], 2; got != want { // 50 unknown outcomes → 25 + 25
		t.Errorf("GET /Payments called %d times, want %d (calls %v)", got, want, e.Xero.Calls())
	}
	if v := e.Xero.Violations(); len(v) != 0 {
		t.Errorf("OpenAPI violations: %v", v)
	}
}
