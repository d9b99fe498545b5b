package xero

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/singleflight"
)

// RefreshMargin is how long before expiry a token is refreshed.
const RefreshMargin = 5 * time.Minute

// TokenStore persists one connection's tokens (the caller seals them).
type TokenStore interface {
	Load(ctx context.Context) (*Token, error)
	Save(ctx context.Context, t *Token) error
}

// AccessTokenSource yields a valid access token for each API call.
type AccessTokenSource interface {
	AccessToken(ctx context.Context) (string, error)
}

// TokenRenewer is an AccessTokenSource that can replace a token Xero
// refused as expired before its local expiry (the clocks disagree, or
// Xero ended it early). Client retries such a call once with the renewed
// token: a 401 means Xero did not act on the request.
type TokenRenewer interface {
	AccessTokenSource
	Renew(ctx context.Context, rejected string) (string, error)
}

// refreshes is process-wide so that two TokenSources built for the same
// connection key still refresh once.
var refreshes singleflight.Group

// TokenSource hands out one connection's access token, refreshing it when
// fewer than five minutes remain. However many goroutines need a refresh at
// once, exactly one refresh is made per connection key, and the rotated
// refresh token is saved before the new access token is used.
type TokenSource struct {
	cfg   Config
	store TokenStore
	key   string
}

// NewTokenSource builds the token source for the connection named key.
func NewTokenSource(cfg Config, store TokenStore, key string) *TokenSource {
	return &TokenSource{cfg: cfg, store: store, key: key}
}

// AccessToken returns a token valid for at least RefreshMargin.
func (s *TokenSource) AccessToken(ctx context.Context) (string, error) {
	t, err := s.store.Load(ctx)
	if err != nil {
		return "", fmt.Errorf("xero: load tokens: %w", err)
	}
	if t == nil {
		return "", &AuthError{Op: "token", Code: "no_token", Message: "This connection has no Xero tokens.", reauth: true}
	}
	if !s.expiring(t) {
		return t.AccessToken, nil
	}
	t, err = s.refresh(ctx, s.expiring)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// Renew refreshes because Xero refused the access token rejected as
// expired, unless another caller has already replaced it; it returns the
// token to retry with. However many calls were refused at once, the pair
// is rotated once.
func (s *TokenSource) Renew(ctx context.Context, rejected string) (string, error) {
	stale := func(cur *Token) bool { return cur.AccessToken == rejected }
	// A flight that another caller started for the local expiry may end
	// without refreshing; then this caller starts its own.
	for range 2 {
		t, err := s.refresh(ctx, stale)
		if err != nil {
			return "", err
		}
		if t.AccessToken != rejected {
			return t.AccessToken, nil
		}
	}
	return "", fmt.Errorf("xero: renew: %w", ErrTokenExpired)
}

// KeepAlive refreshes now, whatever the expiry, so an idle connection's
// refresh token never lapses (run daily).
func (s *TokenSource) KeepAlive(ctx context.Context) error {
	_, err := s.refresh(ctx, func(*Token) bool { return true })
	return err
}

// expiring reports a token with less than RefreshMargin left.
func (s *TokenSource) expiring(t *Token) bool {
	return t.Expiry.Sub(s.cfg.now()) <= RefreshMargin
}

// refresh rotates the pair when due says the stored token needs it; the
// flight's leader decides, on the token it re-reads.
func (s *TokenSource) refresh(ctx context.Context, due func(*Token) bool) (*Token, error) {
	v, err, _ := refreshes.Do(s.key, func() (any, error) {
		// Re-read under the flight: a flight that just finished may
		// already have rotated the pair.
		cur, err := s.store.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("xero: load tokens: %w", err)
		}
		if cur == nil || cur.RefreshToken == "" {
			return nil, &AuthError{Op: "refresh", Code: "no_token", Message: "This connection has no Xero refresh token.", reauth: true}
		}
		if !due(cur) {
			return cur, nil
		}
		next, err := s.cfg.refresh(context.WithoutCancel(ctx), cur.RefreshToken)
		if err != nil {
			return nil, err
		}
		if next.AuthEventID == "" {
			next.AuthEventID = cur.AuthEventID
		}
		if next.RefreshToken == "" {
			next.RefreshToken = cur.RefreshToken
		}
		// Commit the rotated refresh token before anyone uses the new
		// access token: the old one dies after Xero's grace period.
		if err := s.store.Save(context.WithoutCancel(ctx), next); err != nil {
			return nil, fmt.Errorf("xero: save rotated tokens: %w", err)
		}
		return next, nil
	})
	if err != nil {
		return nil, err
	}
	t, ok := v.(*Token)
	if !ok {
		return nil, errors.New("xero: refresh returned no token")
	}
	return t, nil
}
