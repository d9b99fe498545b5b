package xero

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrTokenExpired is returned when Xero rejects an access token as expired;
// the caller refreshes and retries.
var ErrTokenExpired = errors.New("xero: access token expired")

// ErrReauthRequired is matched (errors.Is) by every error meaning the
// merchant must connect Xero again: invalid_grant on refresh, revoked
// consent, a removed connection.
var ErrReauthRequired = errors.New("xero: the Xero connection must be authorised again")

// AuthError is an authentication or authorisation refusal by Xero.
type AuthError struct {
	Op         string
	StatusCode int
	Code       string // invalid_grant, AuthenticationUnsuccessful, AuthorizationUnsuccessful…
	Message    string
	reauth     bool
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("xero %s: auth refused (%d %s): %s", e.Op, e.StatusCode, e.Code, e.Message)
}

// Is makes errors.Is(err, ErrReauthRequired) true for refusals that only a
// new consent can fix.
func (e *AuthError) Is(target error) bool { return target == ErrReauthRequired && e.reauth }

// ElementError is the validation outcome of one element of a batch.
type ElementError struct {
	Index    int
	Messages []string
}

// ValidationError is Xero's 400 ValidationException (or a batch element
// reported with errors under summarizeErrors=false).
type ValidationError struct {
	Op       string
	Message  string
	Elements []ElementError
}

func (e *ValidationError) Error() string {
	var msgs []string
	for _, el := range e.Elements {
		for _, m := range el.Messages {
			msgs = append(msgs, fmt.Sprintf("[%d] %s", el.Index, m))
		}
	}
	if len(msgs) == 0 {
		return fmt.Sprintf("xero %s: validation failed: %s", e.Op, e.Message)
	}
	return fmt.Sprintf("xero %s: validation failed: %s", e.Op, strings.Join(msgs, "; "))
}

// Messages returns every element message, for quoting to the merchant.
func (e *ValidationError) Messages() []string {
	var out []string
	for _, el := range e.Elements {
		out = append(out, el.Messages...)
	}
	if len(out) == 0 && e.Message != "" {
		out = append(out, e.Message)
	}
	return out
}

// NotFoundError is a 404 from Xero.
type NotFoundError struct{ Op string }

func (e *NotFoundError) Error() string { return "xero " + e.Op + ": not found" }

// RateLimitError says Xero (or the local limiter) refuses more calls for now.
type RateLimitError struct {
	Problem    string // minute | day | appminute | concurrent
	RetryAfter time.Duration
	Reset      time.Time // when calls may resume, if known
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("xero: rate limited (%s), retry after %s", e.Problem, e.RetryAfter)
}

// UnavailableError is a 5xx or a network failure. Sent reports whether the
// request may have reached Xero: true means the outcome is unknown and a
// write must be reconciled (or retried with the same Idempotency-Key).
type UnavailableError struct {
	Op         string
	StatusCode int
	Sent       bool
	Err        error
}

func (e *UnavailableError) Error() string {
	s := fmt.Sprintf("xero %s: unavailable (status %d, sent=%v)", e.Op, e.StatusCode, e.Sent)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// DecodeError is a response Xero sent that ledger cannot read.
type DecodeError struct {
	Op  string
	Err error
}

func (e *DecodeError) Error() string {
	return "xero " + e.Op + ": unreadable response: " + e.Err.Error()
}
func (e *DecodeError) Unwrap() error { return e.Err }

// APIError is any other non-2xx answer.
type APIError struct {
	Op         string
	StatusCode int
	Message    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("xero %s: HTTP %d: %s", e.Op, e.StatusCode, e.Message)
}

const maxBody = 32 << 20

func readBody(resp *http.Response) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return b
}

// apiProblem is the union of Xero's error bodies: the Accounting API's
// {ErrorNumber, Type, Message, Elements} and the RFC 7807 style
// {Title, Status, Detail} used for 401/403.
type apiProblem struct {
	Type     *string `json:"Type"`
	Message  string  `json:"Message"`
	Title    string  `json:"Title"`
	Detail   string  `json:"Detail"`
	Elements []struct {
		ValidationErrors []ValidationMessage `json:"ValidationErrors"`
	} `json:"Elements"`
	OAuthError string `json:"error"`
}

// responseError turns a non-2xx response into a typed error.
func responseError(req *http.Request, resp *http.Response, body []byte) error {
	op := req.Method + " " + req.URL.Path
	var p apiProblem
	_ = json.Unmarshal(body, &p)
	typ := ""
	if p.Type != nil {
		typ = *p.Type
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return rateLimitFromHeaders(resp.Header, time.Now())
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		detail := p.Detail + " " + resp.Header.Get("WWW-Authenticate")
		// Only a 401 says the token itself expired; a 403 is about what the
		// token may do, and renewing it would not help.
		if resp.StatusCode == http.StatusUnauthorized && (strings.Contains(detail, "TokenExpired") || strings.Contains(detail, "expired")) {
			return fmt.Errorf("xero %s: %w", op, ErrTokenExpired)
		}
		code := "AuthenticationUnsuccessful"
		if resp.StatusCode == http.StatusForbidden {
			code = "AuthorizationUnsuccessful"
		}
		return &AuthError{Op: op, StatusCode: resp.StatusCode, Code: code, Message: firstNonEmpty(p.Detail, p.Title, "access refused"), reauth: true}
	case resp.StatusCode == http.StatusNotFound:
		return &NotFoundError{Op: op}
	case resp.StatusCode == http.StatusBadRequest && (typ == "ValidationException" || len(p.Elements) > 0):
		ve := &ValidationError{Op: op, Message: p.Message}
		for i, el := range p.Elements {
			var msgs []string
			for _, v := range el.ValidationErrors {
				msgs = append(msgs, v.Message)
			}
			if len(msgs) > 0 {
				ve.Elements = append(ve.Elements, ElementError{Index: i, Messages: msgs})
			}
		}
		return ve
	case resp.StatusCode >= 500:
		return &UnavailableError{Op: op, StatusCode: resp.StatusCode, Sent: true}
	}
	return &APIError{Op: op, StatusCode: resp.StatusCode, Message: firstNonEmpty(p.Message, p.Detail, p.Title, p.OAuthError, http.StatusText(resp.StatusCode))}
}

// maxRetryAfter caps Retry-After (seconds): Xero's longest wait is the day
// limit's, and a larger value would overflow a time.Duration into a
// negative wait.
const maxRetryAfter = 86400

func rateLimitFromHeaders(h http.Header, now time.Time) *RateLimitError {
	e := &RateLimitError{Problem: strings.ToLower(h.Get("X-Rate-Limit-Problem"))}
	if e.Problem == "" {
		e.Problem = "minute"
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s >= 0 {
		e.RetryAfter = time.Duration(min(s, maxRetryAfter)) * time.Second
	} else {
		e.RetryAfter = time.Minute
	}
	e.Reset = now.Add(e.RetryAfter)
	return e
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
