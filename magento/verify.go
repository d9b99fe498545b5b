package magento

import (
	"errors"
	"fmt"
	"time"

	"ledger/domain"
)

// DefaultLeeway is the clock skew tolerated on Magento's iat, nbf and exp:
// merchant hosts drift.
const DefaultLeeway = 60 * time.Second

var errReplayFull = errors.New("jwt: replay cache full")

// Verifier checks Magento → ledger tokens (protocol §3.3). The zero value
// uses time.Now, DefaultLeeway and no replay cache; production sets Replay.
type Verifier struct {
	Now    func() time.Time
	Leeway time.Duration // 0 means DefaultLeeway; negative means none
	Replay *ReplayCache
}

// unauthorized is the user-safe refusal; the reason stays in Err for logs.
func unauthorized(reason error) *domain.Error {
	return domain.Wrap(domain.EUnauthorized, reason,
		"The request's token was refused; if this persists, re-pair the Magento store with a new pairing code.").
		WithCode("invalid_token")
}

// UnverifiedSubject returns the sub claim of a well-formed token without
// checking anything else, to find the tenant for routes with no tenant in
// the path. Verify with that tenant's key before trusting it.
func UnverifiedSubject(token string) (string, error) {
	t, err := ParseToken(token)
	if err != nil {
		return "", unauthorized(err)
	}
	sub := t.String("sub")
	if sub == "" {
		return "", unauthorized(fmt.Errorf("%w: sub missing", ErrTokenClaims))
	}
	return sub, nil
}

// Verify checks token against the tenant's outbound key: exact header,
// constant-time signature, iss=magento, aud=byte8-ledger, sub=tenantID,
// integer times within leeway, exp − iat ≤ 300, and a single-use jti. Every
// refusal is a *domain.Error of kind EUnauthorized whose message holds no
// secret; a full replay cache is EUnavailable (retryable).
func (v *Verifier) Verify(token string, key []byte, tenantID string) (*Claims, error) {
	t, err := ParseToken(token)
	if err != nil {
		return nil, unauthorized(err)
	}
	if err := t.CheckHeader(); err != nil {
		return nil, unauthorized(err)
	}
	if err := t.CheckSignature(key); err != nil {
		return nil, unauthorized(err)
	}
	c, err := t.Claims()
	if err != nil {
		return nil, unauthorized(err)
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	if err := v.checkClaims(c, tenantID, now.Unix()); err != nil {
		return nil, unauthorized(err)
	}
	if v.Replay != nil {
		switch err := v.Replay.Use(tenantID+"\x00"+c.Jti, now); {
		case errors.Is(err, errReplayFull):
			return nil, domain.Wrap(domain.EUnavailable, err, "ledger is busy; Magento will retry this delivery.")
		case err != nil:
			return nil, unauthorized(err)
		}
	}
	return c, nil
}

func (v *Verifier) checkClaims(c *Claims, tenantID string, now int64) error {
	leeway := v.Leeway
	if leeway == 0 {
		leeway = DefaultLeeway
	} else if leeway < 0 {
		leeway = 0
	}
	l := int64(leeway / time.Second)
	switch {
	case c.Iss != IssuerMagento:
		return fmt.Errorf("%w: iss %q", ErrTokenClaims, c.Iss)
	case c.Aud != IssuerLedger:
		return fmt.Errorf("%w: aud is not %q", ErrTokenClaims, IssuerLedger)
	case tenantID == "" || c.Sub != tenantID:
		return fmt.Errorf("%w: sub does not match the tenant", ErrTokenClaims)
	case c.Jti == "":
		return fmt.Errorf("%w: jti missing", ErrTokenClaims)
	case c.Exp <= c.Iat:
		return fmt.Errorf("%w: exp not after iat", ErrTokenClaims)
	case uint64(c.Exp)-uint64(c.Iat) > uint64(MaxTokenLifetime/time.Second): // exact once exp > iat; int64 subtraction can wrap
		return ErrTokenLifetime
	case c.Iat > now+l || c.Nbf > now+l:
		return ErrTokenNotYet
	case c.Exp <= now-l:
		return ErrTokenExpired
	}
	return nil
}
