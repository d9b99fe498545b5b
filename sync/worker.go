package sync

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	gosync "sync"
	"sync/atomic"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	"ledger/xero"
)

// Config is what the worker needs; cmd wires it.
type Config struct {
	DB  *store.DB
	Log *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Xero returns the Accounting API client of a binding's organisation
	// (paced by that organisation's limiter).
	Xero func(ctx context.Context, b *domain.Binding) (*xero.Client, error)
	// Magento returns the canonical client of a tenant.
	Magento func(ctx context.Context, t *domain.Tenant) (*magento.Client, error)
	// ObserveXero is told of every Xero error (the vault marks a binding
	// needs_reauth on a refused consent). Optional.
	ObserveXero func(bindingID uint64, err error)

	// DailyBudget is the Accounting API calls per organisation per UTC
	// day (default 5000); the worker paces itself to make it last the day.
	DailyBudget int
	// MaxBindings is how many bindings are worked on at once (default 8).
	MaxBindings int
	// BatchSize is the documents per Xero request (default and max 50).
	BatchSize int
	// RoundSize is how many due runs one round of a binding takes (1000).
	RoundSize int
	// FetchConcurrency bounds parallel Magento calls per round (8).
	FetchConcurrency int
	// Recheck is the slow timer: retries come due, paused bindings are
	// re-checked, failed mirrors are resent (default 10 s).
	Recheck time.Duration
	// Jitter returns a number in [0,1) for retry jitter (default math/rand).
	Jitter func() float64
	// DayUsed, when set, reports the Accounting API calls a binding's
	// organisation has used today as its rate limiter knows them — which
	// includes reference refreshes and, through Xero's X-DayLimit-Remaining
	// header, calls made before a restart. Pacing takes the larger of this
	// and the worker's own count.
	DayUsed func(bindingID uint64) int
	// Finished, when set, is told of every run that reached a terminal
	// status, after its mirror to Magento was tried (metrics, tests).
	Finished func(run *domain.SyncRun)
}

// Worker moves queued sync runs into Xero and mirrors their outcome to
// Magento. Bindings are worked on concurrently, each by one goroutine at a
// time, so a binding's runs never race each other.
type Worker struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}

	mu        gosync.Mutex
	active    map[uint64]bool
	notBefore map[uint64]time.Time  // pacing: next round of a binding
	spent     map[uint64]*daySpend  // Accounting API calls made today
	holds     map[string]mirrorHold // tenants whose Magento callbacks wait
	// mirrorLocks are the runs whose callback is being sent (lockMirror).
	mirrorLocks map[uint64]*runLock

	running atomic.Bool
	cancel  context.CancelFunc
	done    chan struct{}
	wg      gosync.WaitGroup
	lastErr atomic.Pointer[error]
}

type daySpend struct {
	day   time.Time
	calls int
}

// New builds a worker; Run starts it.
func New(cfg Config) *Worker {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DailyBudget <= 0 {
		cfg.DailyBudget = xero.DefaultDailyBudget
	}
	if cfg.MaxBindings <= 0 {
		cfg.MaxBindings = 8
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize > 50 {
		cfg.BatchSize = 50
	}
	if cfg.RoundSize <= 0 {
		cfg.RoundSize = 1000
	}
	if cfg.FetchConcurrency <= 0 {
		cfg.FetchConcurrency = 8
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = 10 * time.Second
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	return &Worker{
		cfg: cfg, log: cfg.Log, wake: make(chan struct{}, 1),
		active: map[uint64]bool{}, notBefore: map[uint64]time.Time{}, spent: map[uint64]*daySpend{},
		holds: map[string]mirrorHold{}, mirrorLocks: map[uint64]*runLock{},
	}
}

// Notify wakes the worker at once: the bindings got new queued runs (the
// ids are a hint; every binding with due work is looked at).
func (w *Worker) Notify(bindingIDs ...uint64) {
	w.mu.Lock()
	for _, id := range bindingIDs {
		delete(w.notBefore, id) // new work may be posted now if the budget allows
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Running reports whether Run is active.
func (w *Worker) Running() bool { return w.running.Load() }

// Start runs the worker in the background until Stop.
func (w *Worker) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.cancel = cancel
	w.done = make(chan struct{})
	w.running.Store(true) // healthy from the moment Start returns
	go func() {
		defer close(w.done)
		w.Run(ctx)
	}()
}

// Stop ends a worker started with Start: in-flight calls are abandoned
// (their attempt records stay, so the next start looks them up before
// posting again) and every goroutine has returned when Stop returns.
func (w *Worker) Stop(ctx context.Context) error {
	if w.cancel == nil {
		return nil
	}
	w.cancel()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run works until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.running.Store(true)
	defer w.running.Store(false)
	defer w.wg.Wait()
	w.recover()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.resendLoop(ctx)
	}()
	for {
		w.dispatch(ctx)
		t := time.NewTimer(w.nextWake())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-w.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// resendLoop sends again the sync state of runs whose callback failed:
// all of them at start (a crash may have cut mirrors short), then every
// Recheck those finished at least Recheck ago. It has its own goroutine so
// a slow or dead Magento never holds up the dispatch of Xero work.
func (w *Worker) resendLoop(ctx context.Context) {
	w.resendMirrors(ctx, w.cfg.Now(), true)
	t := time.NewTicker(w.cfg.Recheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.resendMirrors(ctx, w.cfg.Now().Add(-w.cfg.Recheck), false)
		}
	}
}

// nextWake is how long the loop may sleep: the slow timer, or sooner when
// a paced binding's window opens.
func (w *Worker) nextWake() time.Duration {
	d := w.cfg.Recheck
	now := w.cfg.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, at := range w.notBefore {
		if dd := at.Sub(now); dd > 0 && dd < d {
			d = dd
		}
	}
	return max(d, 10*time.Millisecond)
}

// dispatch starts a goroutine for every binding with due work that is not
// being worked on, within MaxBindings and its pacing window.
func (w *Worker) dispatch(ctx context.Context) {
	now := w.cfg.Now()
	ids, err := w.cfg.DB.BindingsWithDueRuns(now)
	if err != nil {
		w.fail(err)
		return
	}
	for _, id := range ids {
		w.mu.Lock()
		if w.active[id] || len(w.active) >= w.cfg.MaxBindings || now.Before(w.notBefore[id]) {
			w.mu.Unlock()
			continue
		}
		w.active[id] = true
		w.mu.Unlock()
		w.wg.Add(1)
		go func(id uint64) {
			defer w.wg.Done()
			w.work(ctx, id)
			w.mu.Lock()
			delete(w.active, id)
			w.mu.Unlock()
			w.Notify()
		}(id)
	}
}

// work runs rounds of one binding while it has due work and its pacing
// window is open.
func (w *Worker) work(ctx context.Context, id uint64) {
	for ctx.Err() == nil {
		more, err := w.Round(ctx, id)
		if err != nil {
			w.fail(err)
			return
		}
		if !more {
			return
		}
		w.mu.Lock()
		wait := w.cfg.Now().Before(w.notBefore[id])
		w.mu.Unlock()
		if wait {
			return
		}
	}
}

// RunOnce works every binding with due work until none is due or every
// binding waits for its pacing window: the synchronous form of Run, for
// tests and simulations with an injected clock.
func (w *Worker) RunOnce(ctx context.Context) error {
	for {
		now := w.cfg.Now()
		ids, err := w.cfg.DB.BindingsWithDueRuns(now)
		if err != nil {
			return err
		}
		progressed := false
		for _, id := range ids {
			w.mu.Lock()
			paced := now.Before(w.notBefore[id])
			w.mu.Unlock()
			if paced {
				continue
			}
			more, err := w.Round(ctx, id)
			if err != nil {
				return err
			}
			progressed = progressed || more
		}
		if !progressed || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func (w *Worker) fail(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	w.lastErr.Store(&err)
	w.log.Error("sync worker", "err", err.Error())
}

// Healthy is nil while the worker runs.
func (w *Worker) Healthy() error {
	if !w.Running() {
		return errors.New("the sync worker is not running")
	}
	return nil
}

// recover puts runs a crash left "running" back in the queue, in one
// transaction over the work queue. Their attempt records make the next
// round look their documents up in Xero before posting again.
func (w *Worker) recover() {
	n, err := w.cfg.DB.ReleaseAllRunning(w.cfg.Now())
	if err != nil {
		w.fail(err)
		return
	}
	if n > 0 {
		w.log.Info("sync: runs left running by the last stop are queued again", "runs", n)
	}
}
