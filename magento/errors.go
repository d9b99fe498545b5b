package magento

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
	values := map[string]string{}
	var named map[string]any
	var list []any
	if json.Unmarshal(b.Parameters, &named) == nil {
		for k, v := range named {
			values["%"+k] = fmt.Sprint(v)
		}
	} else if json.Unmarshal(b.Parameters, &list) == nil {
		for i, v := range list {
			values["%"+strconv.Itoa(i+1)] = fmt.Sprint(v)
		}
	}
	return truncate(strings.TrimSpace(placeholders(values).Replace(b.Message)), 300)
}

// placeholders substitutes as Magento's Placeholder renderer (PHP strtr)
// does: one pass, the longest placeholder wins where several match
// ("%fieldValue" before "%field"), substituted text is not substituted
// again. A Replacer tries its pairs in argument order, so longest first.
func placeholders(values map[string]string) *strings.Replacer {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, values[k])
	}
	return strings.NewReplacer(pairs...)
}

func unavailable(err error, what string) *domain.Error {
	return domain.Wrap(domain.EUnavailable, err,
		"Magento could not be reached (%s) — check the URL and try again.", what)
}
