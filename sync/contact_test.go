package sync

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

func TestContactKey(t *testing.T) {
	single := domain.DefaultPolicy()
	single.GuestContactMode = domain.GuestSingle
	tests := []struct {
		name string
		c    magento.Contact
		p    domain.Policy
		want string
	}{
		{"customer", magento.Contact{MagentoID: 7, Email: "jo@example.com"}, domain.DefaultPolicy(), "7"},
		{"customer in single mode", magento.Contact{MagentoID: 123456789, Email: "x"}, single, "123456789"},
		{"guest per email, normalised", magento.Contact{Email: "  Guest.Buyer@Example.com "}, domain.DefaultPolicy(), "guest-453a0174d1aab231"},
		{"guest single", magento.Contact{Email: "a@b.c"}, single, "guest"},
		{"guest without email", magento.Contact{}, domain.DefaultPolicy(), "guest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContactKey(tt.c, tt.p); got != tt.want {
				t.Errorf("ContactKey = %q, want %q", got, tt.want)
			}
		})
	}
	a := ContactKey(magento.Contact{Email: "A@example.com"}, domain.DefaultPolicy())
	b := ContactKey(magento.Contact{Email: "a@example.com "}, domain.DefaultPolicy())
	c := ContactKey(magento.Contact{Email: "b@example.com"}, domain.DefaultPolicy())
	if a != b || a == c || len(a) != len("guest-")+16 {
		t.Errorf("guest keys: %q %q %q", a, b, c)
	}
}

func TestMapContact(t *testing.T) {
	invTax := loadInvoice(t, "invoice-tax-rate-map.json")
	guest := loadInvoice(t, "invoice-guest.json").Customer
	example := loadInvoice(t, "invoice-6.5-example.json").Customer
	person := domain.DefaultPolicy()
	person.CustomerNamePriority = domain.NamePriorityPerson
	single := domain.DefaultPolicy()
	single.GuestContactMode = domain.GuestSingle
	withAddr := invTax.Customer
	withAddr.Addresses = example.Addresses

	tests := []struct {
		name string
		c    magento.Contact
		p    domain.Policy
		want xero.Contact
	}{
		{
			name: "customer with address and phone", c: example, p: domain.DefaultPolicy(),
			want: xero.Contact{
				ContactNumber: "7", Name: "Jo Bloggs", FirstName: "Jo", LastName: "Bloggs", EmailAddress: "jo@example.com",
				Addresses: []xero.Address{{AddressType: "POBOX", AddressLine1: "1 High St", AddressLine2: "Flat 2",
					City: "London", Region: "Greater London", PostalCode: "EC1A 1AA", Country: "GB"}},
				Phones: []xero.Phone{{PhoneType: "DEFAULT", PhoneNumber: "+44 20 7946 0000"}},
			},
		},
		{
			name: "company priority", c: withAddr, p: domain.DefaultPolicy(),
			want: xero.Contact{
				ContactNumber: "8", Name: "Lee Ltd", FirstName: "Sam", LastName: "Lee", EmailAddress: "sam@example.com",
				Addresses: []xero.Address{{AddressType: "POBOX", AddressLine1: "1 High St", AddressLine2: "Flat 2",
					City: "London", Region: "Greater London", PostalCode: "EC1A 1AA", Country: "GB"}},
			},
		},
		{
			name: "person priority folds the company into the address", c: withAddr, p: person,
			want: xero.Contact{
				ContactNumber: "8", Name: "Sam Lee", FirstName: "Sam", LastName: "Lee", EmailAddress: "sam@example.com",
				Addresses: []xero.Address{{AddressType: "POBOX", AddressLine1: "1 High St", AddressLine2: "Flat 2",
					City: "London", Region: "Greater London", PostalCode: "EC1A 1AA", Country: "GB", AttentionTo: "Lee Ltd"}},
			},
		},
		{
			name: "person priority with only a company", c: magento.Contact{MagentoID: 3, Email: "x@y.z", Company: ptr("Acme")}, p: person,
			want: xero.Contact{ContactNumber: "3", Name: "Acme", EmailAddress: "x@y.z"},
		},
		{
			name: "no names: email", c: magento.Contact{MagentoID: 4, Email: " nobody@example.com "}, p: domain.DefaultPolicy(),
			want: xero.Contact{ContactNumber: "4", Name: "nobody@example.com", EmailAddress: "nobody@example.com"},
		},
		{
			name: "guest per email: billing POBOX, shipping STREET with five street lines", c: guest, p: domain.DefaultPolicy(),
			want: xero.Contact{
				ContactNumber: "guest-453a0174d1aab231", Name: "Gail Guest", FirstName: "Gail", LastName: "Guest",
				EmailAddress: "Guest.Buyer@Example.com",
				Addresses: []xero.Address{
					{AddressType: "POBOX", AddressLine1: "9 Low Rd", City: "Leeds", PostalCode: "LS1 1AA", Country: "GB"},
					{AddressType: "STREET", AddressLine1: "Unit 4", AddressLine2: "Mill Yard", AddressLine3: "Canal St",
						AddressLine4: "Holbeck, Back door", City: "Leeds", Region: "West Yorkshire", PostalCode: "LS11 5QR", Country: "GB"},
				},
			},
		},
		{
			name: "guest single: one anonymous contact", c: guest, p: single,
			want: xero.Contact{ContactNumber: "guest", Name: GuestSingleName},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, MapContact(tt.c, tt.p)); diff != "" {
				t.Errorf("MapContact (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapContactLimits(t *testing.T) {
	long := strings.Repeat("é", 300)
	got := MapContact(magento.Contact{MagentoID: 1, Company: &long}, domain.DefaultPolicy())
	if n := utf8.RuneCountInString(got.Name); n != 255 {
		t.Errorf("Name has %d runes, want 255", n)
	}
}

func TestDisambiguateName(t *testing.T) {
	tests := []struct{ name, key, want string }{
		{"Jo Bloggs", "7", "Jo Bloggs (#7)"},
		{" Jo Bloggs ", "guest-0123456789abcdef", "Jo Bloggs (#guest-0123456789abcdef)"},
	}
	for _, tt := range tests {
		if got := DisambiguateName(tt.name, tt.key); got != tt.want {
			t.Errorf("DisambiguateName(%q, %q) = %q, want %q", tt.name, tt.key, got, tt.want)
		}
	}
	got := DisambiguateName(strings.Repeat("x", 300), "12345")
	if utf8.RuneCountInString(got) != 255 || !strings.HasSuffix(got, " (#12345)") {
		t.Errorf("long name: %d runes, suffix %q", utf8.RuneCountInString(got), got[len(got)-10:])
	}
}
