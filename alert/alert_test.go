package alert

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

func newAlerter(t *testing.T, cfg Config) *Alerter {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return a
}

func flush(t *testing.T, a *Alerter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

func TestWebhookDelivery(t *testing.T) {
	rcv := startReceiver(t, http.StatusNoContent)
	clk := newClock()
	a := newAlerter(t, Config{WebhookURL: rcv.URL, Now: clk.Now})
	if !a.NeedsReauth("b1", "t1", "Acme Ltd") {
		t.Fatal("NeedsReauth not queued")
	}
	flush(t, a)
	want := []Alert{{
		Kind: KindNeedsReauth, BindingID: "b1", TenantID: "t1", At: clk.Now(),
		Message: "Xero no longer accepts ledger's authorisation for Acme Ltd; open the binding in the dashboard and connect Xero again.",
	}}
	if diff := cmp.Diff(want, drain(rcv.Got)); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
}

func TestCooldownPerKindAndBinding(t *testing.T) {
	rcv := startReceiver(t, http.StatusOK)
	clk := newClock()
	a := newAlerter(t, Config{WebhookURL: rcv.URL, Now: clk.Now, Cooldown: time.Hour})
	steps := []struct {
		advance time.Duration
		send    func() bool
		want    bool
	}{
		{0, func() bool { return a.DeadLettered("b1", "t1", "r1") }, true},
		{0, func() bool { return a.DeadLettered("b1", "t1", "r2") }, false}, // same kind+binding: suppressed
		{0, func() bool { return a.DeadLettered("b2", "t2", "r3") }, true},  // other binding
		{0, func() bool { return a.MagentoTokenRevoked("b1", "t1") }, true}, // other kind
		{59 * time.Minute, func() bool { return a.DeadLettered("b1", "t1", "r4") }, false},
		{time.Minute, func() bool { return a.DeadLettered("b1", "t1", "r5") }, true}, // cool-down over
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		if got := s.send(); got != s.want {
			t.Errorf("step %d: queued = %v, want %v", i, got, s.want)
		}
	}
	flush(t, a)
	var got []string
	for _, al := range drain(rcv.Got) {
		got = append(got, string(al.Kind)+"/"+al.BindingID)
	}
	want := []string{"runs_dead_lettered/b1", "runs_dead_lettered/b2", "magento_token_revoked/b1", "runs_dead_lettered/b1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func TestFailuresPerHourSlidingWindow(t *testing.T) {
	rcv := startReceiver(t, http.StatusOK)
	clk := newClock()
	a := newAlerter(t, Config{WebhookURL: rcv.URL, Now: clk.Now, FailureThreshold: 3})
	steps := []struct {
		at   time.Duration // since start
		want bool
	}{
		{0, false}, {10 * time.Minute, false}, {20 * time.Minute, false}, // 3 in the hour: not more than 3
		{70 * time.Minute, false}, // 0 and 10 min slid out: {20, 70}
		{71 * time.Minute, false}, // {20, 70, 71}
		{72 * time.Minute, true},  // {20, 70, 71, 72}: 4 > 3
		{73 * time.Minute, false}, // still over but in cool-down
	}
	start := clk.Now()
	for i, s := range steps {
		clk.Advance(start.Add(s.at).Sub(clk.Now()))
		if got := a.RecordFailure("b1", "t1"); got != s.want {
			t.Errorf("step %d (+%v): alert = %v, want %v", i, s.at, got, s.want)
		}
	}
	// Another binding's failures are counted apart.
	if a.RecordFailure("b2", "t2") {
		t.Error("one failure of b2 alerted")
	}
	flush(t, a)
	got := drain(rcv.Got)
	if len(got) != 1 || got[0].Kind != KindFailuresPerHour || got[0].BindingID != "b1" {
		t.Fatalf("delivered %+v, want one failures_per_hour for b1", got)
	}
	if !strings.Contains(got[0].Message, "More than 3 sync runs failed") {
		t.Errorf("message %q does not state the threshold", got[0].Message)
	}
}

func TestFailureThresholdNegativeDisables(t *testing.T) {
	rcv := startReceiver(t, http.StatusOK)
	a := newAlerter(t, Config{WebhookURL: rcv.URL, FailureThreshold: -1})
	for i := 0; i < 50; i++ {
		if a.RecordFailure("b1", "t1") {
			t.Fatal("alert with failures_per_hour disabled")
		}
	}
}

func TestDailyBudgetOncePerUTCDay(t *testing.T) {
	rcv := startReceiver(t, http.StatusOK)
	clk := newClock()
	a := newAlerter(t, Config{WebhookURL: rcv.URL, Now: clk.Now})
	steps := []struct {
		advance    time.Duration
		used, want int
		queued     bool
	}{
		{0, 3999, 5000, false},
		{0, 4000, 5000, true},
		{2 * time.Hour, 4500, 5000, false}, // cool-down over, but already told today
		{14 * time.Hour, 4001, 5000, true}, // next UTC day
		{0, 10, 0, false},                  // no budget configured
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		if got := a.DailyBudget("b1", "t1", s.used, s.want); got != s.queued {
			t.Errorf("step %d: queued = %v, want %v", i, got, s.queued)
		}
	}
	flush(t, a)
	if got := len(drain(rcv.Got)); got != 2 {
		t.Errorf("delivered %d budget alerts, want 2", got)
	}
}

func TestFailedDeliveryIsLoggedWithoutSecretsAndRetriable(t *testing.T) {
	rcv := startReceiver(t, http.StatusInternalServerError)
	log, buf := testLogger()
	sent := make(chan error, 4)
	a := newAlerter(t, Config{WebhookURL: rcv.URL, Logger: log, OnSent: func(_ Alert, err error) { sent <- err }})
	if !a.MagentoTokenRevoked("b1", "t1") {
		t.Fatal("not queued")
	}
	if err := <-sent; err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("delivery error = %v, want the 500", err)
	}
	flush(t, a)
	out := buf.String()
	if !strings.Contains(out, "alert not delivered") || !strings.Contains(out, "magento_token_revoked") {
		t.Errorf("log does not record the failure:\n%s", out)
	}
	if strings.Contains(out, "SECRETTOKEN") {
		t.Errorf("log leaks the webhook URL:\n%s", out)
	}
	// A failed alert does not start the cool-down: the next occurrence tries again.
	if !a.MagentoTokenRevoked("b1", "t1") {
		t.Error("after a failed delivery the next alert was suppressed")
	}
}

func TestUnreachableWebhookErrorHasNoURL(t *testing.T) {
	sent := make(chan error, 1)
	log, buf := testLogger()
	// A closed port: connection refused.
	a := newAlerter(t, Config{WebhookURL: "http://127.0.0.1:1/x/SECRETTOKEN", Logger: log, OnSent: func(_ Alert, err error) { sent <- err }})
	a.DeadLettered("b1", "t1", "r1")
	err := <-sent
	if err == nil || strings.Contains(err.Error(), "SECRETTOKEN") {
		t.Fatalf("err = %v: want an error without the URL", err)
	}
	flush(t, a)
	if strings.Contains(buf.String(), "SECRETTOKEN") {
		t.Errorf("log leaks the webhook URL:\n%s", buf.String())
	}
}

func TestQueueIsBoundedAndNeverBlocks(t *testing.T) {
	rcv := startReceiver(t, http.StatusOK)
	rcv.gate = make(chan struct{})
	log, buf := testLogger()
	a := newAlerter(t, Config{WebhookURL: rcv.URL, QueueSize: 1, Logger: log})
	if !a.DeadLettered("b1", "", "r") {
		t.Fatal("first alert not queued")
	}
	<-rcv.arrive // the sender holds b1 in flight, blocked in the receiver
	if !a.DeadLettered("b2", "", "r") {
		t.Fatal("second alert not queued")
	}
	done := make(chan bool)
	go func() { done <- a.DeadLettered("b3", "", "r") }()
	select {
	case queued := <-done:
		if queued {
			t.Error("third alert queued beyond the bound")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Notify blocked on a full queue")
	}
	close(rcv.gate)
	flush(t, a)
	if got := len(drain(rcv.Got)); got != 2 {
		t.Errorf("delivered %d, want 2", got)
	}
	if !strings.Contains(buf.String(), "alert queue is full") {
		t.Errorf("drop not logged:\n%s", buf.String())
	}
	// The dropped alert did not start its cool-down.
	if !a.DeadLettered("b3", "", "r") {
		t.Error("dropped alert's binding is in cool-down")
	}
}

func TestSMTPDeliveryWithPlainAuth(t *testing.T) {
	stub := startSMTPStub(t, "alerts@example.com", "s3cret-pw", nil)
	clk := newClock()
	a := newAlerter(t, Config{
		SMTPAddr: stub.Addr, SMTPUser: "alerts@example.com", SMTPPassword: "s3cret-pw",
		From: "ledger@example.com", To: []string{"ops@example.com", "boss@example.com"}, Now: clk.Now,
	})
	a.DeadLettered("b1\r\nBcc: evil@example.com", "t1", "r1")
	var m mail
	select {
	case m = <-stub.Received:
	case <-time.After(10 * time.Second):
		t.Fatal("no mail received")
	}
	flush(t, a)
	if diff := cmp.Diff(mail{From: "ledger@example.com", To: []string{"ops@example.com", "boss@example.com"},
		AuthUser: "alerts@example.com", AuthPass: "s3cret-pw"}, m, cmpIgnoreData); diff != "" {
		t.Errorf("envelope (-want +got):\n%s", diff)
	}
	for _, want := range []string{
		"From: ledger@example.com\r\n",
		"To: ops@example.com, boss@example.com\r\n",
		"Subject: [ledger] runs_dead_lettered (binding b1  Bcc: evil@example.com)\r\n",
		"Content-Type: text/plain; charset=utf-8\r\n",
		"Sync run r1 was dead-lettered",
		"at: 2026-03-14T10:00:00Z",
	} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("message lacks %q:\n%s", want, m.Data)
		}
	}
	if strings.Contains(m.Data, "\r\nBcc:") {
		t.Errorf("header injection:\n%s", m.Data)
	}
}

var cmpIgnoreData = cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Data" }, cmp.Ignore())

func TestSMTPStartTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	stub := startSMTPStub(t, "u", "pw", &tls.Config{Certificates: []tls.Certificate{cert}})
	a := newAlerter(t, Config{
		SMTPAddr: stub.Addr, SMTPUser: "u", SMTPPassword: "pw",
		From: "ledger@example.com", To: []string{"ops@example.com"},
		TLSConfig: &tls.Config{RootCAs: pool},
	})
	a.NeedsReauth("b1", "t1", "")
	select {
	case m := <-stub.Received:
		if !m.TLS {
			t.Error("mail was sent without STARTTLS although the server offered it")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no mail received")
	}
}

func TestSMTPBadPasswordNotLogged(t *testing.T) {
	stub := startSMTPStub(t, "u", "right", nil)
	log, buf := testLogger()
	sent := make(chan error, 1)
	a := newAlerter(t, Config{
		SMTPAddr: stub.Addr, SMTPUser: "u", SMTPPassword: "wrong-Pa55word",
		From: "ledger@example.com", To: []string{"ops@example.com"},
		Logger: log, OnSent: func(_ Alert, err error) { sent <- err },
	})
	log.Info("alert config", "alert", a.cfg)
	a.NeedsReauth("b1", "t1", "")
	if err := <-sent; err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("err = %v, want the 535", err)
	}
	flush(t, a)
	if out := buf.String(); strings.Contains(out, "wrong-Pa55word") || !strings.Contains(out, "alert not delivered") {
		t.Errorf("log leaks the password or misses the failure:\n%s", out)
	}
}

func TestBothChannelsOneFailing(t *testing.T) {
	rcv := startReceiver(t, http.StatusOK)
	sent := make(chan error, 1)
	a := newAlerter(t, Config{
		WebhookURL: rcv.URL, SMTPAddr: "127.0.0.1:1", From: "l@example.com", To: []string{"o@example.com"},
		OnSent: func(_ Alert, err error) { sent <- err },
	})
	a.NeedsReauth("b1", "t1", "")
	err := <-sent
	if err == nil || !strings.Contains(err.Error(), "email") || strings.Contains(err.Error(), "webhook") {
		t.Errorf("err = %v, want only the email channel failing", err)
	}
	if got := len(drain(rcv.Got)); got != 1 {
		t.Errorf("webhook got %d, want 1 despite the SMTP failure", got)
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // substring of the message; "" means valid
	}{
		{"empty is disabled", Config{}, ""},
		{"webhook", Config{WebhookURL: "https://hooks.example.com/x"}, ""},
		{"relative webhook", Config{WebhookURL: "/x"}, "--alert-webhook-url"},
		{"ftp webhook", Config{WebhookURL: "ftp://x/y"}, "--alert-webhook-url"},
		{"smtp no port", Config{SMTPAddr: "smtp.example.com", From: "a@b.c", To: []string{"d@e.f"}}, "--alert-smtp-addr"},
		{"smtp no from", Config{SMTPAddr: "smtp.example.com:587", To: []string{"d@e.f"}}, "--alert-email-from"},
		{"smtp no to", Config{SMTPAddr: "smtp.example.com:587", From: "a@b.c"}, "--alert-email-to"},
		{"smtp bad to", Config{SMTPAddr: "smtp.example.com:587", From: "a@b.c", To: []string{"x\r\nRCPT TO:<y@z>"}}, "--alert-email-to"},
		{"smtp user without password", Config{SMTPAddr: "smtp.example.com:587", From: "a@b.c", To: []string{"d@e.f"}, SMTPUser: "u"}, "--alert-smtp-password"},
		{"smtp ok", Config{SMTPAddr: "smtp.example.com:587", From: "a@b.c", To: []string{"d@e.f"}, SMTPUser: "u", SMTPPassword: "p"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				_ = a.Close(context.Background())
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.EInvalid || !strings.Contains(de.Message, tt.want) {
				t.Fatalf("err = %v, want an invalid error naming %s", err, tt.want)
			}
		})
	}
}

func TestDisabledAndNilAreNoops(t *testing.T) {
	var nilA *Alerter
	a := newAlerter(t, Config{})
	for _, x := range []*Alerter{nilA, a} {
		if x.Enabled() || x.NeedsReauth("b", "t", "") || x.DeadLettered("b", "t", "r") ||
			x.MagentoTokenRevoked("b", "t") || x.DailyBudget("b", "t", 5000, 5000) || x.RecordFailure("b", "t") {
			t.Error("disabled alerter queued something")
		}
		if err := x.Flush(context.Background()); err != nil {
			t.Error(err)
		}
	}
	if err := nilA.Close(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestNotifyAfterCloseIsDropped(t *testing.T) {
	rcv := startReceiver(t, http.StatusOK)
	a, err := New(Config{WebhookURL: rcv.URL})
	if err != nil {
		t.Fatal(err)
	}
	a.DeadLettered("b1", "", "r")
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(drain(rcv.Got)); got != 1 {
		t.Errorf("Close did not drain the queue: %d delivered", got)
	}
	if a.DeadLettered("b2", "", "r") {
		t.Error("queued after Close")
	}
}

func BenchmarkRecordFailureHotPath(b *testing.B) {
	a, err := New(Config{WebhookURL: "http://127.0.0.1:1/", FailureThreshold: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close(context.Background())
	b.ReportAllocs()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		a.RecordFailure("b1", "t1")
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "ns/failure")
}
