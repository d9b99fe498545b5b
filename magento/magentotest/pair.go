package magentotest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// PairingTTL is how long a generated code stays valid, in seconds.
const PairingTTL = 1800

// GeneratePairingCode issues a fresh 32-hex pairing code, replacing (and so
// killing) any earlier one, exactly like the admin button.
func (m *Magento) GeneratePairingCode() string {
	b := make([]byte, 16)
	rand.Read(b)
	code := hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(code))
	m.mu.Lock()
	m.codeHash, m.codeIssuedAt = hex.EncodeToString(sum[:]), m.now().Unix()
	m.mu.Unlock()
	return code
}

var ledgerURLRE = regexp.MustCompile(`^https?://[^/]+`)

// pair is POST /rest/V1/byte8/xero_accounting/setup/pair with Magento's
// validation order (protocol §2.3).
func (m *Magento) pair(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body == nil {
		writeError(w, http.StatusBadRequest, "Decoding error: body is not a JSON object.", nil)
		return
	}
	fields := [][2]string{{"pairing_code", "pairingCode"}, {"tenant_id", "tenantId"}, {"byte8_api_key", "byte8ApiKey"}, {"ledger_base_url", "ledgerBaseUrl"}}
	vals := make([]string, len(fields))
	for i, f := range fields {
		raw, ok := lookup(body, f[0], f[1])
		if !ok {
			writeError(w, http.StatusBadRequest, `"%fieldName" is required. Enter and try again.`, map[string]string{"fieldName": f[1]})
			return
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			writeError(w, http.StatusBadRequest, `The "%value" value's type is invalid. The "string" type was expected. Verify and try again.`, map[string]string{"value": string(raw)})
			return
		}
		vals[i] = strings.TrimSpace(s)
	}
	code, tenant, key, base := vals[0], vals[1], vals[2], strings.TrimRight(vals[3], "/")
	if code == "" || tenant == "" || key == "" || base == "" {
		writeError(w, http.StatusBadRequest, "pairing_code, tenant_id, byte8_api_key and ledger_base_url are all required.", nil)
		return
	}
	if !ledgerURLRE.MatchString(base) {
		writeError(w, http.StatusBadRequest, "ledger_base_url must be an absolute http(s) URL.", nil)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	sum := sha256.Sum256([]byte(code))
	got := hex.EncodeToString(sum[:])
	switch {
	case m.codeHash == "" || m.codeIssuedAt == 0, // nothing pending
		m.now().Unix()-m.codeIssuedAt > PairingTTL,                       // expired
		subtle.ConstantTimeCompare([]byte(got), []byte(m.codeHash)) != 1: // wrong code
		m.mu.Unlock()
		writeError(w, http.StatusUnauthorized, "Invalid or expired pairing code.", nil)
		m.mu.Lock()
		return
	}
	m.tenantID, m.apiKey, m.ledgerBaseURL = tenant, key, base
	m.codeHash, m.codeIssuedAt = "", 0 // burnt
	writeJSON(w, http.StatusOK, []byte(`[]`))
}

// lookup finds a body key by its snake_case or camelCase spelling.
func lookup(body map[string]json.RawMessage, snake, camel string) (json.RawMessage, bool) {
	if v, ok := body[snake]; ok && string(v) != "null" {
		return v, true
	}
	v, ok := body[camel]
	return v, ok && string(v) != "null"
}
