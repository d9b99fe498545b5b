package sync

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/xero"
)

// line builds an expected product or charge line.
func line(desc, qty, unit, disc, taxType, tax, account string) xero.LineItem {
	l := xero.LineItem{Description: desc, Quantity: m(qty), UnitAmount: m(unit), TaxType: taxType, TaxAmount: m(tax), AccountCode: account}
	if disc != "" {
		l.DiscountAmount = m(disc)
	}
	return l
}

func TestMapInvoiceFixtures(t *testing.T) {
	nz := testRef()
	nz.Organisation.Timezone = "NEWZEALANDSTANDARDTIME"
	tests := []struct {
		name    string
		fixture string
		policy  func(p *domain.Policy)
		ref     *domain.ReferenceCache
		want    xero.Invoice
	}{
		{
			name: "protocol 6.5 example: discount and shipping tax", fixture: "invoice-6.5-example.json",
			want: xero.Invoice{
				Type: "ACCREC", InvoiceNumber: "000000042", Reference: "000000057",
				Contact: &xero.Contact{ContactID: "c-7"}, Date: "2026-04-29", DueDate: "2026-05-13",
				Status: "AUTHORISED", LineAmountTypes: "Exclusive", CurrencyCode: "GBP",
				LineItems: []xero.LineItem{
					line("T-shirt M (TEE-M)", "2", "10", "2", "OUTPUT2", "3.6", "200"),
					line("Shipping", "1", "5", "", "OUTPUT2", "1", "200"),
				},
			},
		},
		{
			name: "tax-rate map by effective rate, organisation time zone, prefix, terms, draft", fixture: "invoice-tax-rate-map.json",
			policy: func(p *domain.Policy) {
				p.TaxRateMap = map[string]string{"20.00": "OUTPUT2", "5.00": "RROUTPUT", "0.00": "ZERORATEDOUTPUT"}
				p.DefaultTaxType = ""
				p.InvoiceNumberPrefix = "WEB-"
				p.PaymentTermsDays = ptr(30)
				p.InvoiceStatusDefault = domain.InvoiceDraft
			},
			ref: nz,
			want: xero.Invoice{
				Type: "ACCREC", InvoiceNumber: "WEB-000000043", Reference: "000000058",
				Contact: &xero.Contact{ContactID: "c-7"}, Date: "2026-04-30", DueDate: "2026-05-30",
				Status: "DRAFT", LineAmountTypes: "Exclusive", CurrencyCode: "GBP",
				LineItems: []xero.LineItem{
					line("Book (BOOK-1)", "1", "12", "", "ZERORATEDOUTPUT", "0", "200"),
					line("Child seat (SEAT-1)", "1", "80", "", "RROUTPUT", "4", "200"),
					line("Mug (MUG-1)", "3", "7.5", "", "OUTPUT2", "4.5", "200"),
				},
			},
		},
		{
			name: "foreign currency enabled in Xero; prefix never applied twice", fixture: "invoice-eur.json",
			policy: func(p *domain.Policy) { p.InvoiceNumberPrefix = "MAG-"; p.DefaultRevenueAccountCode = "" },
			ref: func() *domain.ReferenceCache {
				r := testRef()
				r.Currencies = append(r.Currencies, "EUR")
				return r
			}(),
			want: xero.Invoice{
				Type: "ACCREC", InvoiceNumber: "MAG-000000044", Reference: "000000059",
				Contact: &xero.Contact{ContactID: "c-7"}, Date: "2026-03-01", DueDate: "2026-03-15",
				Status: "AUTHORISED", LineAmountTypes: "Exclusive", CurrencyCode: "EUR",
				LineItems: []xero.LineItem{
					line("Lamp (LAMP)", "1", "49.9", "", "NONE", "0", ""),
					line("Shipping", "1", "6.9", "", "NONE", "0", ""),
				},
			},
		},
		{
			name: "zero-value invoice", fixture: "invoice-zero-value.json",
			want: xero.Invoice{
				Type: "ACCREC", InvoiceNumber: "000000045", Reference: "000000060",
				Contact: &xero.Contact{ContactID: "c-7"}, Date: "2026-04-01", DueDate: "2026-04-15",
				Status: "AUTHORISED", LineAmountTypes: "Exclusive", CurrencyCode: "GBP",
				LineItems: []xero.LineItem{line("Free sample (SAMPLE)", "1", "0", "", "NONE", "0", "200")},
			},
		},
		{
			name: "configurable child and bundle parent duplicates dropped", fixture: "invoice-bundle-configurable.json",
			ref: func() *domain.ReferenceCache { r := testRef(); r.Organisation.Timezone = "America/New_York"; return r }(),
			want: xero.Invoice{
				Type: "ACCREC", InvoiceNumber: "000000003", Reference: "000000003",
				Contact: &xero.Contact{ContactID: "c-7"}, Date: "2017-08-21", DueDate: "2017-09-04",
				Status: "AUTHORISED", LineAmountTypes: "Exclusive", CurrencyCode: "USD",
				LineItems: []xero.LineItem{
					line("Radiant Tee-M-Orange (WS12-M-Orange)", "1", "22", "", "NONE", "0", "200"),
					line("Advanced Pilates & Yoga (Strength) (240-LV08)", "1", "18", "", "NONE", "0", "200"),
					line("Sprite Stasis Ball 65 cm (24-WG082-blue)", "1", "27", "", "NONE", "0", "200"),
					line("Sprite Foam Yoga Brick (24-WG084)", "1", "5", "", "NONE", "0", "200"),
					line("Sprite Yoga Strap 8 foot (24-WG086)", "1", "17", "", "NONE", "0", "200"),
					line("Sprite Foam Roller (24-WG088)", "1", "19", "", "NONE", "0", "200"),
					line("Chaz Kangeroo Hoodie (MH01-S-Gray)", "1", "52", "", "NONE", "0", "200"),
					line("Shipping", "1", "5", "", "NONE", "0", "200"),
				},
			},
		},
		{
			name: "MSI sample: per-line discounts sum to the header discount", fixture: "invoice-msi-discount.json",
			want: xero.Invoice{
				Type: "ACCREC", InvoiceNumber: "000000003", Reference: "000000003",
				Contact: &xero.Contact{ContactID: "c-7"}, Date: "2020-07-23", DueDate: "2020-08-06",
				Status: "AUTHORISED", LineAmountTypes: "Exclusive", CurrencyCode: "USD",
				LineItems: []xero.LineItem{
					line("Driven Backpack (24-WB03)", "20", "36", "144", "NONE", "0", "200"),
					line("Voyage Yoga Bag (24-WB01)", "40", "32", "256", "NONE", "0", "200"),
					line("Yoga Adventure (240-LV06)", "1", "22", "4.4", "NONE", "0", "200"),
					line("Shipping", "1", "300", "", "NONE", "0", "200"),
				},
			},
		},
		{
			// Posted with unitdp=4, 3 × 3.333 = 9.999 is 10.00 in Xero, as in
			// Magento: no rounding line (at cents it took one of 0.03).
			name: "sub-cent unit prices kept to four decimals", fixture: "invoice-rounding.json",
			want: xero.Invoice{
				Type: "ACCREC", InvoiceNumber: "000000047", Reference: "000000062",
				Contact: &xero.Contact{ContactID: "c-7"}, Date: "2026-04-29", DueDate: "2026-05-13",
				Status: "AUTHORISED", LineAmountTypes: "Exclusive", CurrencyCode: "GBP",
				LineItems: []xero.LineItem{
					line("Thirds A (A)", "3", "3.333", "", "OUTPUT2", "2", "200"),
					line("Thirds B (B)", "3", "3.333", "", "OUTPUT2", "2", "200"),
					line("Thirds C (C)", "3", "3.333", "", "OUTPUT2", "2", "200"),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := loadInvoice(t, tt.fixture)
			p := ukPolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			ref := tt.ref
			if ref == nil {
				ref = testRef()
			}
			got, err := MapInvoice(inv, "c-7", p, ref)
			if err != nil {
				t.Fatalf("MapInvoice: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, moneyEq); diff != "" {
				t.Errorf("MapInvoice (-want +got):\n%s", diff)
			}
			if total := XeroTotal(got.LineItems); !total.Equal(inv.GrandTotal) {
				t.Errorf("XeroTotal = %s, Magento grand_total = %s", total, inv.GrandTotal)
			}
		})
	}
}

func TestMapInvoiceErrors(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		edit    func(p *domain.Policy, ref *domain.ReferenceCache)
		code    string
		msg     string
	}{
		{
			name: "currency not enabled", fixture: "invoice-eur.json", code: "currency_not_enabled",
			msg: "Xero organisation does not have EUR enabled — enable EUR in Xero → Settings → Currencies, then retry",
		},
		{
			name: "taxed line without any tax type", fixture: "invoice-6.5-example.json", code: "tax_type_unmapped",
			edit: func(p *domain.Policy, _ *domain.ReferenceCache) { p.DefaultTaxType = "" },
			msg:  `Magento invoice 000000042: line "T-shirt M (TEE-M)" is taxed at 20.00% but no Xero tax type is set for it — add the rate to tax_rate_map or set default_xero_tax_type, then retry`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ref := ukPolicy(), testRef()
			if tt.edit != nil {
				tt.edit(&p, ref)
			}
			_, err := MapInvoice(loadInvoice(t, tt.fixture), "c", p, ref)
			var de *domain.Error
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want *domain.Error", err)
			}
			if de.Kind != domain.EInvalid || de.Code != tt.code || de.Message != tt.msg {
				t.Errorf("got %s/%s %q\nwant %s/%s %q", de.Kind, de.Code, de.Message, domain.EInvalid, tt.code, tt.msg)
			}
		})
	}
}

func TestMapInvoiceUnknownCurrencyListAllowsAny(t *testing.T) {
	ref := testRef()
	ref.Currencies = nil
	if _, err := MapInvoice(loadInvoice(t, "invoice-eur.json"), "c", ukPolicy(), ref); err != nil {
		t.Fatalf("MapInvoice with unknown currency list: %v", err)
	}
	if _, err := MapInvoice(loadInvoice(t, "invoice-eur.json"), "c", ukPolicy(), nil); err != nil {
		t.Fatalf("MapInvoice with nil reference cache: %v", err)
	}
}

func TestMapInvoiceUnbalanced(t *testing.T) {
	inv := loadInvoice(t, "invoice-6.5-example.json")
	inv.GrandTotal = dec("30.00") // 2.40 more than the lines
	_, err := MapInvoice(inv, "c", ukPolicy(), testRef())
	if domain.CodeOf(err) != "unbalanced" {
		t.Fatalf("err = %v, want code unbalanced", err)
	}
	want := "Magento invoice 000000042 totals 30.00 but its lines add up to 27.60 — check its discounts, taxes and adjustments in Magento, then retry"
	if got := domain.MessageOf(err); got != want {
		t.Errorf("message:\n got %q\nwant %q", got, want)
	}
}

func TestMapInvoiceShippingDiscount(t *testing.T) {
	inv := loadInvoice(t, "invoice-6.5-example.json")
	// A 1.00 shipping discount: header -3.00, line discounts 2.00.
	inv.DiscountAmount = dec("-3")
	inv.ShippingTaxAmount = dec("0.8")
	inv.GrandTotal = dec("26.40")
	got, err := MapInvoice(inv, "c", ukPolicy(), testRef())
	if err != nil {
		t.Fatal(err)
	}
	want := line("Shipping", "1", "5", "1", "OUTPUT2", "0.8", "200")
	if diff := cmp.Diff(want, got.LineItems[len(got.LineItems)-1], moneyEq); diff != "" {
		t.Errorf("shipping line (-want +got):\n%s", diff)
	}
	if total := XeroTotal(got.LineItems); !total.Equal(inv.GrandTotal) {
		t.Errorf("XeroTotal = %s, want %s", total, inv.GrandTotal)
	}
}

func TestMapInvoiceBadDate(t *testing.T) {
	inv := loadInvoice(t, "invoice-6.5-example.json")
	inv.CreatedAt = ""
	if _, err := MapInvoice(inv, "c", ukPolicy(), testRef()); !domain.IsKind(err, domain.EInvalid) {
		t.Fatalf("err = %v, want EInvalid", err)
	}
}

func TestEffectiveRate(t *testing.T) {
	for _, tt := range []struct{ tax, net, want string }{
		{"3.6", "18", "20.00"},
		{"0", "18", ""},
		{"1", "0", ""},
		{"0.55", "10", "5.50"},
		{"1", "3", "33.33"},
	} {
		if got := EffectiveRate(decimal.RequireFromString(tt.tax), decimal.RequireFromString(tt.net)); got != tt.want {
			t.Errorf("EffectiveRate(%s, %s) = %q, want %q", tt.tax, tt.net, got, tt.want)
		}
	}
}
