// Package alert tells an operator when a binding needs a human: it sends
// alerts to a webhook (JSON POST) and/or by email over SMTP, at most once per
// (kind, binding) per cool-down, asynchronously through a bounded queue so
// that the caller (the sync worker, the webhook handler) is never blocked or
// failed by a slow or broken alert channel.
package alert

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"ledger/domain"
)

// Kind names what happened. The values are part of the webhook JSON.
type Kind string

const (
	KindNeedsReauth         Kind = "binding_needs_reauth"  // Xero refused the refresh token; reconnect Xero
	KindRunsDeadLettered    Kind = "runs_dead_lettered"    // a sync run gave up after its retries
	KindFailuresPerHour     Kind = "failures_per_hour"     // more than FailureThreshold failed runs in an hour
	KindMagentoTokenRevoked Kind = "magento_token_revoked" // Magento revoked the pairing; re-pair the store
	KindDailyBudget80       Kind = "daily_budget_80"       // 80 % of the Xero daily call budget is used
)

// Alert is one notification. Its JSON form is the webhook body.
type Alert struct {
	Kind      Kind      `json:"kind"`
	BindingID string    `json:"binding_id"`
	TenantID  string    `json:"tenant_id"`
	Message   string    `json:"message"`
	At        time.Time `json:"at"`
}

// Defaults applied by New when the Config leaves a field zero.
const (
	DefaultCooldown         = time.Hour
	DefaultFailureThreshold = 10
	DefaultQueueSize        = 64
	DefaultSendTimeout      = 15 * time.Second
)

// Config configures an Alerter. With neither WebhookURL nor SMTPAddr set the
// Alerter is disabled: every method is a cheap no-op.
type Config struct {
	WebhookURL       string        // POST target for the JSON alert; may embed a secret token, so it is never logged
	SMTPAddr         string        // host:port; STARTTLS is used when offered, port 465 speaks implicit TLS
	SMTPUser         string        // PLAIN auth when set
	SMTPPassword     string        // never logged
	From             string        // envelope and header sender
	To               []string      // recipients
	Cooldown         time.Duration // per (kind, binding); 0 means DefaultCooldown
	FailureThreshold int           // failures_per_hour fires above this many failures; 0 means default, <0 disables

	QueueSize   int                // pending alerts before new ones are dropped (logged); 0 means default
	SendTimeout time.Duration      // per delivery attempt and channel; 0 means default
	Logger      *slog.Logger       // nil means slog.Default()
	HTTPClient  *http.Client       // nil means a client with SendTimeout
	TLSConfig   *tls.Config        // for SMTP STARTTLS/implicit TLS; nil means system roots with the SMTP host as name
	Now         func() time.Time   // injectable clock; nil means time.Now
	OnSent      func(Alert, error) // test/observability hook, called after every delivery attempt from the sender goroutine
}

// LogValue keeps secrets out of logs when a Config is logged.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("webhook", c.WebhookURL != ""),
		slog.String("smtp_addr", c.SMTPAddr),
		slog.Bool("smtp_auth", c.SMTPUser != ""),
		slog.String("from", c.From),
		slog.Int("to", len(c.To)),
		slog.Duration("cooldown", c.Cooldown),
		slog.Int("failure_threshold", c.FailureThreshold),
	)
}

// validate checks the operator-supplied fields and names the flag to fix.
func (c Config) validate() error {
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return domain.Errorf(domain.EInvalid, "the alert webhook URL is not an absolute http(s) URL; fix --alert-webhook-url")
		}
	}
	if c.SMTPAddr == "" {
		return nil
	}
	if host, port, err := net.SplitHostPort(c.SMTPAddr); err != nil || host == "" || port == "" {
		return domain.Errorf(domain.EInvalid, "the SMTP address must be host:port (for example smtp.example.com:587); fix --alert-smtp-addr")
	}
	if !validAddress(c.From) {
		return domain.Errorf(domain.EInvalid, "alert emails need a sender address; set --alert-email-from")
	}
	if len(c.To) == 0 {
		return domain.Errorf(domain.EInvalid, "alert emails need at least one recipient; set --alert-email-to")
	}
	for _, to := range c.To {
		if !validAddress(to) {
			return domain.Errorf(domain.EInvalid, "an alert email recipient is not an email address; fix --alert-email-to")
		}
	}
	if c.SMTPUser != "" && c.SMTPPassword == "" {
		return domain.Errorf(domain.EInvalid, "an SMTP user is set without a password; set --alert-smtp-password or LEDGER_ALERT_SMTP_PASSWORD_FILE")
	}
	return nil
}

// validAddress accepts a bare addr-spec without CR, LF or angle brackets so
// that it cannot inject SMTP commands or headers.
func validAddress(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, "\r\n<> ,;")
}

// Alerter sends alerts. The zero value is not usable; a nil *Alerter is a
// valid disabled Alerter.
type Alerter struct {
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	queue chan Alert

	mu       sync.Mutex
	last     map[cooldownKey]time.Time // when (kind, binding) last went out
	failures map[string][]time.Time    // binding → recent failure times, newest last
	pending  int                       // queued or being sent
	idle     chan struct{}             // closed while pending == 0
	closed   bool

	done chan struct{}
}

type cooldownKey struct {
	kind    Kind
	binding string
}

// New validates cfg and starts the sender goroutine. Call Close to stop it.
func New(cfg Config) (*Alerter, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = DefaultCooldown
	}
	if cfg.FailureThreshold == 0 {
		cfg.FailureThreshold = DefaultFailureThreshold
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = DefaultSendTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.SendTimeout}
	}
	a := &Alerter{
		cfg:      cfg,
		log:      cfg.Logger,
		now:      cfg.Now,
		queue:    make(chan Alert, cfg.QueueSize),
		last:     map[cooldownKey]time.Time{},
		failures: map[string][]time.Time{},
		idle:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	close(a.idle)
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	go a.run()
	return a, nil
}

// Enabled reports whether any channel is configured.
func (a *Alerter) Enabled() bool {
	return a != nil && (a.cfg.WebhookURL != "" || a.cfg.SMTPAddr != "")
}

// Notify queues al unless the same (kind, binding) went out within the
// cool-down, the queue is full, or the Alerter is disabled or closed. It never
// blocks. It reports whether the alert was queued. At is set when zero.
func (a *Alerter) Notify(al Alert) bool {
	if !a.Enabled() {
		return false
	}
	now := a.now()
	if al.At.IsZero() {
		al.At = now.UTC()
	}
	key := cooldownKey{al.Kind, al.BindingID}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	if t, ok := a.last[key]; ok && now.Sub(t) < a.cfg.Cooldown {
		return false
	}
	select {
	case a.queue <- al:
	default:
		a.log.Warn("alert dropped: the alert queue is full", "kind", string(al.Kind), "binding_id", al.BindingID)
		return false
	}
	a.last[key] = now
	if a.pending == 0 {
		a.idle = make(chan struct{})
	}
	a.pending++
	return true
}

// Flush waits until every queued alert has been attempted, or ctx ends.
func (a *Alerter) Flush(ctx context.Context) error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	idle := a.idle
	a.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting alerts, tries to deliver what is queued until ctx
// ends, and stops the sender.
func (a *Alerter) Close(ctx context.Context) error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.queue)
	}
	a.mu.Unlock()
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *Alerter) run() {
	defer close(a.done)
	for al := range a.queue {
		err := a.deliver(al)
		if err != nil {
			// Deliberately no URL, address or credential: only what failed.
			a.log.Error("alert not delivered", "kind", string(al.Kind), "binding_id", al.BindingID, "err", err.Error())
			// Let the next occurrence try again instead of staying silent for the cool-down.
			a.mu.Lock()
			delete(a.last, cooldownKey{al.Kind, al.BindingID})
			a.mu.Unlock()
		}
		if a.cfg.OnSent != nil {
			a.cfg.OnSent(al, err)
		}
		a.mu.Lock()
		a.pending--
		if a.pending == 0 {
			close(a.idle)
		}
		a.mu.Unlock()
	}
}
