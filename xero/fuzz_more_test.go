package xero_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"ledger/xero"
	"ledger/xero/xerotest"
)

// Fuzz targets for every answer ledger reads from Xero: error and problem
// bodies with their rate-limit headers, the OAuth token response, the
// connections list, batch outcomes, pages, amounts and dates. Seeds are
// the OpenAPI examples (testdata/fuzz/<target>) and the tests' bodies.

// answerRT answers every request with one canned response.
type answerRT struct {
	status int
	header http.Header
	body   []byte
}

func (a *answerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	h := a.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	return &http.Response{StatusCode: a.status, Status: strconv.Itoa(a.status) + " " + http.StatusText(a.status),
		Header: h, Body: io.NopCloser(bytes.NewReader(a.body)), Request: r}, nil
}

const fuzzAccessToken = "access-token-never-quoted"

func fuzzClient(rt http.RoundTripper) *xero.Client {
	return xero.NewClient(xero.Config{APIURL: "https://api.xero.test/api.xro/2.0"}, staticToken(fuzzAccessToken), "tenant-1", nil,
		&http.Client{Transport: rt})
}

// FuzzResponseError: every non-2xx answer becomes the typed error its
// status calls for; a 429's wait is never negative and is Retry-After when
// that is a number of seconds; a body that is not JSON is never quoted.
func FuzzResponseError(f *testing.F) {
	f.Add(uint16(100), []byte(`{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"Account code '200' is not a valid code for this document."}]}]}`), "", "", "")
	f.Add(uint16(129), []byte(`{"Title":"Too Many Requests"}`), "60", "minute", "")
	f.Add(uint16(129), []byte(``), "86399", "day", "")
	f.Add(uint16(101), []byte(`{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: token expired at 04/29/2026 10:11:12","Instance":"x"}`), "", "", `Bearer error="invalid_token"`)
	f.Add(uint16(103), []byte(`{"Type":null,"Title":"Forbidden","Status":403,"Detail":"AuthenticationUnsuccessful","Instance":"x"}`), "", "", "")
	f.Add(uint16(103), []byte(`{"Type":null,"Title":"Forbidden","Status":403,"Detail":"The subscription has expired","Instance":"x"}`), "", "", "")
	f.Add(uint16(104), []byte(`{"Title":"Not Found"}`), "", "", "")
	f.Add(uint16(203), []byte("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"), "", "", "")
	f.Add(uint16(2), []byte(`{"error":"unsupported"}`), "", "", "")
	f.Fuzz(func(t *testing.T, code uint16, body []byte, retryAfter, problem, wwwAuth string) {
		status := 300 + int(code)%300
		h := http.Header{}
		for k, v := range map[string]string{"Retry-After": retryAfter, "X-Rate-Limit-Problem": problem, "WWW-Authenticate": wwwAuth} {
			if v != "" {
				h.Set(k, v)
			}
		}
		_, err := fuzzClient(&answerRT{status: status, header: h, body: body}).Accounts(context.Background())
		if err == nil {
			t.Fatalf("HTTP %d: no error", status)
		}
		var (
			rl *xero.RateLimitError
			ae *xero.AuthError
			nf *xero.NotFoundError
			ve *xero.ValidationError
			ue *xero.UnavailableError
			pe *xero.APIError
		)
		switch {
		case status == 429:
			if !errors.As(err, &rl) {
				t.Fatalf("429: %T %v", err, err)
			}
			if rl.RetryAfter < 0 || rl.Reset.Before(time.Now().Add(-time.Minute)) {
				t.Fatalf("429 with Retry-After %q: wait %s, reset %s", retryAfter, rl.RetryAfter, rl.Reset)
			}
			if s, perr := strconv.Atoi(strings.TrimSpace(retryAfter)); perr == nil && s >= 0 && rl.RetryAfter != time.Duration(min(s, 86400))*time.Second {
				t.Fatalf("Retry-After %q read as %s", retryAfter, rl.RetryAfter)
			}
			if want := strings.ToLower(h.Get("X-Rate-Limit-Problem")); want != "" && rl.Problem != want || want == "" && rl.Problem != "minute" {
				t.Fatalf("problem %q read as %q", problem, rl.Problem)
			}
		case status == 401:
			if !errors.Is(err, xero.ErrTokenExpired) && !(errors.As(err, &ae) && errors.Is(err, xero.ErrReauthRequired)) {
				t.Fatalf("%d: %T %v", status, err, err)
			}
		case status == 403: // about the token's rights: renewing it would not help
			if errors.Is(err, xero.ErrTokenExpired) || !(errors.As(err, &ae) && errors.Is(err, xero.ErrReauthRequired)) {
				t.Fatalf("%d: %T %v", status, err, err)
			}
		case status == 404:
			if !errors.As(err, &nf) {
				t.Fatalf("404: %T %v", err, err)
			}
		case status >= 500:
			if !errors.As(err, &ue) || !ue.Sent {
				t.Fatalf("%d: %T %v", status, err, err)
			}
		default:
			if !errors.As(err, &ve) && !errors.As(err, &pe) {
				t.Fatalf("%d: %T %v", status, err, err)
			}
			if ve != nil && status != 400 {
				t.Fatalf("%d read as a validation error", status)
			}
		}
		msg := err.Error()
		if strings.Contains(msg, fuzzAccessToken) {
			t.Fatalf("error quotes the access token: %v", err)
		}
		if !json.Valid(body) && len(body) >= 16 && strings.Contains(msg, string(body)) {
			t.Fatalf("error quotes a non-JSON body: %v", err)
		}
	})
}

// FuzzObserveHeaders: Xero's X-*Limit-Remaining, Retry-After and
// X-Rate-Limit-Problem headers never make the limiter report more than its
// own budget, less than nothing, or more than Xero says is left today.
func FuzzObserveHeaders(f *testing.F) {
	f.Add("4999", "59", "9999", "", "")
	f.Add("0", "0", "0", "86399", "day")
	f.Add("", "", "", "60", "appminute")
	f.Add("-1", "x", "1e3", "-5", "MINUTE")
	f.Add("", "", "", "9999999999", "minute")
	f.Fuzz(func(t *testing.T, day, minute, app, retryAfter, problem string) {
		clock := xerotest.NewClock(time.Date(2026, 4, 29, 12, 0, 0, 0, time.UTC))
		lim := xero.NewLimiter(xero.LimiterConfig{PerMinute: 60, DailyBudget: 5000, App: xero.NewAppLimiter(10000, clock), Clock: clock})
		h := http.Header{}
		for k, v := range map[string]string{"X-DayLimit-Remaining": day, "X-MinLimit-Remaining": minute,
			"X-AppMinLimit-Remaining": app, "Retry-After": retryAfter, "X-Rate-Limit-Problem": problem} {
			if v != "" {
				h.Set(k, v)
			}
		}
		lim.Observe(h)
		got := lim.Remaining()
		if got.DayRemaining < 0 || got.DayRemaining > 5000 || got.MinuteRemaining > 60 || got.AppMinuteRemaining > 10000 {
			t.Fatalf("after %v: %+v", h, got)
		}
		if n, err := strconv.Atoi(day); err == nil && n >= 0 && got.DayRemaining > n {
			t.Fatalf("X-DayLimit-Remaining %d but %d left today", n, got.DayRemaining)
		}
		s, serr := strconv.Atoi(retryAfter)
		if serr == nil && s > 0 && problem == "day" && got.DayRemaining != 0 {
			t.Fatalf("a day-limit 429 left %d calls today", got.DayRemaining)
		}
		// The next call waits out Retry-After (the fake clock jumps).
		start := clock.Now()
		if err := lim.Wait(context.Background()); err != nil {
			return
		}
		lim.Done(nil)
		if serr == nil && s > 0 && problem != "day" && problem != "appminute" && clock.Now().Sub(start) < time.Duration(min(s, 86400))*time.Second {
			t.Fatalf("Retry-After %q: the next call waited %s", retryAfter, clock.Now().Sub(start))
		}
	})
}

// fakeJWT is an unsigned three-part token whose payload is claims.
func fakeJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2ln"
}

// FuzzTokenResponse: the identity server's answer to a code exchange is a
// token whose expiry is now + expires_in (or unknown), or an AuthError /
// UnavailableError that never quotes the tokens in the body.
func FuzzTokenResponse(f *testing.F) {
	access := fakeJWT(`{"nbf":1777457472,"exp":1777459272,"authentication_event_id":"d9ea1a8e-7a4c-4c34-9b2c-3c6f8f5f1d10","xero_userid":"u"}`)
	f.Add(uint16(200), "application/json", []byte(`{"id_token":"x","access_token":"`+access+`","expires_in":1800,"token_type":"Bearer","refresh_token":"refresh-secret-0123456789","scope":"offline_access accounting.transactions"}`))
	f.Add(uint16(200), "application/x-www-form-urlencoded", []byte(`access_token=abc&expires_in=1800&refresh_token=refresh-secret-0123456789&token_type=Bearer`))
	f.Add(uint16(400), "application/json", []byte(`{"error":"invalid_grant"}`))
	f.Add(uint16(401), "application/json", []byte(`{"error":"invalid_client","error_description":"refresh-secret-0123456789"}`))
	f.Add(uint16(503), "text/html", []byte(`<html>down</html>`))
	f.Add(uint16(200), "application/json", []byte(`{"access_token":"a","expires_in":"99999999999999999999"}`))
	now := time.Date(2026, 4, 29, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, code uint16, contentType string, body []byte) {
		status := 200 + int(code)%400
		rt := &answerRT{status: status, header: http.Header{"Content-Type": {contentType}}, body: body}
		cfg := xero.Config{ClientID: "id", ClientSecret: "secret", TokenURL: "https://identity.xero.test/connect/token",
			HTTPClient: &http.Client{Transport: rt}, Now: func() time.Time { return now }}
		tok, err := cfg.Exchange(context.Background(), "code", "verifier")
		if err != nil {
			var ae *xero.AuthError
			var ue *xero.UnavailableError
			if !errors.As(err, &ae) && !errors.As(err, &ue) {
				t.Fatalf("%T %v", err, err)
			}
			// Only Xero's invalid_grant asks the merchant to connect again;
			// any other 5xx is a passing outage.
			if errors.Is(err, xero.ErrReauthRequired) && !bytes.Contains(body, []byte("invalid_grant")) {
				t.Fatalf("%d %q read as needing a new consent: %v", status, body, err)
			}
			if status >= 500 && ae != nil && !bytes.Contains(body, []byte("invalid_grant")) {
				t.Fatalf("%d read as an auth refusal: %v", status, err)
			}
			for _, secret := range []string{"refresh-secret-0123456789", access} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error quotes a token: %v", err)
				}
			}
			return
		}
		if tok.AccessToken == "" {
			t.Fatal("token without an access token")
		}
		if !tok.Expiry.IsZero() && !tok.Expiry.After(now) {
			t.Fatalf("token expires %s, before now %s", tok.Expiry, now)
		}
		if tok.AuthEventID != xero.AuthEventID(tok.AccessToken) {
			t.Fatalf("auth event %q", tok.AuthEventID)
		}
		if s := tok.String(); strings.Contains(s, tok.AccessToken) || tok.RefreshToken != "" && strings.Contains(s, tok.RefreshToken) {
			t.Fatalf("String() prints a secret: %s", s)
		}
	})
}

// FuzzAuthEventID: the claim is read back from any token carrying it, and
// any string at all is read without a panic.
func FuzzAuthEventID(f *testing.F) {
	f.Add("d9ea1a8e-7a4c-4c34-9b2c-3c6f8f5f1d10", "")
	f.Add("", "a.b.c")
	f.Add("x", "eyJ9.eyJhdXRoZW50aWNhdGlvbl9ldmVudF9pZCI6MX0.x")
	f.Fuzz(func(t *testing.T, claim, raw string) {
		xero.AuthEventID(raw)
		b, _ := json.Marshal(map[string]string{"authentication_event_id": claim})
		var want struct {
			ID string `json:"authentication_event_id"`
		}
		json.Unmarshal(b, &want)
		if got := xero.AuthEventID(fakeJWT(string(b))); got != want.ID {
			t.Fatalf("AuthEventID of a token with claim %q = %q", want.ID, got)
		}
	})
}

// FuzzConnections: GET /connections answers are a list that re-encodes to
// itself, or a DecodeError.
func FuzzConnections(f *testing.F) {
	f.Add([]byte(`[ { "id": "7cb59f93-2964-421d-bb5e-a0f7a4572a44", "tenantId": "fe79f7dd-b6d4-4a92-ba7b-538af6289c58", "tenantName": "Demo Company (NZ)", "tenantType": "ORGANISATION", "createdDateUtc": "2019-12-07T18:46:19.5165400", "updatedDateUtc": "2019-12-07T18:46:19.5187840" } ]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"id":"x","createdDateUtc":"/Date(1518685950940+0000)/","authEventId":"e"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cfg := xero.Config{ConnectionsURL: "https://api.xero.test/connections", HTTPClient: &http.Client{Transport: &answerRT{status: 200, body: body}}}
		conns, err := cfg.Connections(context.Background(), "opaque-token")
		if err != nil {
			var de *xero.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		b, err := json.Marshal(conns)
		if err != nil {
			t.Fatal(err)
		}
		var again []xero.Connection
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("re-decode %s: %v", b, err)
		}
		if diff := cmp.Diff(conns, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}

// FuzzMoney: an amount Xero sends is read exactly as its decimal text, and
// what ledger writes back reads as the same amount.
func FuzzMoney(f *testing.F) {
	for _, s := range []string{"12.30", "0.1", `"27.60"`, "-0.005", "1e2", "1E-3", "null", "40.0", "123456789012345678901234567890.123456789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var v struct{ Amount xero.Money }
		if json.Unmarshal([]byte(`{"Amount":`+text+`}`), &v) != nil {
			return
		}
		raw := strings.TrimSpace(text)
		if raw != "null" {
			if s, err := strconv.Unquote(raw); err == nil {
				raw = s
			}
			want, err := decimal.NewFromString(raw)
			if err != nil || !want.Equal(v.Amount.Decimal) {
				t.Fatalf("%s read as %s, want %s (%v)", text, v.Amount, want, err)
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encode %s: %v", v.Amount, err)
		}
		var again struct{ Amount xero.Money }
		if err := json.Unmarshal(b, &again); err != nil || !again.Amount.Equal(v.Amount.Decimal) {
			t.Fatalf("%s → %s → %s (%v)", text, b, again.Amount, err)
		}
	})
}

var ymd = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// FuzzDateOnly: every Xero date form reduces to YYYY-MM-DD, idempotently.
func FuzzDateOnly(f *testing.F) {
	for _, s := range []string{"/Date(1518685950940+0000)/", "2026-04-29T10:11:12.5165400", "2026-04-29", "2026-04-29T23:30:00-02:00", "", "/Date(-62135596800000)/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := xero.DateOnly(s)
		if err != nil || s == "" {
			return
		}
		if !ymd.MatchString(d) {
			t.Fatalf("DateOnly(%q) = %q", s, d)
		}
		if again, err := xero.DateOnly(d); err != nil || again != d {
			t.Fatalf("DateOnly(%q) = %q, then %q, %v", s, d, again, err)
		}
	})
}

// batch is every element list a batch write answers with.
type batch struct {
	Contacts    []xero.Contact
	Invoices    []xero.Invoice
	Payments    []xero.Payment
	CreditNotes []xero.CreditNote
	Allocations []xero.Allocation
}

// checkOutcome: an element's Err is nil exactly when Xero marked nothing
// wrong, and otherwise a ValidationError at index i quoting every message.
func checkOutcome(t *testing.T, i int, failed bool, ves []xero.ValidationMessage, err error) {
	t.Helper()
	if (err == nil) != (!failed && len(ves) == 0) {
		t.Fatalf("element %d (failed %v, %d messages): Err = %v", i, failed, len(ves), err)
	}
	if err == nil {
		return
	}
	var ve *xero.ValidationError
	if !errors.As(err, &ve) || len(ve.Elements) != 1 || ve.Elements[0].Index != i {
		t.Fatalf("element %d: %T %v", i, err, err)
	}
	var want []string
	for _, v := range ves {
		want = append(want, v.Message)
	}
	if len(want) == 0 {
		want = []string{"Xero rejected this element without a message."}
	}
	if diff := cmp.Diff(want, ve.Messages()); diff != "" {
		t.Fatalf("element %d messages (-want +got):\n%s", i, diff)
	}
}

// zeroTime: Xero's "" and null dates both mean no date.
func zeroTime(t *xero.Time) bool { return t == nil || t.IsZero() }

// FuzzBatchOutcome: batch write answers (summarizeErrors=false) decode,
// each element's validation errors become its typed error, and the
// elements re-encode to what was read.
func FuzzBatchOutcome(f *testing.F) {
	f.Add([]byte(`{"Invoices":[{"InvoiceID":"x","HasErrors":true,"StatusAttributeString":"ERROR","ValidationErrors":[{"Message":"Invoice not of valid status for modification"}],"Total":12.30}]}`))
	f.Add([]byte(`{"Payments":[{"PaymentID":"p","Amount":27.6,"StatusAttributeString":"OK","Date":"/Date(1518685950940+0000)/"},{"HasValidationErrors":true}]}`))
	f.Add([]byte(`{"Allocations":[{"Amount":1.0,"Date":"2026-04-29","StatusAttributeString":"ERROR"}],"CreditNotes":[{"HasErrors":false,"ValidationErrors":[]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var b batch
		if json.Unmarshal(body, &b) != nil {
			return
		}
		for i, v := range b.Contacts {
			checkOutcome(t, i, v.HasValidationErrors || v.StatusAttributeString == "ERROR", v.ValidationErrors, v.Err(i))
		}
		for i, v := range b.Invoices {
			checkOutcome(t, i, v.HasErrors || v.StatusAttributeString == "ERROR", v.ValidationErrors, v.Err(i))
		}
		for i, v := range b.Payments {
			checkOutcome(t, i, v.HasValidationErrors || v.StatusAttributeString == "ERROR", v.ValidationErrors, v.Err(i))
		}
		for i, v := range b.CreditNotes {
			checkOutcome(t, i, v.HasErrors || v.StatusAttributeString == "ERROR", v.ValidationErrors, v.Err(i))
		}
		for i, v := range b.Allocations {
			checkOutcome(t, i, v.StatusAttributeString == "ERROR", v.ValidationErrors, v.Err(i))
		}
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var again batch
		if err := json.Unmarshal(enc, &again); err != nil {
			t.Fatalf("re-decode %s: %v", enc, err)
		}
		if diff := cmp.Diff(b, again, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b xero.Money) bool { return a.Equal(b.Decimal) }),
			cmp.Comparer(func(a, b *xero.Time) bool {
				return a == nil && b == nil || zeroTime(a) && zeroTime(b) || a != nil && b != nil && a.Equal(b.Time)
			})); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}

// FuzzLookupPage: a filtered look-up reads whatever page Xero answers
// without a panic: elements, a DecodeError, or TooManyPagesError when every
// page is full.
func FuzzLookupPage(f *testing.F) {
	f.Add([]byte(`{"Contacts":[{"ContactID":"c","ContactNumber":"C-1","Name":"Jo"}],"pagination":{"page":1,"pageSize":100,"pageCount":1,"itemCount":1}}`))
	f.Add([]byte(`{"contacts":[],"Pagination":{"pageCount":"x"}}`))
	f.Add([]byte(`{"Id":"x","Status":"OK","Contacts":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cs, err := fuzzClient(&answerRT{status: 200, body: body}).ContactsByNumber(context.Background(), []string{"C-1"})
		if err != nil {
			var de *xero.DecodeError
			var tm *xero.TooManyPagesError
			if !errors.As(err, &de) && !errors.As(err, &tm) {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		if len(cs) > xero.PageSize*xero.MaxPages {
			t.Fatalf("%d contacts", len(cs))
		}
	})
}

// TestMoneyRefusesHugeExponent: found by FuzzMoney — "1E5101000" decoded,
// and printing it back took seconds and megabytes (1e999999999: minutes and
// gigabytes). Amounts with an absurd exponent are refused as unreadable.
func TestMoneyRefusesHugeExponent(t *testing.T) {
	for _, text := range []string{"1E5101000", "1e999999999", `"1e-999999999"`, "0e999999999"} {
		var v struct{ Amount xero.Money }
		if err := json.Unmarshal([]byte(`{"Amount":`+text+`}`), &v); err == nil {
			t.Errorf("%s decoded as an amount", text)
		}
	}
	for _, text := range []string{"12.30", "1E-4", "123456789012345678901234567890.1234"} {
		var v struct{ Amount xero.Money }
		if err := json.Unmarshal([]byte(`{"Amount":`+text+`}`), &v); err != nil {
			t.Errorf("%s refused: %v", text, err)
		}
	}
}

// TestRetryAfterBeyondADay: a Retry-After of more seconds than a
// time.Duration holds wrapped to a negative wait (retry at once); Xero's
// longest wait is the day limit's, so any longer one reads as a day.
func TestRetryAfterBeyondADay(t *testing.T) {
	for _, ra := range []string{"9999999999", "9223372036854775807", "86401"} {
		_, err := fuzzClient(&answerRT{status: 429, header: http.Header{"Retry-After": {ra}, "X-Rate-Limit-Problem": {"day"}}}).Accounts(context.Background())
		var rl *xero.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != 24*time.Hour {
			t.Errorf("Retry-After %s: %v, want a wait of 24h", ra, err)
		}
	}
}

// reference is every reference list a connect reads.
type reference struct {
	Organisation       xero.Organisation
	Accounts           []xero.Account
	TaxRates           []xero.TaxRate
	BrandingThemes     []xero.BrandingTheme
	TrackingCategories []xero.TrackingCategory
	Currencies         []xero.Currency
}

// FuzzReferenceData: the reference lists (organisation, accounts, tax
// rates, branding themes, tracking categories, currencies) read from any
// answer are what was sent, re-encoded, or a DecodeError; an answer with
// no organisation is a DecodeError, never an empty organisation.
func FuzzReferenceData(f *testing.F) {
	f.Add([]byte(`{"Organisations":[{"OrganisationID":"o","Name":"Demo","BaseCurrency":"GBP","CreatedDateUTC":"/Date(1518685950940+0000)/"}]}`))
	f.Add([]byte(`{"TaxRates":[{"Name":"20% (VAT on Income)","TaxType":"OUTPUT2","Status":"ACTIVE","EffectiveRate":20.0000,"DisplayTaxRate":"20.0"}]}`))
	f.Add([]byte(`{"Accounts":[{"AccountID":"a","Code":"200","Type":"REVENUE","UpdatedDateUTC":""}],"Currencies":[{"Code":"GBP"}],"TrackingCategories":[{"Options":[{}]}],"BrandingThemes":[{"SortOrder":1}]}`))
	f.Add([]byte(`{"Organisations":[]}`))
	timeCmp := cmp.Comparer(func(a, b *xero.Time) bool {
		return zeroTime(a) && zeroTime(b) || a != nil && b != nil && a.Equal(b.Time)
	})
	moneyCmp := cmp.Comparer(func(a, b xero.Money) bool { return a.Equal(b.Decimal) })
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(&answerRT{status: 200, body: body})
		ctx := context.Background()
		var got reference
		var errs []error
		var err error
		got.Organisation, err = c.Organisation(ctx)
		errs = append(errs, err)
		got.Accounts, err = c.Accounts(ctx)
		errs = append(errs, err)
		got.TaxRates, err = c.TaxRates(ctx)
		errs = append(errs, err)
		got.BrandingThemes, err = c.BrandingThemes(ctx)
		errs = append(errs, err)
		got.TrackingCategories, err = c.TrackingCategories(ctx)
		errs = append(errs, err)
		got.Currencies, err = c.Currencies(ctx)
		errs = append(errs, err)
		for i, err := range errs {
			var de *xero.DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Fatalf("call %d: %T %v", i, err, err)
			}
			if err != nil {
				return
			}
		}
		if got.Organisation == (xero.Organisation{}) && !bytes.Contains(bytes.ToLower(body), []byte("organisations")) {
			t.Fatalf("an empty organisation from %q", body)
		}
		enc, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var again reference
		if err := json.Unmarshal(enc, &again); err != nil {
			t.Fatalf("re-decode %s: %v", enc, err)
		}
		if diff := cmp.Diff(got, again, cmpopts.EquateEmpty(), timeCmp, moneyCmp); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}
