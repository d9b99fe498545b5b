package xerotest

import (
	"net/url"
	"strconv"

	"ledger/xero"
)

// Paging as Xero does it on Contacts, Invoices, CreditNotes and Payments:
// 100 elements per page unless pageSize asks for another size (at most
// 1000), page counted from 1, and a `pagination` object in the answer. A
// request without page gets page 1 — stricter than Xero on some endpoints
// (which then answer everything), so a client that does not follow pages
// is caught by a test that has more than one page of matches.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// pagination is Xero's paging metadata (components/schemas/Pagination).
type pagination struct {
	Page      int `json:"page"`
	PageSize  int `json:"pageSize"`
	PageCount int `json:"pageCount"`
	ItemCount int `json:"itemCount"`
}

// pageOf cuts the requested page out of the full list of matches.
func pageOf[T any](list []T, q url.Values) ([]T, pagination) {
	page, size := 1, defaultPageSize
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		page = n
	}
	if n, err := strconv.Atoi(q.Get("pageSize")); err == nil && n > 0 {
		size = min(n, maxPageSize)
	}
	p := pagination{Page: page, PageSize: size, ItemCount: len(list), PageCount: (len(list) + size - 1) / size}
	lo := len(list)
	if page-1 <= len(list)/size {
		lo = min((page-1)*size, len(list))
	}
	hi := min(lo+size, len(list))
	out := make([]T, hi-lo)
	copy(out, list[lo:hi])
	return out, p
}

// PlantContacts adds contacts behind ledger's back (as a bookkeeper or an
// import would), without the API's upsert on ContactNumber: Xero lets many
// contacts share one ContactNumber. An empty ContactID gets a new id.
func (s *Server) PlantContacts(tenant string, cs ...xero.Contact) {
	s.withOrg(tenant, func(o *org) {
		for _, c := range cs {
			if c.ContactID == "" {
				c.ContactID = newID()
			}
			if c.ContactStatus == "" {
				c.ContactStatus = "ACTIVE"
			}
			o.contacts = append(o.contacts, &c)
		}
	})
}
