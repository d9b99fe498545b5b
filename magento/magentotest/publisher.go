package magentotest

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"ledger/domain"
	"ledger/magento"
)

// Outcome is how Magento's ByteClient classifies a response (protocol §4).
type Outcome string

const (
	Success    Outcome = "success"     // 2xx
	DeadLetter Outcome = "dead_letter" // 4xx: BadRequestException, never retried
	Retry      Outcome = "retry"       // anything else, network errors, timeouts
)

// Errors returned by the publisher for non-2xx results.
var (
	ErrDeadLetter = errors.New("magentotest: 4xx, dead-lettered")
	ErrRetry      = errors.New("magentotest: transient, retried with backoff")
)

// Classify maps an HTTP status (0 for a transport failure) to an Outcome.
func Classify(status int) Outcome {
	switch {
	case status >= 200 && status < 300:
		return Success
	case status >= 400 && status < 500:
		return DeadLetter
	}
	return Retry
}

// OutboundToken mints a token exactly like Magento's Signer: iss magento,
// aud byte8-ledger, iat = nbf = now, exp = iat + 60, fresh UUID jti.
func (m *Magento) OutboundToken() (string, error) {
	tenant, key, _ := m.Credentials()
	if tenant == "" || key == "" {
		return "", errors.New("magentotest: not paired")
	}
	out, _ := magento.DeriveKeys(key)
	iat := m.Now().Unix()
	return magento.Mint(out, magento.Claims{
		Iss: magento.IssuerMagento, Sub: tenant, Aud: magento.IssuerLedger,
		Iat: iat, Nbf: iat, Exp: iat + 60, Jti: uuid.NewString(),
	}), nil
}

// Publish delivers one webhook like the outbox drain: POST
// {ledger}/webhooks/magento/{tenant}/{event} with a fresh token and
// Idempotency-Key "{event}:{id}". ledgerBaseURL "" means the one learnt
// at pairing. err is nil on 2xx and wraps ErrDeadLetter or ErrRetry
// otherwise.
func (m *Magento) Publish(ctx context.Context, ledgerBaseURL, event string, env domain.Envelope) (int, []byte, error) {
	if len(env.Payload) == 0 {
		env.Payload = json.RawMessage(`{}`)
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // JSON_UNESCAPED_SLASHES
	enc.Encode(env)
	key := event + ":" + strconv.FormatInt(env.MagentoEntityID, 10)
	return m.PublishRaw(ctx, ledgerBaseURL, event, key, bytes.TrimSuffix(body.Bytes(), []byte("\n")))
}

// PublishRaw delivers an arbitrary body with the given Idempotency-Key, for
// tests of malformed envelopes and requeued rows.
func (m *Magento) PublishRaw(ctx context.Context, ledgerBaseURL, event, idemKey string, body []byte) (int, []byte, error) {
	tenant, _, _ := m.Credentials()
	path := "/webhooks/magento/" + RawURLEncode(tenant) + "/" + RawURLEncode(event)
	return m.call(ctx, ledgerBaseURL, http.MethodPost, path, body, map[string]string{
		"Content-Type": "application/json", "Idempotency-Key": idemKey,
	})
}

// Health is GET {ledger}/v1/tile/health as the config page makes it.
func (m *Magento) Health(ctx context.Context) (int, []byte, error) {
	return m.call(ctx, "", http.MethodGet, "/v1/tile/health", nil, map[string]string{"Accept": "application/json"})
}

// Disconnect is the admin Disconnect button: POST {ledger}/v1/tenant/disconnect
// with body {} and Idempotency-Key disconnect:<sha1_hex(tenant)>, then the
// local credentials are deleted whatever the answer (base URL kept).
func (m *Magento) Disconnect(ctx context.Context) (int, []byte, error) {
	tenant, _, _ := m.Credentials()
	sum := sha1.Sum([]byte(tenant))
	status, body, err := m.call(ctx, "", http.MethodPost, "/v1/tenant/disconnect", []byte(`{}`), map[string]string{
		"Content-Type": "application/json", "Idempotency-Key": "disconnect:" + hex.EncodeToString(sum[:]),
	})
	m.mu.Lock()
	m.tenantID, m.apiKey = "", ""
	m.mu.Unlock()
	return status, body, err
}

// publisherClient is Magento's curl: 5 s connect, 15 s total, no redirects.
var publisherClient = &http.Client{
	Timeout:       15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (m *Magento) call(ctx context.Context, base, method, path string, body []byte, headers map[string]string) (int, []byte, error) {
	_, _, learnt := m.Credentials()
	if base == "" {
		base = learnt
	}
	token, err := m.OutboundToken()
	if err != nil {
		return 0, nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", ErrRetry, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := publisherClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", ErrRetry, err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 8192))
	switch Classify(resp.StatusCode) {
	case DeadLetter:
		return resp.StatusCode, rb, fmt.Errorf("%w: HTTP %d: %s", ErrDeadLetter, resp.StatusCode, rb)
	case Retry:
		return resp.StatusCode, rb, fmt.Errorf("%w: HTTP %d", ErrRetry, resp.StatusCode)
	}
	return resp.StatusCode, rb, nil
}

// RawURLEncode is PHP's rawurlencode: everything but A-Z a-z 0-9 - _ . ~
// is percent-encoded.
func RawURLEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
