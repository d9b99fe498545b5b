package magento

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

// specBody is the protocol §4.1 example.
const specBody = `{"magento_entity_id":42,"website_id":1,"store_id":1,"occurred_at":"2026-04-29T10:11:12Z","payload":{"increment_id":"000000042","paid":false}}`

func TestParseEnvelope(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *domain.Envelope // nil = EInvalid
	}{
		{"spec example", specBody, &domain.Envelope{MagentoEntityID: 42, WebsiteID: 1, StoreID: 1, OccurredAt: "2026-04-29T10:11:12Z", Payload: json.RawMessage(`{"increment_id":"000000042","paid":false}`)}},
		{"customer, extra keys, spaced payload", `{"magento_entity_id":7,"occurred_at":"2026-04-29T10:11:12+01:00","payload":{ "a" : 1 },"provider":"xero"}`, &domain.Envelope{MagentoEntityID: 7, WebsiteID: 0, StoreID: 0, OccurredAt: "2026-04-29T10:11:12+01:00", Payload: json.RawMessage(`{"a":1}`)}},
		{"payload absent", `{"magento_entity_id":1,"occurred_at":"2026-04-29T10:11:12Z"}`, &domain.Envelope{MagentoEntityID: 1, WebsiteID: 0, StoreID: 0, OccurredAt: "2026-04-29T10:11:12Z", Payload: json.RawMessage(`{}`)}},
		{"payload null, ids null", `{"magento_entity_id":1,"website_id":null,"occurred_at":"2026-04-29T10:11:12Z","payload":null}`, &domain.Envelope{MagentoEntityID: 1, WebsiteID: 0, StoreID: 0, OccurredAt: "2026-04-29T10:11:12Z", Payload: json.RawMessage(`{}`)}},
		{"payload list", `{"magento_entity_id":1,"occurred_at":"2026-04-29T10:11:12Z","payload":[]}`, nil},
		{"payload string", `{"magento_entity_id":1,"occurred_at":"2026-04-29T10:11:12Z","payload":"{}"}`, nil},
		{"id missing", `{"occurred_at":"2026-04-29T10:11:12Z"}`, nil},
		{"id zero", `{"magento_entity_id":0,"occurred_at":"2026-04-29T10:11:12Z"}`, nil},
		{"id float", `{"magento_entity_id":42.0,"occurred_at":"2026-04-29T10:11:12Z"}`, nil},
		{"id string", `{"magento_entity_id":"42","occurred_at":"2026-04-29T10:11:12Z"}`, nil},
		{"negative store", `{"magento_entity_id":1,"store_id":-1,"occurred_at":"2026-04-29T10:11:12Z"}`, nil},
		{"website string", `{"magento_entity_id":1,"website_id":"1","occurred_at":"2026-04-29T10:11:12Z"}`, nil},
		{"occurred_at missing", `{"magento_entity_id":1}`, nil},
		{"occurred_at mysql", `{"magento_entity_id":1,"occurred_at":"2026-04-29 10:11:12"}`, nil},
		{"occurred_at number", `{"magento_entity_id":1,"occurred_at":1777456800}`, nil},
		{"not object", `[1]`, nil},
		{"null", `null`, nil},
		{"truncated", specBody[:40], nil},
		{"empty", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvelope([]byte(tt.body))
			if tt.want == nil {
				if domain.KindOf(err) != domain.EInvalid || domain.MessageOf(err) == "" {
					t.Fatalf("err = %v (kind %s), want EInvalid", err, domain.KindOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(*tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidEventName(t *testing.T) {
	for s, want := range map[string]bool{
		"invoice.created": true, "creditmemo.created": true, "product.upserted": true, "a.b": true, "sales_order.x2": true,
		"": false, "invoice": false, "Invoice.created": false, "invoice.created.x": false, ".created": false,
		"invoice.": false, "invoice created": false, "../x.y": false, "a." + string(make([]byte, 70)): false,
		"a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": false,
	} {
		if got := ValidEventName(s); got != want {
			t.Errorf("ValidEventName(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(specBody))
	f.Add([]byte(`{"magento_entity_id":7,"website_id":1,"store_id":0,"occurred_at":"2026-04-29T10:11:12Z","payload":{}}`))
	f.Add([]byte(`{"magento_entity_id":1e3,"occurred_at":"x","payload":[1]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := ParseEnvelope(body)
		if err != nil {
			if domain.KindOf(err) != domain.EInvalid {
				t.Fatalf("kind %s", domain.KindOf(err))
			}
			return
		}
		if env.MagentoEntityID < 1 || env.WebsiteID < 0 || env.StoreID < 0 || len(env.Payload) == 0 || env.Payload[0] != '{' {
			t.Fatalf("accepted bad envelope %+v", env)
		}
		// Re-encoding and re-parsing is stable.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(env)
		again, err := ParseEnvelope(buf.Bytes())
		if err != nil || !cmp.Equal(env, again) {
			t.Fatalf("round trip: %v %s", err, cmp.Diff(env, again))
		}
	})
}
