package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"ledger/domain"
	"ledger/store"
)

// buildLedger compiles the ledger binary once for the test.
func buildLedger(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ledger")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// ledgerProc is one `ledger serve` process.
type ledgerProc struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
	done chan error
}

func (l *syncLedger) start(t *testing.T, bin string) *ledgerProc {
	t.Helper()
	p := &ledgerProc{logs: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, l.serveArgs()...)
	p.cmd.Env = append(os.Environ(), "LEDGER_MASTER_KEY="+l.masterKey)
	var mu gosync.Mutex
	w := writerFunc(func(b []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return p.logs.Write(b) })
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	waitUntil(t, "ledger serve to answer /healthz", 20*time.Second, func() bool {
		select {
		case err := <-p.done:
			t.Fatalf("ledger serve exited: %v\n%s", err, p.logs.String())
		default:
		}
		return l.healthy()
	})
	return p
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func (p *ledgerProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *ledgerProc) stop(t *testing.T) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("ledger serve after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		p.kill()
		t.Error("ledger serve did not stop within 20 s of SIGTERM")
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
		p.kill()
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
			logs := p.logs.String()
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
	p.stop(t)
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
	p.stop(t)

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
