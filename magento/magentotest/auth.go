package magentotest

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"ledger/magento"
)

var bearerRE = regexp.MustCompile(`(?i)^bearer\s+([^\s.]+\.[^\s.]+\.[^\s.]+)$`)

// authenticate applies Magento's JwtUserContext and Verifier rules (protocol
// §3.4) and returns the token's jti. Any failure means 401.
func (m *Magento) authenticate(r *http.Request) (string, error) {
	match := bearerRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if match == nil {
		return "", errors.New("no three-segment bearer token")
	}
	tok, err := magento.ParseToken(match[1])
	if err != nil {
		return "", err
	}
	// The gate: only tokens that claim to be ledger's are handled at all.
	if tok.String("iss") != magento.IssuerLedger || tok.String("aud") != magento.IssuerMagento {
		return "", errors.New("not a ledger token (iss/aud gate); falls through to core auth")
	}
	jti := tok.String("jti")
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.revoked {
		return jti, errors.New("token revoked by test")
	}
	if m.tenantID == "" || m.apiKey == "" {
		return jti, errors.New("not connected")
	}
	if tok.StringHeader("alg") != "HS256" || tok.StringHeader("typ") != "JWT" {
		return jti, errors.New("header alg/typ")
	}
	_, inbound := magento.DeriveKeys(m.apiKey)
	if err := tok.CheckSignature(inbound); err != nil {
		return jti, err
	}
	c, err := tok.Claims()
	if err != nil {
		return jti, err
	}
	now := m.now().Unix()
	switch {
	case c.Iss != magento.IssuerLedger || c.Aud != magento.IssuerMagento:
		return jti, errors.New("iss/aud")
	case c.Sub != m.tenantID:
		return jti, fmt.Errorf("sub %q is not the stored tenant", c.Sub)
	case c.Iat > now+30:
		return jti, errors.New("iat in the future")
	case c.Nbf > now:
		return jti, errors.New("nbf in the future (no leeway)")
	case c.Exp <= now:
		return jti, errors.New("expired")
	case c.Exp-c.Iat > 300:
		return jti, errors.New("lifetime over 300 s")
	case c.Jti == "":
		return jti, errors.New("jti missing")
	}
	sum := sha1.Sum([]byte(c.Jti))
	key := "byte8_jti:" + hex.EncodeToString(sum[:])
	if exp, ok := m.jtis[key]; ok && exp > now {
		return jti, errors.New("jti replayed")
	}
	m.jtis[key] = now + max(1, c.Exp-now)
	return jti, nil
}
