package magento_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
)

// Fuzz targets for every answer ledger reads from a Magento store (credit
// memo, customer, payment, payment methods, ping, pairing, error bodies)
// and the pairing form's URL and code. Seeds are the fixtures' wire bodies;
// testdata/fuzz/<target> adds the Adobe sample bodies.

// answerRT is an http.RoundTripper that answers every request with one
// canned response, so the client's own parsing is fuzzed without a socket.
type answerRT struct {
	status int
	header http.Header
	body   []byte
	got    []byte // the last request body
}

func (a *answerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		a.got, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	h := a.header
	if h == nil {
		h = http.Header{"Content-Type": {"application/json"}}
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(bytes.NewReader(a.body)), Request: r}, nil
}

func fuzzClient(t *testing.T, rt http.RoundTripper) *magento.Client {
	t.Helper()
	c, err := magento.NewClient("https://shop.example.com", "tenant-1", "api-key-0123456789", magento.ClientOptions{
		HTTP: &http.Client{Transport: rt}, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkSerde fails unless err is the decoders' one error class.
func checkSerde(t *testing.T, err error) {
	t.Helper()
	if domain.KindOf(err) != domain.EInternal || domain.CodeOf(err) != domain.ClassSerde {
		t.Fatalf("unexpected error %v (kind %s, code %s)", err, domain.KindOf(err), domain.CodeOf(err))
	}
}

// exactAmount checks that the amount Magento sent as the JSON text of
// field name in obj was decoded into exactly that decimal (never through a
// float): the decimal parsed from the text equals got. As encoding/json
// does, the last key matching name in any case is the one read.
func exactAmount(t *testing.T, obj []byte, name string, got decimal.Decimal) {
	t.Helper()
	raw, ok := lastField(obj, name)
	if !ok || string(raw) == "null" {
		if !got.IsZero() {
			t.Fatalf("%s absent but decoded as %s", name, got)
		}
		return
	}
	text := string(raw)
	if s, err := strconv.Unquote(text); err == nil {
		text = s
	}
	want, err := decimal.NewFromString(text)
	if err != nil {
		t.Fatalf("%s %s decoded as %s but is not a decimal: %v", name, raw, got, err)
	}
	if !want.Equal(got) {
		t.Fatalf("%s %s decoded as %s, want exactly %s", name, raw, got, want)
	}
}

// lastField returns the value of the last key of the JSON object obj that
// equals name in any case.
func lastField(obj []byte, name string) (raw json.RawMessage, found bool) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return nil, false
		}
		if k, _ := tok.(string); strings.EqualFold(k, name) {
			raw, found = v, true
		}
	}
	return raw, found
}

// sameEntity compares amounts by value (1.50 is 1.5) and an absent list
// as the empty list Magento prints for it.
var sameEntity = cmp.Options{cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }), cmpopts.EquateEmpty()}

func FuzzDecodeCreditMemo(f *testing.F) {
	f.Add(magentotest.Wire(magentotest.CreditMemoPartial()))
	f.Add(magentotest.Wire(magentotest.CreditMemoNoInvoice()))
	f.Add([]byte(`{"magento_id":1,"currency":"EUR","grand_total":"105.00","adjustment_positive":0.1,"lines":[{"qty":1e0}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cm, err := magento.DecodeCreditMemo(body)
		if err != nil {
			checkSerde(t, err)
			return
		}
		if cm.MagentoID < 1 || cm.Currency == "" {
			t.Fatalf("accepted bad credit memo %+v", cm)
		}
		exactAmount(t, body, "grand_total", cm.GrandTotal)
		exactAmount(t, body, "adjustment_negative", cm.AdjustmentNegative)
		// What Magento would serve back decodes to the same credit memo.
		again, err := magento.DecodeCreditMemo(magentotest.Wire(*cm))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if diff := cmp.Diff(cm, again, sameEntity); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}

func FuzzDecodeContact(f *testing.F) {
	f.Add(magentotest.Wire(magentotest.CustomerJo()))
	f.Add(magentotest.Wire(magentotest.CustomerJane()))
	f.Add([]byte(`{"magento_id":7,"email":"jo@example.com","group_id":null,"addresses":[{"kind":"billing","street":"1 High St"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := magento.DecodeContact(body)
		if err != nil {
			checkSerde(t, err)
			return
		}
		if c.MagentoID < 1 {
			t.Fatalf("accepted customer %+v", c)
		}
		again, err := magento.DecodeContact(magentotest.Wire(*c))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if diff := cmp.Diff(c, again, sameEntity); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}

func FuzzDecodePayment(f *testing.F) {
	f.Add(magentotest.Wire(magentotest.Payment42()))
	f.Add(magentotest.Wire(magentotest.PaymentBundle()))
	f.Add([]byte(`{"magento_id":1,"invoice_id":42,"currency":"GBP","amount":"27.60","gateway_metadata":{"a":[1]}}`))
	f.Add([]byte(`{"magento_id":1,"invoice_id":42,"currency":"GBP","amount":0.1,"gateway_metadata":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := magento.DecodePayment(body)
		if err != nil {
			checkSerde(t, err)
			return
		}
		if p.InvoiceID < 1 || p.Currency == "" {
			t.Fatalf("accepted bad payment %+v", p)
		}
		exactAmount(t, body, "amount", p.Amount)
		again, err := magento.DecodePayment(magentotest.Wire(*p))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if diff := cmp.Diff(p, again, sameEntity); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}

// FuzzPaymentMethods: GET /payment-methods answers are a list or a serde
// error, and what was read re-encodes to the same list.
func FuzzPaymentMethods(f *testing.F) {
	f.Add([]byte(`[{"code":"checkmo","label":"Check / Money order","is_active":true},{"code":"free","label":null,"is_active":false}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"code":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, &answerRT{status: 200, body: body})
		pm, err := c.PaymentMethods(context.Background())
		if err != nil {
			checkSerde(t, err)
			return
		}
		b, err := json.Marshal(pm)
		if err != nil {
			t.Fatal(err)
		}
		var again []magento.PaymentMethod
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(pm, again, sameEntity); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}

// FuzzPing: any JSON (or an empty body) is alive; anything else is
// EUnavailable quoting at most 60 bytes of the body.
func FuzzPing(f *testing.F) {
	f.Add([]byte(`["pong"]`))
	f.Add([]byte(`{"status":"ok","module_version":"1.4.0"}`))
	f.Add([]byte(""))
	f.Add([]byte("<!DOCTYPE html><html><body>Maintenance</body></html>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		err := fuzzClient(t, &answerRT{status: 200, body: body}).Ping(context.Background())
		alive := len(bytes.TrimSpace(body)) == 0 || json.Valid(body)
		if alive != (err == nil) {
			t.Fatalf("Ping(%q) = %v, want alive %v", body, err, alive)
		}
		if err == nil {
			return
		}
		if domain.KindOf(err) != domain.EUnavailable {
			t.Fatalf("kind %s", domain.KindOf(err))
		}
		if len(body) > 70 && strings.Contains(err.Error(), string(body[:70])) {
			t.Fatalf("error quotes more than 60 bytes of the body: %v", err)
		}
	})
}

// renderMagento is Magento's own placeholder renderer (Phrase\Renderer\
// Placeholder: strtr over %name or %1…%n): one left-to-right pass, the
// longest placeholder wins at each position, and substituted text is never
// substituted again.
func renderMagento(body []byte) string {
	var b struct {
		Message    string          `json:"message"`
		Parameters json.RawMessage `json:"parameters"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	pairs := map[string]string{}
	var named map[string]any
	var list []any
	if json.Unmarshal(b.Parameters, &named) == nil {
		for k, v := range named {
			pairs["%"+k] = fmt.Sprint(v)
		}
	} else if json.Unmarshal(b.Parameters, &list) == nil {
		for i, v := range list {
			pairs["%"+strconv.Itoa(i+1)] = fmt.Sprint(v)
		}
	}
	keys := make([]string, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) > len(keys[j]) || len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	var out strings.Builder
	msg := b.Message
next:
	for i := 0; i < len(msg); {
		for _, k := range keys {
			if strings.HasPrefix(msg[i:], k) {
				out.WriteString(pairs[k])
				i += len(k)
				continue next
			}
		}
		out.WriteByte(msg[i])
		i++
	}
	return strings.TrimSpace(out.String())
}

// FuzzErrorBody: a refused call's error is typed by status, carries
// Magento's rendered message as Magento renders it, cut to 300 bytes on a
// character boundary, and never the raw body of a non-JSON answer.
func FuzzErrorBody(f *testing.F) {
	f.Add(uint16(400), []byte(`{"message":"The \"%fieldName\" value's length can't exceed %fieldLength characters.","parameters":{"fieldName":"sku","fieldLength":64}}`))
	f.Add(uint16(400), []byte(`{"message":"No such entity with %fieldName = %fieldValue","parameters":{"fieldName":"id","fieldValue":"3"}}`))
	f.Add(uint16(400), []byte(`{"message":"Invoice %1 of order %2 cannot be read.","parameters":["000000042","57"]}`))
	f.Add(uint16(401), []byte(`{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":"Byte8_Ledger::sync"}}`))
	f.Add(uint16(404), []byte(`{"message":"Request does not match any route."}`))
	f.Add(uint16(500), []byte(`{"message":"Internal Error. Details are available in Magento log file. Report ID: webapi-6a1f"}`))
	f.Add(uint16(502), []byte("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"))
	f.Add(uint16(422), []byte(`{"message":"`+strings.Repeat("é", 200)+`"}`))
	f.Add(uint16(400), []byte(`{"message":"%field must be %fieldValue","parameters":{"field":"%fieldValue","fieldValue":"positive"}}`))
	f.Fuzz(func(t *testing.T, code uint16, body []byte) {
		status := 400 + int(code)%200
		_, err := fuzzClient(t, &answerRT{status: status, body: body}).Invoice(context.Background(), 42)
		var herr *magento.HTTPError
		if !errors.As(err, &herr) || herr.Status != status {
			t.Fatalf("HTTP %d: error %v has no HTTPError of that status", status, err)
		}
		want := renderMagento(body)
		if len(want) > 300 {
			n := 300
			for n > 0 && !utf8.RuneStart(want[n]) {
				n--
			}
			want = want[:n] + "…"
		}
		if herr.Message != want {
			t.Fatalf("message of %q = %q, want %q", body, herr.Message, want)
		}
		if !utf8.ValidString(herr.Message) {
			t.Fatalf("message %q is not UTF-8", herr.Message)
		}
		var wantKind domain.ErrorKind
		switch {
		case status == 401:
			wantKind = domain.EUnauthorized
		case status == 404:
			wantKind = domain.ENotFound
		case status < 500 && status != 429:
			wantKind = domain.EInvalid
		default:
			wantKind = domain.EUnavailable
		}
		if domain.KindOf(err) != wantKind {
			t.Fatalf("HTTP %d: kind %s, want %s", status, domain.KindOf(err), wantKind)
		}
		if !json.Valid(body) && len(body) >= 16 && strings.Contains(domain.MessageOf(err), string(body)) {
			t.Fatalf("user message quotes the raw body: %q", domain.MessageOf(err))
		}
	})
}

// FuzzPairResponse: Magento's answer to the pairing request maps to the
// documented kinds (2xx ok, 400 EInvalid quoting Magento, 401 EUnauthorized
// invalid_pairing_code, 404 ENotFound, else EUnavailable), and the code
// sent is the normalised one.
func FuzzPairResponse(f *testing.F) {
	f.Add(uint16(200), " AB12-cd34 ", []byte(`{"success":true}`))
	f.Add(uint16(400), "abc", []byte(`{"message":"\"%1\" is required.","parameters":["ledger_base_url"]}`))
	f.Add(uint16(401), "abc", []byte(`{"message":"Invalid or expired pairing code."}`))
	f.Add(uint16(404), "abc", []byte(`{"message":"Request does not match any route."}`))
	f.Add(uint16(503), "abc", []byte("<html>Service Unavailable</html>"))
	f.Fuzz(func(t *testing.T, code uint16, pairingCode string, body []byte) {
		status := 200 + int(code)%400
		rt := &answerRT{status: status, body: body}
		err := magento.Pair(context.Background(), magento.PairRequest{MagentoURL: "https://shop.example.com/", Code: pairingCode,
			TenantID: "tenant-1", APIKey: "key", LedgerBaseURL: "https://ledger.example.com/", HTTP: &http.Client{Transport: rt}})
		var sent map[string]string
		if jerr := json.Unmarshal(rt.got, &sent); jerr != nil {
			t.Fatalf("request body %q: %v", rt.got, jerr)
		}
		if want := magento.NormaliseCode(pairingCode); utf8.ValidString(want) && sent["pairing_code"] != want {
			t.Fatalf("sent code %q, want %q", sent["pairing_code"], want)
		}
		var wantKind domain.ErrorKind
		switch {
		case status < 300:
			if err != nil {
				t.Fatalf("HTTP %d: %v", status, err)
			}
			return
		case status == 400:
			wantKind = domain.EInvalid
		case status == 401:
			wantKind = domain.EUnauthorized
			if domain.CodeOf(err) != "invalid_pairing_code" {
				t.Fatalf("401 code %q", domain.CodeOf(err))
			}
		case status == 404:
			wantKind = domain.ENotFound
		default:
			wantKind = domain.EUnavailable
		}
		if domain.KindOf(err) != wantKind {
			t.Fatalf("HTTP %d: kind %s (%v), want %s", status, domain.KindOf(err), err, wantKind)
		}
		if n := len(domain.MessageOf(err)); n > 2000 {
			t.Fatalf("user message is %d bytes", n)
		}
	})
}

// FuzzNormaliseCode: the pairing code as typed normalises idempotently to
// a trimmed, lower-case code.
func FuzzNormaliseCode(f *testing.F) {
	for _, s := range []string{"AB12-CD34", "  ab12-cd34\n", "\u00a0Ab\t", "İSTANBUL", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := magento.NormaliseCode(s)
		if again := magento.NormaliseCode(got); again != got {
			t.Fatalf("NormaliseCode(%q) = %q, then %q", s, got, again)
		}
		if strings.TrimSpace(got) != got {
			t.Fatalf("NormaliseCode(%q) = %q keeps spaces", s, got)
		}
	})
}

// FuzzCheckBaseURL: a Magento URL from the pairing form is accepted only as
// an absolute http(s) URL with a host and no credentials, query or
// fragment, and its normalised form is a fixed point.
func FuzzCheckBaseURL(f *testing.F) {
	for _, s := range []string{"https://shop.example.com/", "HTTP://Shop.Example.com/magento//", " https://shop.example.com/index.php ",
		"https://user:pw@shop.example.com", "https://shop.example.com/?a=1", "https://10.0.0.1", "https://[::1]:8443/", "ftp://x", "https://shop.example.com/a%2Fb/"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, allowPrivate bool) {
		got, warnings, err := magento.CheckBaseURL(raw, allowPrivate)
		if err != nil {
			if domain.KindOf(err) != domain.EInvalid {
				t.Fatalf("kind %s", domain.KindOf(err))
			}
			return
		}
		if !strings.HasPrefix(got, "https://") && !strings.HasPrefix(got, "http://") {
			t.Fatalf("CheckBaseURL(%q) = %q", raw, got)
		}
		if strings.HasPrefix(got, "http://") != (len(warnings) == 1) {
			t.Fatalf("CheckBaseURL(%q) warnings %q", raw, warnings)
		}
		again, _, err := magento.CheckBaseURL(got, allowPrivate)
		if err != nil || again != got {
			t.Fatalf("CheckBaseURL(%q) = %q, then %q, %v", raw, got, again, err)
		}
	})
}

// FuzzVerifyToken: a bearer token from a webhook is accepted only when
// signed with the tenant's key for that tenant, and only once.
func FuzzVerifyToken(f *testing.F) {
	key := []byte("outbound-key-0123456789abcdef0123")
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	c := magento.Claims{Iss: magento.IssuerMagento, Sub: "tenant-1", Aud: magento.IssuerLedger,
		Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Unix() + 60, Jti: "jti-1"}
	f.Add(magento.Mint(key, c))
	c.Sub = "tenant-2"
	f.Add(magento.Mint(key, c))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZW5hbnQtMSJ9.")
	f.Fuzz(func(t *testing.T, token string) {
		sub, subErr := magento.UnverifiedSubject(token)
		if subErr == nil && sub == "" {
			t.Fatal("empty subject accepted")
		}
		if subErr != nil && domain.KindOf(subErr) != domain.EUnauthorized {
			t.Fatalf("UnverifiedSubject kind %s", domain.KindOf(subErr))
		}
		v := &magento.Verifier{Now: func() time.Time { return now }, Replay: magento.NewReplayCache(time.Hour, 100)}
		claims, err := v.Verify(token, key, "tenant-1")
		if err != nil {
			if domain.KindOf(err) != domain.EUnauthorized {
				t.Fatalf("Verify kind %s: %v", domain.KindOf(err), err)
			}
			return
		}
		if claims.Sub != "tenant-1" || sub != "tenant-1" || claims.Iss != magento.IssuerMagento || claims.Aud != magento.IssuerLedger {
			t.Fatalf("accepted claims %+v (unverified sub %q)", claims, sub)
		}
		if _, err := v.Verify(token, key, "tenant-1"); err == nil {
			t.Fatal("a token was accepted twice")
		}
		if _, err := (&magento.Verifier{Now: v.Now}).Verify(token, []byte("another-key-0123456789abcdef0123"), "tenant-1"); err == nil {
			t.Fatal("accepted under another key")
		}
	})
}

// TestErrorMessageCutOnCharacter: a long Magento message is cut to 300
// bytes on a character boundary (found by FuzzErrorBody: the cut used to
// split a two-byte "é", leaving invalid UTF-8 in logs and on the page).
func TestErrorMessageCutOnCharacter(t *testing.T) {
	body := []byte(`{"message":"x` + strings.Repeat("é", 200) + `"}`)
	_, err := fuzzClient(t, &answerRT{status: 400, body: body}).Invoice(context.Background(), 42)
	var herr *magento.HTTPError
	if !errors.As(err, &herr) {
		t.Fatalf("no HTTPError in %v", err)
	}
	if want := "x" + strings.Repeat("é", 149) + "…"; herr.Message != want {
		t.Errorf("message = %q, want %q", herr.Message, want)
	}
}

// TestDecodeRefusesHugeExponent: an amount such as 1e999999999 is twelve
// bytes that take gigabytes and minutes to round or print; every decoder
// refuses it as unreadable instead of handing it to the sync.
func TestDecodeRefusesHugeExponent(t *testing.T) {
	decoders := map[string]func([]byte) error{
		"invoice":     func(b []byte) error { _, err := magento.DecodeInvoice(b); return err },
		"credit memo": func(b []byte) error { _, err := magento.DecodeCreditMemo(b); return err },
		"payment":     func(b []byte) error { _, err := magento.DecodePayment(b); return err },
	}
	bodies := map[string][]string{
		"invoice": {`{"magento_id":1,"currency":"GBP","grand_total":1e999999999}`,
			`{"magento_id":1,"currency":"GBP","lines":[{"unit_price":"1E-999999999"}]}`,
			`{"magento_id":1,"currency":"GBP","base_to_order_rate":1e65}`},
		"credit memo": {`{"magento_id":1,"currency":"GBP","adjustment_positive":1e5101000}`},
		"payment":     {`{"invoice_id":1,"currency":"GBP","amount":0e999999999}`},
	}
	for what, bs := range bodies {
		for _, b := range bs {
			if err := decoders[what]([]byte(b)); domain.CodeOf(err) != domain.ClassSerde {
				t.Errorf("%s %s: %v, want a serde error", what, b, err)
			}
		}
	}
	if _, err := magento.DecodePayment([]byte(`{"invoice_id":1,"currency":"GBP","amount":1.0E-5}`)); err != nil {
		t.Errorf("PHP's 1.0E-5 refused: %v", err)
	}
}

// TestErrorMessageRendersLikeMagento: placeholders are substituted as
// Magento's Placeholder renderer does (strtr: one pass, the longest
// placeholder first, substituted text left alone). Named parameters used
// to be replaced one by one in map order, so "%field" could eat the start
// of "%fieldValue" or a value's own "%…" — a different message each time.
func TestErrorMessageRendersLikeMagento(t *testing.T) {
	for body, want := range map[string]string{
		`{"message":"%field must be %fieldValue","parameters":{"field":"%fieldValue","fieldValue":"positive"}}`: "%fieldValue must be positive",
		`{"message":"%1 and %2, not %10","parameters":["%2","b","c","d","e","f","g","h","i","j"]}`:              "%2 and b, not j",
		`{"message":"100% sure: %1","parameters":["yes"]}`:                                                      "100% sure: yes",
	} {
		for range 20 { // map order differs between runs
			_, err := fuzzClient(t, &answerRT{status: 400, body: []byte(body)}).Invoice(context.Background(), 42)
			var herr *magento.HTTPError
			if !errors.As(err, &herr) || herr.Message != want {
				t.Fatalf("%s rendered as %q, want %q", body, herr.Message, want)
			}
		}
	}
}
