package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

// Xero field limits that contact mapping respects.
const (
	maxContactNumber = 50
	maxContactName   = 255
)

// GuestSingleName is the Name of the one contact all guests share in
// guest_contact_mode "single".
const GuestSingleName = "Guest customers"

// ContactKey is the xref key and Xero ContactNumber of a Magento contact: the
// customer id in decimal; for a guest (magento_id 0) "guest-" and the first 16
// hex digits of sha256 of the lowercased, trimmed email, or "guest" when all
// guests share one contact (mode single, or a guest without an email).
func ContactKey(c magento.Contact, p domain.Policy) string {
	if c.MagentoID != 0 {
		return strconv.FormatInt(c.MagentoID, 10)
	}
	email := strings.ToLower(strings.TrimSpace(c.Email))
	if p.GuestContactMode == domain.GuestSingle || email == "" {
		return "guest"
	}
	sum := sha256.Sum256([]byte(email))
	return "guest-" + hex.EncodeToString(sum[:])[:16]
}

// MapContact builds the Xero contact for a Magento customer or guest.
// Name follows customer_name_priority when both a company and a person's
// name exist (Company: Name = company, the person in First/LastName; Person:
// Name = "First Last", the company as the addresses' AttentionTo); whichever
// exists otherwise, else the email. In guest mode single every guest is the
// one anonymous "Guest customers" contact, with no personal details.
func MapContact(c magento.Contact, p domain.Policy) xero.Contact {
	key := ContactKey(c, p)
	out := xero.Contact{ContactNumber: truncate(key, maxContactNumber)}
	if key == "guest" && c.MagentoID == 0 {
		out.Name = GuestSingleName
		return out
	}
	first, last, company := clean(c.FirstName), clean(c.LastName), clean(c.Company)
	person := strings.TrimSpace(first + " " + last)
	attention := ""
	switch {
	case company != "" && person != "" && p.CustomerNamePriority == domain.NamePriorityPerson:
		out.Name, attention = person, company
	case company != "":
		out.Name = company
	case person != "":
		out.Name = person
	default:
		out.Name = strings.TrimSpace(c.Email)
	}
	out.Name = truncate(out.Name, maxContactName)
	out.FirstName, out.LastName = truncate(first, maxContactName), truncate(last, maxContactName)
	out.EmailAddress = strings.TrimSpace(c.Email)
	seen := map[string]bool{}
	for _, a := range c.Addresses {
		xa := mapAddress(a)
		if seen[xa.AddressType] {
			continue
		}
		seen[xa.AddressType] = true
		xa.AttentionTo = attention
		out.Addresses = append(out.Addresses, xa)
	}
	if phone := clean(c.Phone); phone != "" {
		out.Phones = []xero.Phone{{PhoneType: "DEFAULT", PhoneNumber: phone}}
	}
	return out
}

// mapAddress maps billing to POBOX and shipping to STREET; street lines fill
// AddressLine1–4, the fourth taking any remaining lines.
func mapAddress(a magento.Address) xero.Address {
	xa := xero.Address{AddressType: "POBOX"}
	if a.Kind == "shipping" {
		xa.AddressType = "STREET"
	}
	var lines []string
	for _, s := range a.Street {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	if len(lines) > 4 {
		lines = append(lines[:3], strings.Join(lines[3:], ", "))
	}
	slots := []*string{&xa.AddressLine1, &xa.AddressLine2, &xa.AddressLine3, &xa.AddressLine4}
	for i, l := range lines {
		*slots[i] = l
	}
	xa.City = strings.TrimSpace(a.City)
	xa.Region = clean(a.Region)
	xa.PostalCode = clean(a.Postcode)
	xa.Country = strings.TrimSpace(a.CountryID)
	return xa
}

// DisambiguateName resolves a clash with Xero's unique contact names by
// appending the contact key: "Jo Bloggs (#7)". The result fits Xero's 255
// characters, so the same customer never needs a second contact.
func DisambiguateName(name, key string) string {
	suffix := " (#" + key + ")"
	return truncate(strings.TrimSpace(name), maxContactName-utf8.RuneCountInString(suffix)) + suffix
}

func clean(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
