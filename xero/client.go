package xero

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
)

// Client calls the Accounting API for one organisation (tenant).
type Client struct {
	base   string
	ts     AccessTokenSource
	tenant string
	lim    *Limiter
	hc     *http.Client
}

// NewClient builds a client for tenantID. lim may be nil (no pacing);
// httpClient nil means http.DefaultClient.
func NewClient(cfg Config, ts AccessTokenSource, tenantID string, lim *Limiter, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(cfg.APIURL, "/"), ts: ts, tenant: tenantID, lim: lim, hc: httpClient}
}

// TenantID is the organisation this client writes to.
func (c *Client) TenantID() string { return c.tenant }

// MaxIdempotencyKey is Xero's limit on the Idempotency-Key header.
const MaxIdempotencyKey = 128

// call is one Accounting API request.
type call struct {
	method string
	path   string
	query  url.Values
	key    string // Idempotency-Key; required on writes
	body   any
	out    any
}

func (c *Client) do(ctx context.Context, k call) error {
	op := k.method + " " + k.path
	var body []byte
	if k.method != http.MethodGet {
		if k.key == "" || len(k.key) > MaxIdempotencyKey {
			return fmt.Errorf("xero %s: an Idempotency-Key of 1–%d characters is required on writes", op, MaxIdempotencyKey)
		}
		b, err := json.Marshal(k.body)
		if err != nil {
			return fmt.Errorf("xero %s: encode: %w", op, err)
		}
		body = b
	}
	tok, err := c.ts.AccessToken(ctx)
	if err != nil {
		return err
	}
	err = c.send(ctx, k, op, body, tok)
	if r, ok := c.ts.(TokenRenewer); ok && errors.Is(err, ErrTokenExpired) {
		// Xero refused the token before its local expiry and did not act
		// on the request: renew once and send the same request again.
		if tok, err = r.Renew(ctx, tok); err != nil {
			return err
		}
		err = c.send(ctx, k, op, body, tok)
	}
	return err
}

// send makes one attempt of a call with the access token tok.
func (c *Client) send(ctx context.Context, k call, op string, body []byte, tok string) error {
	u := c.base + k.path
	if len(k.query) > 0 {
		u += "?" + k.query.Encode()
	}
	var sent bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { sent = true }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), k.method, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("xero %s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Xero-tenant-id", c.tenant)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", k.key)
	} else {
		req.Body, req.ContentLength = nil, 0
	}
	if c.lim != nil {
		if err := c.lim.Wait(ctx); err != nil {
			return err
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if c.lim != nil {
			c.lim.Done(nil)
		}
		if ctx.Err() != nil && !sent {
			return ctx.Err()
		}
		return &UnavailableError{Op: op, Sent: sent, Err: err}
	}
	defer resp.Body.Close()
	if c.lim != nil {
		c.lim.Done(resp.Header)
	}
	data := readBody(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return responseError(req, resp, data)
	}
	if k.out == nil {
		return nil
	}
	if err := json.Unmarshal(data, k.out); err != nil {
		// The body was cut short or garbled: for a write the outcome is unknown.
		if k.method != http.MethodGet {
			return &UnavailableError{Op: op, StatusCode: resp.StatusCode, Sent: true, Err: err}
		}
		return &DecodeError{Op: op, Err: err}
	}
	return nil
}
