package xero_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"ledger/xero"
	"ledger/xero/xerotest"
)

// A simulated day of saturation: the limiter spends exactly the budget,
// never draws a 429, and then parks with a "day" RateLimitError.
func TestLimiterSaturatesDayWithoutA429(t *testing.T) {
	const budget = 1000
	clock := xerotest.NewClock(time.Date(2026, 4, 29, 0, 0, 0, 0, time.UTC))
	srv, c, _, _ := setup(t, xerotest.Options{Clock: clock, DailyLimit: budget})
	ctx := context.Background()
	var mu sync.Mutex
	ok, parked := 0, 0
	var wg sync.WaitGroup
	for range 8 { // more workers than the concurrency limit
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := c.Organisation(ctx)
				var rl *xero.RateLimitError
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.As(err, &rl) && rl.Problem == "day":
					parked++
					mu.Unlock()
					return
				default:
					mu.Unlock()
					t.Error(err)
					return
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	calls := srv.Calls()
	if ok != budget || calls["429"] != 0 || calls["GET /Organisation"] != budget || parked != 8 {
		t.Fatalf("ok=%d parked=%d 429s=%d served=%d, want %d ok and no 429", ok, parked, calls["429"], calls["GET /Organisation"], budget)
	}
	if elapsed := clock.Now().Sub(time.Date(2026, 4, 29, 0, 0, 0, 0, time.UTC)); elapsed < (budget/60)*time.Minute {
		t.Errorf("simulated %s: faster than 60/min", elapsed)
	}
}

func TestLimiterHonoursServerHeadersAndDayRoll(t *testing.T) {
	clock := xerotest.NewClock(time.Date(2026, 4, 29, 23, 59, 0, 0, time.UTC))
	app := xero.NewAppLimiter(0, clock)
	l := xero.NewLimiter(xero.LimiterConfig{DailyBudget: 100, Clock: clock, App: app})
	ctx := context.Background()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	l.Done(map[string][]string{"X-Daylimit-Remaining": {"0"}})
	var rl *xero.RateLimitError
	if err := l.Wait(ctx); !errors.As(err, &rl) || rl.Problem != "day" || !rl.Reset.Equal(time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("err = %v, want day limit until midnight", err)
	}
	clock.Advance(2 * time.Minute) // next UTC day
	if err := l.Wait(ctx); err != nil {
		t.Fatalf("after midnight: %v", err)
	}
	st := l.Remaining()
	if st.DayRemaining != 99 || st.InFlight != 1 || st.AppMinuteRemaining != xero.DefaultAppPerMin-1 {
		t.Errorf("status = %+v", st)
	}
	before := clock.Now()
	l.Done(map[string][]string{"Retry-After": {"30"}, "X-Rate-Limit-Problem": {"minute"}})
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	l.Done(nil)
	if waited := clock.Now().Sub(before); waited < 30*time.Second {
		t.Errorf("waited %s, want ≥ 30s after Retry-After", waited)
	}
}

func BenchmarkLimiterWait(b *testing.B) {
	l := xero.NewLimiter(xero.LimiterConfig{PerMinute: 1 << 30, DailyBudget: 1 << 30})
	ctx := context.Background()
	for b.Loop() {
		if err := l.Wait(ctx); err != nil {
			b.Fatal(err)
		}
		l.Done(nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/wait")
}
