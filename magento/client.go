package magento

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"ledger/domain"
)

// RESTPrefix is where the Byte8 canonical routes live under the base URL.
const RESTPrefix = "/rest/V1/byte8"

// ClientOptions tune a Client. Zero values are production defaults.
type ClientOptions struct {
	HTTP         *http.Client     // nil: NewHTTPClient(AllowPrivate)
	AllowPrivate bool             // allow loopback/private Magento (tests, local dev)
	Now          func() time.Time // token clock; nil: time.Now
	Retries      int              // extra attempts on 5xx/network; 0: 2; negative: none
	Backoff      func(n int) time.Duration
}

// Client calls one tenant's Magento with fresh inbound tokens. It is safe
// for concurrent use.
type Client struct {
	base, tenant string
	inbound      []byte
	hc           *http.Client
	now          func() time.Time
	retries      int
	backoff      func(int) time.Duration
}

// NewClient returns the client of one tenant. The base URL is checked and
// normalised by CheckBaseURL; the api key never leaves the client.
func NewClient(baseURL, tenantID, apiKey string, opts ClientOptions) (*Client, error) {
	base, _, err := CheckBaseURL(baseURL, opts.AllowPrivate)
	if err != nil {
		return nil, err
	}
	if tenantID == "" || apiKey == "" {
		return nil, domain.Errorf(domain.EInvalid, "The tenant has no api key; pair the Magento store again.")
	}
	_, in := DeriveKeys(apiKey)
	c := &Client{base: base, tenant: tenantID, inbound: in, hc: opts.HTTP, now: opts.Now, retries: opts.Retries, backoff: opts.Backoff}
	if c.hc == nil {
		c.hc = NewHTTPClient(opts.AllowPrivate)
	}
	if c.now == nil {
		c.now = time.Now
	}
	switch {
	case c.retries == 0:
		c.retries = 2
	case c.retries < 0:
		c.retries = 0
	}
	if c.backoff == nil {
		c.backoff = func(n int) time.Duration { return time.Duration(1<<min(n, 4)) * 250 * time.Millisecond }
	}
	return c, nil
}

// do performs one logical call with retries: every attempt mints a fresh
// token. It returns the 2xx body or a *domain.Error.
func (c *Client) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var last *HTTPError
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(c.backoff(attempt))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, unavailable(errors.Join(ctx.Err(), last), "gave up")
			case <-t.C:
			}
		}
		rb, herr := c.attempt(ctx, method, path, body)
		if herr == nil {
			return rb, nil
		}
		last = herr
		switch {
		case herr.Status == 0 && dialRefused(herr.Err):
			return nil, domain.Wrap(domain.EInvalid, herr, "The Magento URL points at a private or local address; start ledger with --magento-allow-private if that is intended.")
		case herr.Status == http.StatusUnauthorized:
			return nil, domain.Wrap(domain.EUnauthorized, fmt.Errorf("%w: %w", ErrTokenRevoked, herr),
				"Magento refused ledger's token — re-pair the store with a new pairing code.").WithCode("token_revoked")
		case herr.Status == http.StatusNotFound:
			return nil, domain.Wrap(domain.ENotFound, herr, "Magento has no %s — it may have been deleted, or the Byte8 module is out of date.", path)
		case herr.Status >= 400 && herr.Status < 500 && herr.Status != http.StatusTooManyRequests:
			return nil, domain.Wrap(domain.EInvalid, herr, "Magento refused the request: %q.", herr.Message)
		}
		if attempt >= c.retries || ctx.Err() != nil {
			what := "network error"
			if herr.Status != 0 {
				what = "HTTP " + strconv.Itoa(herr.Status)
			} else if isTimeout(herr.Err) {
				what = "timed out"
			}
			return nil, unavailable(herr, what)
		}
	}
}

func (c *Client) attempt(ctx context.Context, method, path string, body []byte) ([]byte, *HTTPError) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+RESTPrefix+path, rd)
	if err != nil {
		return nil, &HTTPError{Method: method, Path: path, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+MintInbound(c.inbound, c.tenant, c.now()))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &HTTPError{Method: method, Path: path, Err: err}
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, &HTTPError{Method: method, Path: path, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &HTTPError{Method: method, Path: path, Status: resp.StatusCode, Message: magentoMessage(rb)}
	}
	return rb, nil
}

// get fetches path and decodes it with dec.
func get[T any](ctx context.Context, c *Client, path string, dec func([]byte) (*T, error)) (*T, error) {
	b, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return dec(b)
}

// Ping probes the tenant's Magento with a real token (protocol §7.1). Any
// 200 is alive; the body (a list on stock Magento, or an object) is only
// checked to be JSON.
func (c *Client) Ping(ctx context.Context) error {
	b, err := c.do(ctx, http.MethodGet, "/ping", nil)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) > 0 && !json.Valid(b) {
		return domain.Wrap(domain.EUnavailable, fmt.Errorf("ping body %q", truncate(string(b), 60)),
			"Magento answered the ping with something other than JSON — check the base URL points at the store.")
	}
	return nil
}

func checkID(id int64, what string) error {
	if id < 1 {
		return domain.Errorf(domain.EInvalid, "A Magento %s id must be a positive number, not %d.", what, id)
	}
	return nil
}

// Invoice fetches GET /invoice/{id}.
func (c *Client) Invoice(ctx context.Context, id int64) (*Invoice, error) {
	if err := checkID(id, "invoice"); err != nil {
		return nil, err
	}
	return get(ctx, c, "/invoice/"+strconv.FormatInt(id, 10), DecodeInvoice)
}

// CreditMemo fetches GET /creditmemo/{id}.
func (c *Client) CreditMemo(ctx context.Context, id int64) (*CreditMemo, error) {
	if err := checkID(id, "credit memo"); err != nil {
		return nil, err
	}
	return get(ctx, c, "/creditmemo/"+strconv.FormatInt(id, 10), DecodeCreditMemo)
}

// Customer fetches GET /customer/{id}; id 0 (a guest) is refused without a
// request.
func (c *Client) Customer(ctx context.Context, id int64) (*Contact, error) {
	if err := checkID(id, "customer"); err != nil {
		return nil, err
	}
	return get(ctx, c, "/customer/"+strconv.FormatInt(id, 10), DecodeContact)
}

// Payment fetches GET /payment/{invoice id}.
func (c *Client) Payment(ctx context.Context, invoiceID int64) (*Payment, error) {
	if err := checkID(invoiceID, "invoice"); err != nil {
		return nil, err
	}
	return get(ctx, c, "/payment/"+strconv.FormatInt(invoiceID, 10), DecodePayment)
}

// PaymentMethods lists the store's payment methods; an older module's 404
// is ErrNotSupported (fall back to free text).
func (c *Client) PaymentMethods(ctx context.Context) ([]PaymentMethod, error) {
	b, err := c.do(ctx, http.MethodGet, "/payment-methods", nil)
	if domain.IsKind(err, domain.ENotFound) {
		return nil, domain.Wrap(domain.ENotFound, fmt.Errorf("%w: %w", ErrNotSupported, err),
			"This Magento module does not list payment methods; type the method codes instead.").WithCode("not_supported")
	}
	if err != nil {
		return nil, err
	}
	var pm []PaymentMethod
	if err := json.Unmarshal(b, &pm); err != nil {
		return nil, serde(err, "payment methods")
	}
	return pm, nil
}

// SyncTimeFormat is last_sync_at's wire format (UTC, MySQL timestamp).
const SyncTimeFormat = "2006-01-02 15:04:05"

// FormatSyncTime renders t for SyncState.LastSyncAt.
func FormatSyncTime(t time.Time) string { return t.UTC().Format(SyncTimeFormat) }

// MaxSyncStateField is the width of sync-state's optional columns
// (varchar(64), §7.3); longer values are cut, never sent.
const MaxSyncStateField = 64

// cutUTF8 returns the longest prefix of s of at most n bytes that ends on a
// character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// PostSyncState mirrors one terminal outcome to Magento (protocol §7.3).
// Provider is forced to "xero"; an empty LastSyncAt is set to now; optional
// fields longer than MaxSyncStateField bytes are cut to fit. Both
// provider ids must be filled in by the caller every time: an omitted
// value clears Magento's column.
func (c *Client) PostSyncState(ctx context.Context, s SyncState) error {
	s.Provider = "xero"
	if s.LastSyncAt == "" {
		s.LastSyncAt = FormatSyncTime(c.now())
	}
	switch {
	case s.EntityType != "invoice" && s.EntityType != "creditmemo" && s.EntityType != "customer":
		return domain.Errorf(domain.EInvalid, "Sync state entity type %q is not invoice, creditmemo or customer.", s.EntityType)
	case s.MagentoEntityID < 1:
		return domain.Errorf(domain.EInvalid, "Sync state needs a positive Magento entity id.")
	case s.SyncStatus != "synced" && s.SyncStatus != "skipped" && s.SyncStatus != "failed":
		return domain.Errorf(domain.EInvalid, "Sync status %q is not synced, skipped or failed.", s.SyncStatus)
	}
	if _, err := time.Parse(SyncTimeFormat, s.LastSyncAt); err != nil {
		return domain.Errorf(domain.EInvalid, "last_sync_at must be YYYY-MM-DD HH:MM:SS in UTC.")
	}
	for _, f := range []**string{&s.ProviderEntityID, &s.ProviderReference, &s.SkipReason, &s.ErrorCode} {
		if *f != nil && len(**f) > MaxSyncStateField {
			v := cutUTF8(**f, MaxSyncStateField)
			*f = &v
		}
	}
	body, err := json.Marshal(s)
	if err != nil {
		return serde(err, "sync state")
	}
	_, err = c.do(ctx, http.MethodPost, "/sync-state", body)
	return err
}
