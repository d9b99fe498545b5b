package magento

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Token roles (protocol §3.2).
const (
	IssuerMagento = "magento"      // iss of Magento → ledger tokens; aud of ledger → Magento tokens
	IssuerLedger  = "byte8-ledger" // iss of ledger → Magento tokens; aud of Magento → ledger tokens

	// MaxTokenLifetime is the longest exp − iat either side accepts.
	MaxTokenLifetime = 300 * time.Second
	// InboundBackdate is how far ledger backdates iat/nbf: Magento allows no
	// skew on nbf.
	InboundBackdate = 10 * time.Second
)

// headerJSON is the only header either side emits or accepts.
const headerJSON = `{"alg":"HS256","typ":"JWT"}`

var headerB64 = base64.RawURLEncoding.EncodeToString([]byte(headerJSON))

// Claims are the seven claims of a Byte8 token, in the order Magento emits
// them. There are no custom claims.
type Claims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Aud string `json:"aud"`
	Iat int64  `json:"iat"`
	Nbf int64  `json:"nbf"`
	Exp int64  `json:"exp"`
	Jti string `json:"jti"`
}

// Mint returns the compact HS256 token of c signed with key: the fixed
// header, compact claims JSON in Magento's key order, unpadded base64url.
func Mint(key []byte, c Claims) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // PHP: JSON_UNESCAPED_SLASHES, no HTML escaping
	if err := enc.Encode(c); err != nil {
		panic("magento: encode claims: " + err.Error()) // strings and ints only
	}
	payload := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	signed := headerB64 + "." + base64.RawURLEncoding.EncodeToString(payload)
	return signed + "." + base64.RawURLEncoding.EncodeToString(sign(key, signed))
}

func sign(key []byte, signed string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// InboundClaims are the claims of a ledger → Magento token minted at now
// (protocol §3.4): iat = nbf = now − 10 s, exp = iat + 300, fresh UUID jti.
func InboundClaims(tenantID string, now time.Time) Claims {
	iat := now.Add(-InboundBackdate).Unix()
	return Claims{
		Iss: IssuerLedger, Sub: tenantID, Aud: IssuerMagento,
		Iat: iat, Nbf: iat, Exp: iat + int64(MaxTokenLifetime/time.Second),
		Jti: uuid.NewString(),
	}
}

// MintInbound mints a fresh ledger → Magento token with the tenant's inbound
// key. Call it for every HTTP attempt: Magento burns each jti.
func MintInbound(inboundKey []byte, tenantID string, now time.Time) string {
	return Mint(inboundKey, InboundClaims(tenantID, now))
}

// Token is a compact JWT split into its parts, decoded but not verified.
type Token struct {
	Signed    string                     // header_b64 "." claims_b64
	Signature []byte                     // raw HMAC bytes
	Header    map[string]json.RawMessage // decoded header
	Raw       map[string]json.RawMessage // decoded claims, each value as sent
}

// Reasons a token is refused. They are for logs; callers show a user-safe
// message instead.
var (
	ErrTokenMalformed = errors.New("jwt: malformed token")
	ErrTokenHeader    = errors.New("jwt: header is not exactly alg HS256, typ JWT")
	ErrTokenSignature = errors.New("jwt: bad signature")
	ErrTokenClaims    = errors.New("jwt: bad claims")
	ErrTokenExpired   = errors.New("jwt: expired")
	ErrTokenNotYet    = errors.New("jwt: not valid yet")
	ErrTokenLifetime  = errors.New("jwt: lifetime over 300 s")
	ErrTokenReplayed  = errors.New("jwt: jti already used")
)

// ParseToken splits and decodes a compact token without checking its
// signature or claims. It refuses anything that is not three unpadded
// base64url segments with a JSON object header and claims set.
func ParseToken(token string) (*Token, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return nil, fmt.Errorf("%w: want 3 non-empty segments, got %d", ErrTokenMalformed, len(parts))
	}
	t := &Token{Signed: parts[0] + "." + parts[1]}
	var err error
	if t.Header, err = decodeSegment(parts[0]); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrTokenMalformed, err)
	}
	if t.Raw, err = decodeSegment(parts[1]); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrTokenMalformed, err)
	}
	if t.Signature, err = base64.RawURLEncoding.Strict().DecodeString(parts[2]); err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrTokenMalformed, err)
	}
	return t, nil
}

func decodeSegment(s string) (map[string]json.RawMessage, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// CheckHeader reports whether the header is exactly {"alg":"HS256","typ":"JWT"}
// (no other keys, both values JSON strings).
func (t *Token) CheckHeader() error {
	if len(t.Header) != 2 || t.StringHeader("alg") != "HS256" || t.StringHeader("typ") != "JWT" {
		return ErrTokenHeader
	}
	return nil
}

// StringHeader returns a header value if it is a JSON string, else "".
func (t *Token) StringHeader(name string) string { return rawString(t.Header[name]) }

// CheckSignature compares the HMAC-SHA256 of the signed part under key in
// constant time.
func (t *Token) CheckSignature(key []byte) error {
	if len(key) == 0 || !hmac.Equal(sign(key, t.Signed), t.Signature) {
		return ErrTokenSignature
	}
	return nil
}

// String returns a claim if it is a JSON string, else "".
func (t *Token) String(name string) string { return rawString(t.Raw[name]) }

// Int returns a claim that is a JSON integer (no fraction, no exponent, not a
// string). ok is false for anything else, including absence.
func (t *Token) Int(name string) (v int64, ok bool) { return rawInt(t.Raw[name]) }

// rawInt decodes a JSON integer (no fraction, no exponent, not a string).
func rawInt(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.ContainsAny(raw, ".eE\"") {
		return 0, false
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	return v, err == nil
}

// Claims returns the typed claims; integer claims must be JSON integers and
// string claims JSON strings.
func (t *Token) Claims() (*Claims, error) {
	c := &Claims{Iss: t.String("iss"), Sub: t.String("sub"), Aud: t.String("aud"), Jti: t.String("jti")}
	var ok1, ok2, ok3 bool
	c.Iat, ok1 = t.Int("iat")
	c.Nbf, ok2 = t.Int("nbf")
	c.Exp, ok3 = t.Int("exp")
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("%w: iat, nbf and exp must be JSON integers", ErrTokenClaims)
	}
	return c, nil
}

func rawString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}
