package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ledger/cmd"
	"ledger/domain"
	"ledger/magento/magentotest"
	"ledger/store"
	"ledger/sync/synctest"
	"ledger/xero/xerotest"
)

// syncLedger is a data dir holding one paired tenant whose binding is
// connected to the fake Xero's organisation (tokens sealed as the vault
// keeps them), with the fakes it talks to.
type syncLedger struct {
	dir, masterKey, addr, base string
	mg                         *magentotest.Magento
	xs                         *xerotest.Server
	org, tenant                string
	bindingID                  uint64
}

func newSyncLedger(t *testing.T) *syncLedger {
	t.Helper()
	l := &syncLedger{dir: t.TempDir(), mg: magentotest.New(t), xs: xerotest.New(t, xerotest.Options{})}
	// The fake Xero's clock follows real time, as a separate process's
	// limits and tokens are measured in it.
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func(clock *xerotest.Clock) {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				clock.Advance(now.Sub(last))
				last = now
			}
		}
	}(l.xs.Clock())
	l.addr = freeAddr(t)
	l.base = "http://" + l.addr
	l.org = l.xs.Organisations()[0]
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	l.masterKey = base64.StdEncoding.EncodeToString(raw)

	db, err := store.Open(filepath.Join(l.dir, "ledger.db"), raw, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tn, b := synctest.Pair(t, db, l.mg, "7d1f7d3e-0000-4000-8000-000000000001", l.base)
	l.tenant, l.bindingID = tn.ID, b.ID

	tok := l.xs.Consent(t, l.xs.Config(l.base+"/oauth/xero/callback"))
	rec, _ := json.Marshal(map[string]any{"access_token": tok.AccessToken, "refresh_token": tok.RefreshToken,
		"expiry": tok.Expiry.UTC(), "auth_event_id": tok.AuthEventID, "saved_at": time.Now().UTC()})
	if err := db.PutSecret(domain.SecretBindingTokens(b.ID), rec); err != nil {
		t.Fatal(err)
	}
	bank := l.xs.Account(l.org, xerotest.BankAccountCode)
	synctest.Activate(t, db, b.ID, l.org, time.Now(), func(p *domain.Policy) { *p = synctest.Policy(bank) })
	ref := synctest.Reference(l.xs, l.org, time.Now().UTC())
	ref.Accounts = append(ref.Accounts, domain.Account{AccountID: l.xs.Account(l.org, "400").AccountID, Code: "400", Name: "Other Revenue", Type: "SALES", Status: "ACTIVE"})
	if err := db.PutReference(b.ID, ref); err != nil {
		t.Fatal(err)
	}
	return l
}

// serveArgs are `ledger serve`'s flags pointing at the fakes.
func (l *syncLedger) serveArgs() []string {
	x := l.xs.URL
	return []string{"serve", "--data-dir", l.dir, "--addr", l.addr, "--public-url", l.base,
		"--xero-client-id", "client-id", "--xero-client-secret", "client-secret",
		"--xero-authorize-url", x + "/identity/connect/authorize", "--xero-token-url", x + "/connect/token",
		"--xero-revoke-url", x + "/connect/revocation", "--xero-connections-url", x + "/connections",
		"--xero-api-url", x + "/api.xro/2.0", "--magento-allow-private", "--log-format", "json"}
}

func (l *syncLedger) env(k string) (string, bool) {
	if k == "LEDGER_MASTER_KEY" {
		return l.masterKey, true
	}
	return "", false
}

// cli runs one command in-process (forwarded to the server when it runs).
func (l *syncLedger) cli(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cmd.Run(context.Background(), append(args, "--data-dir", l.dir), l.env, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), code
}

// healthy reports whether the server answers /healthz with 200.
func (l *syncLedger) healthy() bool { return healthz(http.DefaultClient, l.base) }

// serve runs `ledger serve` in-process until the test ends (when it must
// exit 0) and waits until it answers /healthz; the context it returns ends
// with the server.
func (l *syncLedger) serve(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	go func() {
		var out bytes.Buffer
		served <- cmd.Run(ctx, l.serveArgs(), l.env, strings.NewReader(""), &out, &out)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-served; code != 0 {
			t.Errorf("serve exited %d", code)
		}
	})
	waitUntil(t, "/healthz", 10*time.Second, l.healthy)
	return ctx
}

// addOrder registers paid order n (synctest.Order: invoice 1000000nn,
// 30.00 GBP) paid by check in Magento.
func (l *syncLedger) addOrder(n int64) { l.addOrderWith(n, "checkmo", "GBP") }

// addOrderWith is addOrder paid with method in currency.
func (l *syncLedger) addOrderWith(n int64, method, currency string) {
	inv, pay := synctest.Order(n, method)
	inv.Currency, pay.Currency = currency, currency
	l.mg.AddInvoice(inv)
	l.mg.AddPayment(pay)
}

// publish delivers one webhook of order n; it reports whether it was
// accepted (Magento's outbox retries the rest).
func (l *syncLedger) publish(ctx context.Context, n int64, ev synctest.Event) bool {
	status, _, err := l.mg.Publish(ctx, l.base, ev.Name, domain.Envelope{MagentoEntityID: n, WebsiteID: 1, StoreID: 1,
		OccurredAt: time.Now().UTC().Format(time.RFC3339), Payload: json.RawMessage(ev.Payload)})
	return err == nil && (status == http.StatusAccepted || status == http.StatusOK)
}

// publishOrder delivers an order's two webhooks; it reports whether both
// were accepted.
func (l *syncLedger) publishOrder(ctx context.Context, n int64) bool {
	inv, _ := synctest.Order(n, "checkmo")
	for _, ev := range synctest.PaidEvents(inv) {
		if !l.publish(ctx, n, ev) {
			return false
		}
	}
	return true
}

// publishInvoice delivers only invoice.created of order n.
func (l *syncLedger) publishInvoice(ctx context.Context, n int64) bool {
	inv, _ := synctest.Order(n, "checkmo")
	return l.publish(ctx, n, synctest.PaidEvents(inv)[0])
}

// waitUntil polls cond (an external process is doing the work) until it
// holds or the deadline passes.
func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		<-tick.C
	}
}

// synced counts the invoices Magento shows as synced.
func (l *syncLedger) synced() int { return l.invoicesSynced(1) }

// mirroredTwice counts the invoices Magento shows as synced after both
// of their events (created, paid) were mirrored.
func (l *syncLedger) mirroredTwice() int { return l.invoicesSynced(2) }

// invoicesSynced counts the invoices Magento shows as synced, with their
// Xero id, after at least writes sync-state writes.
func (l *syncLedger) invoicesSynced(writes int) int {
	n := 0
	for k, v := range l.mg.SyncStates() {
		if k.EntityType == "invoice" && v.SyncStatus == "synced" && v.ProviderEntityID != nil && v.Writes >= writes {
			n++
		}
	}
	return n
}
