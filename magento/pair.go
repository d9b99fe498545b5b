package magento

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"ledger/domain"
)

// PairPath is the Xero module's pairing route under the Magento base URL.
const PairPath = "/rest/V1/byte8/xero_accounting/setup/pair"

// PairRequest is what ledger sends to pair a store (protocol §2.2).
type PairRequest struct {
	MagentoURL    string // base URL as checked by CheckBaseURL
	Code          string // as typed; normalised before sending
	TenantID      string
	APIKey        string
	LedgerBaseURL string // ledger's public origin (ledger_base_url)

	HTTP         *http.Client // nil: NewHTTPClient(AllowPrivate)
	AllowPrivate bool
}

// Pair posts the pairing request to Magento. 2xx is success; 400 is EInvalid
// quoting Magento; 401 is EUnauthorized (bad, used or expired code); 404 is
// ENotFound (module missing or /index.php/rest needed); anything else,
// including network failures and timeouts, is EUnavailable.
func Pair(ctx context.Context, r PairRequest) error {
	base, _, err := CheckBaseURL(r.MagentoURL, r.AllowPrivate)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{
		"pairing_code":    NormaliseCode(r.Code),
		"tenant_id":       r.TenantID,
		"byte8_api_key":   r.APIKey,
		"ledger_base_url": strings.TrimRight(r.LedgerBaseURL, "/"),
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+PairPath, bytes.NewReader(body))
	if err != nil {
		return invalid(err, "The Magento URL is not usable; check it and try again.")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	hc := r.HTTP
	if hc == nil {
		hc = NewHTTPClient(r.AllowPrivate)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if dialRefused(err) {
			return domain.Wrap(domain.EInvalid, err, "The Magento URL points at a private or local address; use the store's public address (or start ledger with --magento-allow-private).")
		}
		reason := "network error"
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			reason = "timed out"
		}
		return unavailable(&HTTPError{Method: "POST", Path: PairPath, Err: err}, reason)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	herr := &HTTPError{Method: "POST", Path: PairPath, Status: resp.StatusCode, Message: magentoMessage(rb)}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return nil
	case s == http.StatusBadRequest:
		msg := herr.Message
		if msg == "" {
			msg = "bad request"
		}
		return domain.Wrap(domain.EInvalid, herr, "Magento refused the pairing request: %q — check the values and try again.", msg)
	case s == http.StatusUnauthorized:
		return domain.Wrap(domain.EUnauthorized, herr, "Invalid or expired pairing code — generate a new one in Magento.").WithCode("invalid_pairing_code")
	case s == http.StatusNotFound:
		return domain.Wrap(domain.ENotFound, herr, "The Byte8 Xero module is not installed at that URL, or the store needs /index.php/rest — check the Magento base URL.")
	default:
		return unavailable(herr, "HTTP "+strconv.Itoa(s))
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
