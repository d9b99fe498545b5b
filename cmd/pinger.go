package cmd

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"ledger/domain"
	"ledger/store"
)

// Ping loop timing (protocol §7.1, §11 item 16).
const (
	pingInterval    = 5 * time.Minute
	pingJitter      = 30 * time.Second // each round starts interval ± jitter after the last
	pingCallTimeout = 20 * time.Second
	pingParallel    = 4
)

// pinger is the `ledger serve` service that probes every non-revoked
// tenant's Magento with GET /rest/V1/byte8/ping: 200 → active, 401 →
// token_revoked (shown in /v1/tile/health); a network failure or a 5xx
// changes nothing (an outage is not a revocation).
type pinger struct {
	db           *store.DB
	log          *slog.Logger
	allowPrivate bool
	http         *http.Client // nil: magento.NewHTTPClient
	now          func() time.Time
	// after is the timer (time.After in production; tests drive it).
	after func(time.Duration) <-chan time.Time
	// jitter returns the offset added to the interval.
	jitter func() time.Duration
	// rounds, when set, is told after each round (tests).
	rounds chan<- int

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

func newPinger(db *store.DB, log *slog.Logger, allowPrivate bool) *pinger {
	return &pinger{db: db, log: log, allowPrivate: allowPrivate, now: time.Now, after: time.After,
		jitter: func() time.Duration { return time.Duration(rand.Int64N(int64(2*pingJitter))) - pingJitter }}
}

func (p *pinger) Name() string { return "magento-pinger" }

func (p *pinger) Start(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done != nil {
		return errors.New("already started")
	}
	ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	p.done = make(chan struct{})
	go p.loop(ctx, p.done)
	return nil
}

func (p *pinger) Stop(ctx context.Context) error {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pinger) Healthy() error { return nil }

func (p *pinger) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.after(pingInterval + p.jitter()):
		}
		n := p.round(ctx)
		if p.rounds != nil {
			select {
			case p.rounds <- n:
			case <-ctx.Done():
				return
			}
		}
	}
}

// round pings every non-revoked tenant once and returns how many it pinged.
func (p *pinger) round(ctx context.Context) int {
	tenants, err := p.db.ListTenants()
	if err != nil {
		p.log.Warn("ping loop: cannot list tenants", "err", err)
		return 0
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pingParallel)
	n := 0
	for _, t := range tenants {
		if t.Revoked() {
			continue
		}
		n++
		g.Go(func() error { p.ping(gctx, t); return nil })
	}
	_ = g.Wait()
	return n
}

func (p *pinger) ping(ctx context.Context, t *domain.Tenant) {
	apiKey, err := p.db.APIKey(t.ID)
	if err != nil {
		p.log.Warn("ping loop: no api key", "tenant", t.ID, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, pingCallTimeout)
	defer cancel()
	status := pingStatus(ctx, t.MagentoURL, t.ID, apiKey, p.http, p.allowPrivate, p.now)
	if status == domain.MagentoPending {
		p.log.Info("ping loop: Magento did not answer", "tenant", t.ID)
		return
	}
	if status != t.MagentoStatus {
		p.log.Info("ping loop: Magento status changed", "tenant", t.ID, "from", string(t.MagentoStatus), "to", string(status))
	}
	if err := setMagentoStatus(p.db, t.ID, status, p.now()); err != nil {
		p.log.Warn("ping loop: cannot record the status", "tenant", t.ID, "err", err)
	}
}

// Compile-time check that pinger is a Service.
var _ Service = (*pinger)(nil)
