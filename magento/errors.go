package magento

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"ledger/domain"
)

// Sentinels callers test with errors.Is; they sit inside *domain.Error
// values that carry the user-safe message.
var (
	// ErrTokenRevoked: Magento answered 401 to ledger's token. The caller
	// sets magento_connection_status = token_revoked.
	ErrTokenRevoked = errors.New("magento: token refused (401)")
	// ErrNotSupported: the module is too old for the route (404 on
	// /payment-methods); fall back to free text.
	ErrNotSupported = errors.New("magento: route not supported by this module version")
)

// HTTPError is the internal detail of a failed Magento call, for logs.
type HTTPError struct {
	Method, Path string
	Status       int    // 0 for a transport failure
	Message      string // Magento's rendered message, if any
	Err          error  // transport error
}

func (e *HTTPError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("magento: %s %s: %v", e.Method, e.Path, e.Err)
	}
	return fmt.Sprintf("magento: %s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Message)
}

func (e *HTTPError) Unwrap() error { return e.Err }

// magentoMessage renders Magento's {"message":…,"parameters":…} error body,
// substituting %name or %1 placeholders; "" when the body has no message.
func magentoMessage(body []byte) string {
	var b struct {
		Message    string          `json:"message"`
		Parameters json.RawMessage `json:"parameters"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	msg := b.Message
	var named map[string]any
	var list []any
	if json.Unmarshal(b.Parameters, &named) == nil {
		for k, v := range named {
			msg = strings.ReplaceAll(msg, "%"+k, fmt.Sprint(v))
		}
	} else if json.Unmarshal(b.Parameters, &list) == nil {
		for i := len(list) - 1; i >= 0; i-- {
			msg = strings.ReplaceAll(msg, fmt.Sprintf("%%%d", i+1), fmt.Sprint(list[i]))
		}
	}
	return truncate(strings.TrimSpace(msg), 300)
}

func unavailable(err error, what string) *domain.Error {
	return domain.Wrap(domain.EUnavailable, err,
		"Magento could not be reached (%s) — check the URL and try again.", what)
}
