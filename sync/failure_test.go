package sync

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/store"
	"ledger/sync/synctest"
	"ledger/xero"
)

func TestClassifyXeroAnswers(t *testing.T) {
	now := time.Date(2026, 4, 29, 9, 0, 0, 0, time.UTC)
	type handling struct {
		Class     string
		Transient bool
		Free      bool
	}
	tests := []struct {
		name string
		err  error
		want handling
	}{
		{"409 same Idempotency-Key still in progress", &xero.APIError{Op: "POST /Invoices", StatusCode: http.StatusConflict, Message: "Conflict"},
			handling{domain.ClassProvider, true, false}},
		{"409 wrapped", fmt.Errorf("posting invoices: %w", &xero.APIError{StatusCode: http.StatusConflict}),
			handling{domain.ClassProvider, true, false}},
		{"429 concurrent limit", &xero.RateLimitError{Problem: "concurrent", RetryAfter: time.Second},
			handling{domain.ClassRateLimited, true, true}},
		{"400 without validation elements", &xero.APIError{StatusCode: http.StatusBadRequest, Message: "bad"},
			handling{domain.ClassHTTP, false, false}},
		{"412 precondition", &xero.APIError{StatusCode: http.StatusPreconditionFailed},
			handling{domain.ClassHTTP, false, false}},
		{"other 5xx API error", &xero.APIError{StatusCode: 501},
			handling{domain.ClassHTTP, true, false}},
		{"503 unavailable", &xero.UnavailableError{StatusCode: 503, Sent: true},
			handling{domain.ClassProvider, true, false}},
		{"validation", &xero.ValidationError{Message: "A validation exception occurred"},
			handling{domain.ClassValidation, false, false}},
		{"look-up matched too many pages", &xero.TooManyPagesError{Op: "GET /Contacts", Pages: 100},
			handling{domain.ClassProvider, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := classify(tt.err, now)
			got := handling{f.class, f.transient, f.free}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("classify (-want +got):\n%s", diff)
			}
			if f.message == "" || strings.Contains(f.message, "POST /") {
				t.Errorf("message %q: want a user-safe sentence", f.message)
			}
		})
	}
}

// Xero answers 409 to an invoice write it is still processing (the write
// lands): the run is retried with backoff, looks the invoice up instead
// of posting again, and the order is in Xero exactly once.
func TestConflictInProgressLooksUpThenSucceeds(t *testing.T) {
	var (
		mu        gosync.Mutex
		conflicts int
	)
	e := newEnv(t, synctest.Options{Transport: func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(req)
			mu.Lock()
			conflict := conflicts == 0 && err == nil && req.Method != http.MethodGet && strings.HasSuffix(req.URL.Path, "/Invoices")
			if conflict {
				conflicts++
			}
			mu.Unlock()
			if !conflict {
				return resp, err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return &http.Response{StatusCode: http.StatusConflict, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{"Message":"A request with this Idempotency-Key is in progress"}`)), Request: req}, nil
		})
	}})
	inv, _ := synctest.Order(1, "checkmo")
	e.Magento.AddInvoice(inv)
	id := e.Accept(domain.EventInvoiceCreated, 1, `{"paid":true}`)[0]
	e.runOnce()
	r := e.Run(id)
	if r.Status != domain.RunQueued || r.ErrorClass != domain.ClassProvider || r.NextAttemptAt == nil || r.Attempts != 1 {
		t.Fatalf("after the 409: %s class %s attempts %d next %v: %s", r.Status, r.ErrorClass, r.Attempts, r.NextAttemptAt, r.ErrorMessage)
	}
	if as, err := e.DB.Attempts(id); err != nil || len(as) == 0 {
		t.Fatalf("attempt records = %v, %v; want the invoice write's", as, err)
	}
	before := e.Xero.Calls()
	settle(t, e, 5) // past the backoff and Xero's replay window
	after := e.Xero.Calls()
	if r := e.Run(id); r.Status != domain.RunSucceeded {
		t.Fatalf("after the retry: %s %s", r.Status, r.ErrorMessage)
	}
	if n := len(e.Xero.Invoices(e.Org)); n != 1 || conflicts != 1 {
		t.Errorf("%d invoices in Xero after %d conflicts, want 1 and 1", n, conflicts)
	}
	if after["PUT /Invoices"] != before["PUT /Invoices"] || after["GET /Invoices"] <= before["GET /Invoices"] {
		t.Errorf("the retry must look the invoice up, not post it again: calls before %v, after %v", before, after)
	}
	if runs, _ := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, Status: domain.RunFailed}); len(runs) != 0 {
		t.Errorf("failed runs: %+v", runs)
	}
}
