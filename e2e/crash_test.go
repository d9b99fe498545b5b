package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"ledger/domain"
	"ledger/store"
)

// start runs `ledger serve` on l's data dir as a process and waits until
// it answers /healthz.
func (l *syncLedger) start(t *testing.T, bin string) *proc {
	t.Helper()
	p := startServe(t, bin, serveOpts{Addr: l.addr, Args: l.serveArgs(), Env: append(os.Environ(), "LEDGER_MASTER_KEY="+l.masterKey)})
	p.WaitHealthy(t, 20*time.Second)
	return p
}

// stop ends p with SIGTERM; it must exit 0.
func stop(t *testing.T, p *proc) {
	t.Helper()
	if err := p.Stop(t); err != nil {
		t.Errorf("ledger serve after SIGTERM: %v", err)
	}
}

// TestCrashNothingLostNothingTwice feeds 500 paid orders to `ledger serve`
// while SIGKILLing it at random moments ten times. Magento's outbox
// redelivers what was not accepted; in the end every order is in Xero
// exactly once (invoice, payment, contact) and every run succeeded.
func TestCrashNothingLostNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it ten times")
	}
	bin := buildLedger(t)
	l := newSyncLedger(t)
	const orders, kills = 500, 10
	for n := int64(1); n <= orders; n++ {
		l.addOrder(n)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	delivered := map[int64]bool{}
	next := int64(1)
	per := int64(orders / kills)
	for k := 0; k < kills; k++ {
		p := l.start(t, bin)
		ctx, cancel := context.WithCancel(context.Background())
		fed := make(chan []int64, 1)
		go func(from, to int64) {
			var ok []int64
			for n := from; n < to && ctx.Err() == nil; n++ {
				if l.publishOrder(ctx, n) {
					ok = append(ok, n)
				}
			}
			fed <- ok
		}(next, next+per)
		time.Sleep(time.Duration(50+rng.IntN(700)) * time.Millisecond) // a random moment to crash, not synchronisation
		p.Kill()
		cancel()
		for _, n := range <-fed {
			delivered[n] = true
		}
		next += per
		t.Logf("kill %d: %d orders delivered so far, %d invoices and %d payments in Xero", k+1, len(delivered), len(l.xs.Invoices(l.org)), len(l.xs.Payments(l.org)))
	}

	// The last start: the outbox delivers everything again (duplicates are
	// answered with their original runs) and ledger catches up.
	p := l.start(t, bin)
	defer func() {
		if t.Failed() {
			logs := p.Output()
			t.Logf("last ledger logs:\n%s", logs[max(0, len(logs)-6000):])
		}
	}()
	ctx := context.Background()
	for n := int64(1); n <= orders; n++ {
		for !l.publishOrder(ctx, n) {
			time.Sleep(50 * time.Millisecond) // Magento's outbox retry interval, compressed
		}
	}
	waitUntil(t, "every order synced and both events mirrored", 4*time.Minute, func() bool {
		return len(l.xs.Payments(l.org)) >= orders && l.mirroredTwice() >= orders
	})
	// Mirrors cut short by a kill are resent when the next process starts;
	// restart once more so every run's own mirror is recorded.
	stop(t, p)
	p = l.start(t, bin)
	waitUntil(t, "every run's mirror recorded", time.Minute, func() bool {
		out, code := l.cli(t, "sync", "list", "--binding", strconv.FormatUint(l.bindingID, 10), "--json")
		var rows []struct {
			MirroredAt *time.Time `json:"mirrored_at"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2*orders {
			return false
		}
		for _, r := range rows {
			if r.MirroredAt == nil {
				return false
			}
		}
		return true
	})
	stop(t, p)

	count := func(keys []string) (distinct, max int) {
		m := map[string]int{}
		for _, k := range keys {
			m[k]++
			if m[k] > max {
				max = m[k]
			}
		}
		return len(m), max
	}
	var invs, pays, cons []string
	for _, v := range l.xs.Invoices(l.org) {
		invs = append(invs, v.InvoiceNumber)
		if v.Status != "PAID" || !v.Total.Equal(v.AmountPaid.Decimal) {
			t.Errorf("invoice %s: %s total %v paid %v", v.InvoiceNumber, v.Status, v.Total, v.AmountPaid)
		}
	}
	for _, v := range l.xs.Payments(l.org) {
		pays = append(pays, v.Reference)
	}
	for _, v := range l.xs.Contacts(l.org) {
		cons = append(cons, v.ContactNumber)
	}
	for what, keys := range map[string][]string{"invoice": invs, "payment": pays, "contact": cons} {
		if d, m := count(keys); d != orders || m != 1 || len(keys) != orders {
			t.Errorf("%ss in Xero: %d for %d distinct (max %d of one), want %d exactly once", what, len(keys), d, m, orders)
		}
	}
	raw, _ := base64.StdEncoding.DecodeString(l.masterKey)
	db, err := store.Open(filepath.Join(l.dir, "ledger.db"), raw, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.ListRuns(store.RunFilter{BindingID: l.bindingID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2*orders {
		t.Errorf("%d runs, want %d (one per event)", len(runs), 2*orders)
	}
	for _, r := range runs {
		if r.Status != domain.RunSucceeded || r.MirroredAt == nil {
			t.Errorf("run %d %s %d: %s mirrored %v %s", r.ID, r.Event, r.MagentoID, r.Status, r.MirroredAt, r.ErrorMessage)
		}
	}
}
