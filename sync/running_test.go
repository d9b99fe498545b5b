package sync

import (
	"context"
	"errors"
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
)

// runningIDs lists the binding's runs in status running.
func runningIDs(t *testing.T, e *env) []uint64 {
	t.Helper()
	runs, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, Status: domain.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	return ids
}

// While a round posts to Xero, its claimed runs are running; the runs
// waiting for an earlier run of the same entity stay queued.
func TestRunsRunningWhileWorked(t *testing.T) {
	var (
		e    *env
		mu   gosync.Mutex
		seen = map[string]map[domain.RunStatus]int{} // first POST of each path → statuses then
	)
	e = newEnv(t, synctest.Options{Transport: func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if req.Method != http.MethodGet && strings.Contains(req.URL.Path, "/api.xro/2.0/") {
				path := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
				mu.Lock()
				if seen[path] == nil {
					runs, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID})
					if err != nil {
						t.Error(err)
					}
					seen[path] = map[domain.RunStatus]int{}
					for _, r := range runs {
						seen[path][r.Status]++
					}
				}
				mu.Unlock()
			}
			return next.RoundTrip(req)
		})
	}})
	e.PaidOrder(1)
	e.PaidOrder(2)
	e.runOnce()
	want := map[string]map[domain.RunStatus]int{
		// Round 1 claims both invoice.created runs; the invoice.paid runs wait.
		"Contacts": {domain.RunRunning: 2, domain.RunQueued: 2},
		"Invoices": {domain.RunRunning: 2, domain.RunQueued: 2},
		// Round 2 claims the invoice.paid runs.
		"Payments": {domain.RunRunning: 2, domain.RunSucceeded: 2},
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("run statuses at each path's first write (-want +got):\n%s", diff)
	}
	if got := runningIDs(t, e); len(got) != 0 {
		t.Errorf("runs left running after the round: %v", got)
	}
	wantExactlyOnce(t, e, 2, 0)
}

// Every way out of a round leaves its claimed runs terminal or queued.
func TestEveryExitLeavesNoRunRunning(t *testing.T) {
	tests := []struct {
		name      string
		transport func(cancel context.CancelFunc) func(http.RoundTripper) http.RoundTripper
		creditFor bool // add a full credit memo: it waits for its invoice's runs
		want      domain.RunStatus
	}{
		{name: "succeeded", want: domain.RunSucceeded},
		{name: "credit memo waits for its invoice", creditFor: true, want: domain.RunQueued},
		{name: "backoff after 503", want: domain.RunQueued, transport: func(context.CancelFunc) func(http.RoundTripper) http.RoundTripper {
			return xeroAnswers(http.StatusServiceUnavailable, nil, func() bool { return true })
		}},
		{name: "rate limited", want: domain.RunQueued, transport: func(context.CancelFunc) func(http.RoundTripper) http.RoundTripper {
			return xeroAnswers(http.StatusTooManyRequests, http.Header{"Retry-After": {"60"}, "X-Rate-Limit-Problem": {"minute"}}, func() bool { return true })
		}},
		{name: "consent refused pauses", want: domain.RunQueued, transport: func(context.CancelFunc) func(http.RoundTripper) http.RoundTripper {
			return xeroAnswers(http.StatusUnauthorized, nil, func() bool { return true })
		}},
		{name: "validation fails", want: domain.RunFailed, transport: func(context.CancelFunc) func(http.RoundTripper) http.RoundTripper {
			return xeroAnswers(http.StatusBadRequest, nil, func() bool { return true })
		}},
		{name: "shutdown mid-round", want: domain.RunQueued, transport: func(cancel context.CancelFunc) func(http.RoundTripper) http.RoundTripper {
			return func(http.RoundTripper) http.RoundTripper {
				return rtFunc(func(req *http.Request) (*http.Response, error) {
					cancel()
					return nil, context.Canceled
				})
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var o synctest.Options
			if tt.transport != nil {
				o.Transport = tt.transport(cancel)
			}
			e := newEnv(t, o)
			e.PaidOrder(1)
			created := e.Run(1)
			target := created.ID
			if tt.creditFor {
				e.creditFull(1)
				runs, err := e.DB.ListRuns(store.RunFilter{BindingID: e.Binding.ID, Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				target = runs[0].ID // the credit memo: newest
			}
			if _, err := e.w.Round(ctx, e.Binding.ID); err != nil && !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
			if got := runningIDs(t, e); len(got) != 0 {
				t.Errorf("runs left running: %v", got)
			}
			if got := e.Run(target).Status; got != tt.want {
				t.Errorf("run %d: %s, want %s", target, got, tt.want)
			}
			if st, err := e.DB.RunStats(e.Binding.ID); err != nil || st.Pending == 0 && tt.want == domain.RunQueued {
				t.Errorf("RunStats = %+v, %v", st, err)
			}
		})
	}
}

// A run a crash left running (its invoice already posted, the answer
// lost) is queued again when the worker starts and synced exactly once:
// its attempt record makes the round look the invoice up first.
func TestCrashLeftRunningProcessedOnce(t *testing.T) {
	// Every invoice write's answer is lost and every invoice look-up fails
	// until the crash, so the run ends the round queued with an attempt
	// record and its invoice in Xero.
	dropping, dropped := true, 0
	var mu gosync.Mutex
	e := newEnv(t, synctest.Options{Transport: func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			invoices := dropping && strings.HasSuffix(req.URL.Path, "/Invoices")
			drop := invoices && req.Method != http.MethodGet
			if drop {
				dropped++
			}
			mu.Unlock()
			if invoices && !drop { // the look-up after the lost answer fails too
				return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(`{}`)), Request: req}, nil
			}
			resp, err := next.RoundTrip(req)
			if drop && err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return nil, errors.New("connection reset (injected after the invoice was created)")
			}
			return resp, err
		})
	}})
	e.PaidOrder(1)
	e.runOnce()
	mu.Lock()
	dropping = false
	mu.Unlock()
	if n := len(e.Xero.Invoices(e.Org)); n != 1 || dropped == 0 {
		t.Fatalf("setup: %d invoices in Xero, %d answers dropped", n, dropped)
	}
	// The crash: the next round had claimed the runs when the process died.
	var queued []uint64
	for _, id := range []uint64{1, 2} {
		if e.Run(id).Status == domain.RunQueued {
			queued = append(queued, id)
		}
	}
	if marked, err := e.DB.MarkRunning(queued, e.Clock.Now()); err != nil || len(marked) == 0 {
		t.Fatalf("MarkRunning(%v) = %v, %v", queued, marked, err)
	}
	e.Clock.Advance(11 * time.Minute) // past the backoff

	finished := make(chan *domain.SyncRun, 8)
	cfg := e.w.cfg
	cfg.Finished = func(r *domain.SyncRun) { finished <- r }
	w := New(cfg)
	w.Start(e.Ctx)
	got := map[uint64]domain.RunStatus{}
	timeout := time.After(20 * time.Second)
	for len(got) < len(queued) {
		select {
		case r := <-finished:
			got[r.ID] = r.Status
		case <-timeout:
			t.Fatalf("runs finished: %v, want %v", got, queued)
		}
	}
	if err := w.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range queued {
		if got[id] != domain.RunSucceeded {
			t.Errorf("run %d: %s", id, got[id])
		}
	}
	if ids := runningIDs(t, e); len(ids) != 0 {
		t.Errorf("runs left running: %v", ids)
	}
	wantExactlyOnce(t, e, 1, 0)
}
