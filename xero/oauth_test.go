package xero_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/xero"
	"ledger/xero/xerotest"
)

func TestOAuthExchangePKCEAndConnections(t *testing.T) {
	srv := xerotest.New(t, xerotest.Options{})
	srv.AddOrganisation("Second Ltd", "GBP")
	cfg := srv.Config(redirect)
	ctx := context.Background()

	v := xero.NewVerifier()
	q := consent(t, cfg, "state-1", v)
	if q.Get("state") != "state-1" || q.Get("code") == "" {
		t.Fatalf("redirect query = %v", q)
	}
	if _, err := cfg.Exchange(ctx, q.Get("code"), xero.NewVerifier()); !errors.Is(err, xero.ErrReauthRequired) {
		t.Fatalf("wrong verifier: err = %v, want ErrReauthRequired", err)
	}
	q = consent(t, cfg, "state-2", v)
	tok, err := cfg.Exchange(ctx, q.Get("code"), v)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AuthEventID == "" || tok.RefreshToken == "" || !tok.Expiry.Equal(srv.Clock().Now().Add(30*time.Minute)) {
		t.Fatalf("token = %v", tok)
	}
	if _, err := cfg.Exchange(ctx, q.Get("code"), v); !errors.Is(err, xero.ErrReauthRequired) {
		t.Fatalf("code reuse: err = %v, want ErrReauthRequired", err)
	}
	conns, err := cfg.Connections(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, c := range conns {
		got = append(got, c.TenantID+"/"+c.AuthEventID)
	}
	// Two consents happened; the token's auth event narrows to its own.
	if diff := cmp.Diff([]string{srv.Organisations()[0] + "/" + tok.AuthEventID}, got); diff != "" {
		t.Errorf("connections (-want +got):\n%s", diff)
	}
	if err := cfg.DeleteConnection(ctx, tok.AccessToken, conns[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Revoke(ctx, tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
}

func TestConsentDenied(t *testing.T) {
	srv := xerotest.New(t, xerotest.Options{Deny: true})
	q := consent(t, srv.Config(redirect), "s", xero.NewVerifier())
	if q.Get("error") != "access_denied" || q.Get("code") != "" {
		t.Fatalf("query = %v", q)
	}
}

func TestRefreshSingleFlightAtExpiry(t *testing.T) {
	srv, c, store, ts := setup(t, xerotest.Options{})
	ctx := context.Background()
	first, _ := store.Load(ctx)
	srv.Clock().Advance(26 * time.Minute) // < 5 min left
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ts.AccessToken(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Calls()["POST /token"]; got != 2 { // 1 exchange + 1 refresh
		t.Errorf("token calls = %d, want 2 (exactly one refresh)", got)
	}
	if store.saves != 1 {
		t.Errorf("saves = %d, want 1", store.saves)
	}
	now, _ := store.Load(ctx)
	if now.RefreshToken == first.RefreshToken || now.AuthEventID != first.AuthEventID {
		t.Errorf("refresh token not rotated or auth event lost: %v", now)
	}
	if _, err := c.Organisation(ctx); err != nil {
		t.Fatal(err)
	}
	// Forced keep-alive rotates again.
	if err := ts.KeepAlive(ctx); err != nil || store.saves != 2 {
		t.Fatalf("keepalive: err %v saves %d", err, store.saves)
	}
}

func TestInvalidGrantNeedsReauth(t *testing.T) {
	srv, _, store, ts := setup(t, xerotest.Options{RefreshGrace: 30 * time.Minute})
	ctx := context.Background()
	old, _ := store.Load(ctx)
	if err := ts.KeepAlive(ctx); err != nil {
		t.Fatal(err)
	}
	// Within the grace period the rotated token still works once more.
	srv.Clock().Advance(10 * time.Minute)
	store.tok = old
	if err := ts.KeepAlive(ctx); err != nil {
		t.Fatalf("within grace: %v", err)
	}
	srv.Clock().Advance(31 * time.Minute)
	store.tok = old
	err := ts.KeepAlive(ctx)
	if !errors.Is(err, xero.ErrReauthRequired) {
		t.Fatalf("after grace: err = %v, want ErrReauthRequired", err)
	}
}

// TestTokenRefusedEarlyIsRenewedOnce: the stored expiry is ten minutes
// later than Xero's (the host's clock jumped, or Xero ended the token
// early), so Xero refuses an access token ledger thinks has nine minutes
// left. Every call refused at once is sent again with one renewed token,
// and a write goes out exactly once.
func TestTokenRefusedEarlyIsRenewedOnce(t *testing.T) {
	srv := xerotest.New(t, xerotest.Options{})
	cfg := srv.Config(redirect)
	ctx := context.Background()
	tok := connect(t, cfg)
	tok.Expiry = tok.Expiry.Add(10 * time.Minute)
	store := &memStore{tok: tok}
	ts := xero.NewTokenSource(cfg, store, t.Name())
	c := xero.NewClient(cfg, ts, srv.Organisations()[0], nil, srv.Client())
	srv.Clock().Advance(31 * time.Minute) // expired for Xero, 9 min left for ledger

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := c.Organisation(ctx)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("read with a refused token: %v", err)
		}
	}
	if got := srv.Calls()["POST /token"]; got != 2 { // exchange + one refresh
		t.Errorf("token calls = %d, want 2 (one renewal for 20 refused calls)", got)
	}

	renewed, _ := store.Load(ctx)
	renewed.Expiry = renewed.Expiry.Add(10 * time.Minute)
	if err := store.Save(ctx, renewed); err != nil {
		t.Fatal(err)
	}
	srv.Clock().Advance(31 * time.Minute)
	inv := xero.Invoice{Type: "ACCREC", InvoiceNumber: "R-1", Contact: &xero.Contact{Name: "Renew Co"}, Status: "AUTHORISED",
		LineItems: []xero.LineItem{{Description: "x", Quantity: d("1"), UnitAmount: d("1")}}}
	got, err := c.CreateInvoices(ctx, "invoice:r1", []xero.Invoice{inv})
	if err != nil || got[0].Err(0) != nil {
		t.Fatalf("write with a refused token: %+v %v", got, err)
	}
	if n := len(srv.Invoices(c.TenantID())); n != 1 {
		t.Errorf("invoices in Xero = %d, want 1", n)
	}
	if got := srv.Calls()["POST /token"]; got != 3 {
		t.Errorf("token calls = %d, want 3", got)
	}
}

// TestRefusedTokenNotRenewedForever: when Xero refuses the renewed token
// too, the call fails with ErrTokenExpired after one renewal instead of
// looping.
func TestRefusedTokenNotRenewedForever(t *testing.T) {
	srv := xerotest.New(t, xerotest.Options{})
	cfg := srv.Config(redirect)
	tok := connect(t, cfg)
	srv.Clock().Advance(31 * time.Minute)
	ts := &staleSource{tok: tok.AccessToken}
	c := xero.NewClient(cfg, ts, srv.Organisations()[0], nil, srv.Client())
	if _, err := c.Organisation(context.Background()); !errors.Is(err, xero.ErrTokenExpired) {
		t.Fatalf("err = %v, want ErrTokenExpired", err)
	}
	if ts.renews != 1 {
		t.Errorf("renewals = %d, want 1", ts.renews)
	}
}

// staleSource hands out the same expired token, renewed or not.
type staleSource struct {
	tok    string
	renews int
}

func (s *staleSource) AccessToken(context.Context) (string, error) { return s.tok, nil }
func (s *staleSource) Renew(context.Context, string) (string, error) {
	s.renews++
	return s.tok, nil
}
