package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	"ledger/xero"
)

// failure is how a run's error is handled.
type failure struct {
	class     string // domain.Class*
	code      string // error_code mirrored to Magento (the class, or a finer code)
	message   string // user-safe: what failed and what to do
	transient bool   // retried with backoff
	free      bool   // waits without counting as an attempt (rate limit, pause, shutdown)
	until     time.Time
	pause     string // "xero" or "magento": the binding must wait for a reconnect
}

// Retry schedule of transient failures; after the last step, daily, until
// maxRetryAge after the run was accepted, then dead_lettered.
var backoff = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}

const maxRetryAge = 7 * 24 * time.Hour

// nextDelay is the jittered delay before attempt n+1 (n ≥ 1): ±20 %.
func nextDelay(n int, jitter float64) time.Duration {
	d := backoff[min(max(n, 1), len(backoff))-1]
	return time.Duration(float64(d) * (0.8 + 0.4*jitter))
}

// hints turn Xero's validation messages into what the merchant changes.
var hints = []struct{ contains, hint string }{
	{"Account code", "choose a revenue account in the binding's settings (default_xero_revenue_account_code)"},
	{"not subscribed to currency", ""}, // filled in with the currency
	{"TaxType", "choose a tax type in the binding's settings (default_xero_tax_type or tax_rate_map)"},
	{"tax type", "choose a tax type in the binding's settings (default_xero_tax_type or tax_rate_map)"},
	{"BANKACCOUNT_NOT_VALID_FOR_PAYMENT", "map the payment method to a BANK account in payment_method_map"},
	{"Account could not be found", "map the payment method to an existing bank account, or refresh the reference data"},
	{"already assigned to another contact", "rename or archive the other contact in Xero"},
}

// quoteXero is the run message of a Xero validation refusal: Xero's words
// quoted, then what to change.
func quoteXero(msgs []string) string {
	if len(msgs) == 0 {
		msgs = []string{"the document was refused without a message"}
	}
	var uniq []string
	for _, m := range msgs {
		m = strings.TrimSuffix(strings.TrimSpace(m), ".")
		if !slices.Contains(uniq, m) {
			uniq = append(uniq, m)
		}
	}
	text := strings.Join(uniq, "; ")
	hint := "fix the record in Magento or the binding's settings, then retry"
	for _, h := range hints {
		if !strings.Contains(text, h.contains) {
			continue
		}
		hint = h.hint
		if h.contains == "not subscribed to currency" {
			cur := strings.TrimSpace(text[strings.Index(text, h.contains)+len(h.contains):])
			if f := strings.Fields(cur); len(f) > 0 {
				cur = strings.Trim(f[0], ".;,")
			}
			hint = fmt.Sprintf("enable %s in Xero → Settings → Currencies, then retry", cur)
		}
		break
	}
	return fmt.Sprintf("Xero: %s — %s", text, hint)
}

// classify maps any error of the pipeline to its handling.
func classify(err error, now time.Time) failure {
	var (
		rl  *xero.RateLimitError
		un  *xero.UnavailableError
		ve  *xero.ValidationError
		au  *xero.AuthError
		nf  *xero.NotFoundError
		de  *xero.DecodeError
		api *xero.APIError
		tmp *xero.TooManyPagesError
	)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return failure{class: domain.ClassInternal, message: "ledger stopped while working on this run; it resumes on the next start", transient: true, free: true, until: now}
	case errors.As(err, &rl):
		until := rl.Reset
		if until.IsZero() {
			until = now.Add(rl.RetryAfter)
		}
		return failure{class: domain.ClassRateLimited, message: "Xero's rate limit was reached; the run waits and goes out when calls are allowed again", transient: true, free: true, until: until}
	case errors.Is(err, xero.ErrReauthRequired) || errors.As(err, &au):
		return failure{class: domain.ClassAuth, message: "Xero refused ledger's access — reconnect Xero for this binding; the run waits until then", transient: true, free: true, pause: "xero", until: now}
	case errors.Is(err, xero.ErrTokenExpired):
		return failure{class: domain.ClassAuth, message: "Xero's access token expired; ledger refreshes it and retries", transient: true}
	case errors.As(err, &ve):
		return failure{class: domain.ClassValidation, message: quoteXero(ve.Messages())}
	case errors.As(err, &un):
		class := domain.ClassProvider
		if un.StatusCode == 0 {
			class = domain.ClassHTTP
		}
		return failure{class: class, message: "Xero is unavailable right now; ledger retries automatically", transient: true}
	case errors.As(err, &nf):
		return failure{class: domain.ClassNotFound, message: "Xero has no such document any more — check it in Xero, then retry"}
	case errors.As(err, &tmp):
		return failure{class: domain.ClassProvider, message: fmt.Sprintf("Xero holds more than %d pages of documents matching this one's number or reference, so ledger cannot tell which is its own — archive or renumber the duplicates in Xero, then retry", tmp.Pages)}
	case errors.As(err, &de):
		return failure{class: domain.ClassSerde, message: "Xero sent an answer ledger cannot read; ledger retries automatically", transient: true}
	case errors.As(err, &api):
		if api.StatusCode == http.StatusConflict {
			// Xero answers 409 while a request with the same
			// Idempotency-Key is still being processed (the header is
			// documented in xero_accounting.yaml, components.parameters.
			// idempotencyKey: "safely retry requests without the risk of
			// duplicate processing"; 409 Conflict for a key still in
			// progress is the convention of idempotent APIs, e.g.
			// developer.zuora.com/docs/guides/idempotent-requests and
			// docs.direct.worldline-solutions.com/integration/
			// api-developer-guide/idempotent-requests). The outcome is
			// unknown: the run is retried with backoff, and its attempt
			// record, written before the post, makes the next round look
			// the document up before posting again. A 429 for the
			// concurrent limit is a RateLimitError, handled above.
			return failure{class: domain.ClassProvider, message: "Xero is still processing an earlier copy of this request; ledger checks what arrived and retries automatically", transient: true}
		}
		if api.StatusCode >= 400 && api.StatusCode < 500 {
			return failure{class: domain.ClassHTTP, message: fmt.Sprintf("Xero refused the request (HTTP %d: %s) — check the binding's settings, then retry", api.StatusCode, api.Message)}
		}
		return failure{class: domain.ClassHTTP, message: "Xero answered with an error; ledger retries automatically", transient: true}
	case errors.Is(err, magento.ErrTokenRevoked):
		return failure{class: domain.ClassAuth, message: "Magento refused ledger's token — re-pair the store; the run waits until then", transient: true, free: true, pause: "magento", until: now}
	}
	msg := domain.MessageOf(err)
	switch domain.KindOf(err) {
	case domain.EInvalid:
		return failure{class: domain.ClassValidation, code: domain.CodeOf(err), message: msg}
	case domain.ENotFound:
		return failure{class: domain.ClassNotFound, message: msg}
	case domain.EConflict:
		code := domain.CodeOf(err)
		if code == store.CodeXrefCollision {
			return failure{class: domain.ClassValidation, code: code, message: msg}
		}
		return failure{class: domain.ClassDatabase, message: msg, transient: true}
	case domain.EUnauthorized:
		return failure{class: domain.ClassAuth, message: msg, transient: true, free: true, pause: "magento", until: now}
	case domain.EUnavailable:
		return failure{class: domain.ClassHTTP, message: msg, transient: true}
	}
	return failure{class: domain.ClassInternal, message: msg, transient: true}
}

// errorCode is the error_code mirrored to Magento.
func (f failure) errorCode() string {
	if f.code == store.CodeXrefCollision {
		return f.code
	}
	return f.class
}
