package cmd

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

func TestRedactText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"no url here", "no url here"},
		{`Get "https://ledger.test/oauth/xero/start?state=s3cret": EOF`, `Get "https://ledger.test/oauth/xero/start?state=REDACTED": EOF`},
		{`Post "https://ledger.test/oauth/xero/callback?code=c0de&state=st4te&x": EOF`, `Post "https://ledger.test/oauth/xero/callback?code=REDACTED&state=REDACTED&x=REDACTED": EOF`},
		{"https://user:pa55@shop.example.com/rest?token=t0k#frag", "https://REDACTED@shop.example.com/rest?token=REDACTED#REDACTED"},
		{"https://identity.xero.com/connect/token", "https://identity.xero.com/connect/token"},
		{"path /oauth/xero/callback?code=c0de failed", "path /oauth/xero/callback?code=REDACTED failed"},
		{"https://hooks.example.com/x#access_token=t0k", "https://hooks.example.com/x#REDACTED"},
		{"is it? yes", "is it? yes"},
	} {
		if got := redactText(tt.in); got != tt.want {
			t.Errorf("redactText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

type stringer struct{}

func (stringer) String() string { return "https://a.test/?k=s3cret" }

// TestLoggerRedacts: both formats, message, string, error, Stringer,
// group and With attributes.
func TestLoggerRedacts(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		log := newLogger(&buf, format, false, slog.LevelDebug).With("base", "https://a.test/?k=s3cret")
		log.WithGroup("g").Info("fetch https://a.test/?k=s3cret failed",
			"s", "https://a.test/?k=s3cret", "err", errors.New(`Get "https://a.test/?k=s3cret": EOF`),
			"st", stringer{}, slog.Group("inner", "u", "https://a.test/?k=s3cret"), "n", 42)
		out := buf.String()
		if strings.Contains(out, "s3cret") {
			t.Errorf("%s log holds the secret:\n%s", format, out)
		}
		if got := strings.Count(out, "k=REDACTED"); got != 6 {
			t.Errorf("%s: %d redacted values, want 6:\n%s", format, got, out)
		}
		if !strings.Contains(out, "42") {
			t.Errorf("%s: the number attribute is lost:\n%s", format, out)
		}
	}
}

// TestConsentFailureLogNoSecrets: `ledger demo`'s consent follower fails on
// the callback (the server drops the connection); the http.Client's error
// quotes the URL with the OAuth code and state. Through report and the
// command logger, neither reaches the log nor stderr.
func TestConsentFailureLogNoSecrets(t *testing.T) {
	const code, state, linkState = "c0de-SECRET", "st4te-SECRET", "l1nk-SECRET"
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth/xero/start", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/oauth/xero/callback?code="+code+"&state="+state, http.StatusFound)
	})
	mux.HandleFunc("/oauth/xero/callback", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the callback never answers
		}
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	err := followConsent(context.Background(), ts.URL+"/oauth/xero/start?state="+linkState)
	if err == nil {
		t.Fatal("followConsent succeeded against a dropped callback")
	}
	var ue interface{ Unwrap() error }
	if !errors.As(err, &ue) || domain.KindOf(err) != domain.EInternal {
		t.Fatalf("err = %v (%s), want an internal domain error", err, domain.KindOf(err))
	}
	raw := errors.Unwrap(errors.Unwrap(err)) // under domain.Error and redactedError: the client's *url.Error
	if raw == nil || !strings.Contains(raw.Error(), code) {
		t.Fatalf("the client's error no longer quotes the callback URL (%v); the test proves nothing", raw)
	}
	var logBuf, stderr bytes.Buffer
	if got := report(&stderr, newLogger(&logBuf, "json", false, slog.LevelDebug), "ledger demo", err); got != exitError {
		t.Errorf("exit %d", got)
	}
	for _, out := range []string{logBuf.String(), stderr.String()} {
		for _, secret := range []string{code, state, linkState} {
			if strings.Contains(out, secret) {
				t.Errorf("output holds %q:\n%s", secret, out)
			}
		}
	}
	if d := cmp.Diff(true, strings.Contains(logBuf.String(), "/oauth/xero/callback?code=REDACTED&state=REDACTED")); d != "" {
		t.Errorf("the log lost the redacted URL (-want +got):\n%s\n%s", d, logBuf.String())
	}
}

func BenchmarkRedactHandler(b *testing.B) {
	log := newLogger(&bytes.Buffer{}, "json", false, slog.LevelInfo)
	err := errors.New(`Get "https://api.xero.com/api.xro/2.0/Invoices?where=x&page=2": EOF`)
	b.ReportAllocs()
	for b.Loop() {
		log.Warn("sync: run failed", "run", 42, "err", err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/log")
}
