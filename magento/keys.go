package magento

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/google/uuid"
)

// HKDF info strings of protocol §3.1. Changing either needs a coordinated
// "-v2" rotation on both sides.
const (
	infoOutbound = "byte8-magento-outbound-v1"
	infoInbound  = "byte8-magento-inbound-v1"
	// APIKeyPrefix is the prefix of every api key ledger issues.
	APIKeyPrefix = "byte8_lk_"
)

// DeriveKeys returns the two 32-byte HMAC subkeys of an api key (protocol
// §3.1): outbound signs Magento → ledger tokens, inbound signs ledger →
// Magento tokens. The api key is used exactly as delivered.
func DeriveKeys(apiKey string) (outbound, inbound []byte) {
	return derive(apiKey, infoOutbound), derive(apiKey, infoInbound)
}

func derive(apiKey, info string) []byte {
	k, err := hkdf.Key(sha256.New, []byte(apiKey), nil, info, 32)
	if err != nil { // only possible for absurd lengths
		panic("magento: hkdf: " + err.Error())
	}
	return k
}

// NewAPIKey returns a fresh api key: "byte8_lk_" + base64url(32 random bytes).
func NewAPIKey() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics on failure since Go 1.24)
	return APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// NewTenantID returns a fresh UUIDv4 tenant id.
func NewTenantID() string { return uuid.NewString() }

// NormaliseCode trims and lowercases a pairing code as the merchant typed it;
// Magento hashes exactly what it receives (protocol §2.2).
func NormaliseCode(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
