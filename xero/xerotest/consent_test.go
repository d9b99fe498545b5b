package xerotest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Consent yields a token that lists the consented organisation and that a
// token source can refresh through Tokens.
func TestConsentConnectsTheOrganisation(t *testing.T) {
	s := New(t, Options{})
	cfg := s.Config("https://ledger.test/oauth/xero/callback")
	tok := s.Consent(t, cfg)
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token without access or refresh token: %+v", tok)
	}
	conns, err := cfg.Connections(context.Background(), tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range conns {
		got = append(got, c.TenantID)
	}
	if d := cmp.Diff(s.Organisations(), got); d != "" {
		t.Errorf("connections after consent (-want +got):\n%s", d)
	}

	store := NewTokens(tok)
	tok.AccessToken = "changed by the caller"
	held, _ := store.Load(context.Background())
	if held.AccessToken == tok.AccessToken {
		t.Error("Tokens shares the caller's token instead of a copy")
	}
	held.RefreshToken = "rotated"
	if err := store.Save(context.Background(), held); err != nil {
		t.Fatal(err)
	}
	if again, _ := store.Load(context.Background()); again.RefreshToken != "rotated" {
		t.Errorf("Load after Save = %q, want the saved refresh token", again.RefreshToken)
	}
}

// fatalTB records Fatalf and stops the goroutine, as testing.T does.
type fatalTB struct {
	TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestConsentDeniedFailsTheTest(t *testing.T) {
	s := New(t, Options{Deny: true})
	rec := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Consent(rec, s.Config("https://ledger.test/oauth/xero/callback"))
	}()
	<-done
	if !strings.Contains(rec.msg, "without a code") {
		t.Errorf("Fatalf = %q, want it to say consent gave no code", rec.msg)
	}
}
