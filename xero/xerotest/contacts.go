package xerotest

import (
	"net/http"
	"strings"

	"ledger/xero"
)

// writeContacts creates contacts, or updates the one matched by ContactID
// or ContactNumber (POST). Names are unique among active contacts.
// Caller holds mu.
func (s *Server) writeContacts(w http.ResponseWriter, r *http.Request, o *org, body []byte) {
	var in struct{ Contacts []xero.Contact }
	if !decodeBatch(w, body, &in) {
		return
	}
	now := s.clock.Now()
	var out []any
	failed := false
	for _, c := range in.Contacts {
		var target *xero.Contact
		for _, x := range o.contacts {
			if (c.ContactID != "" && x.ContactID == c.ContactID) || (c.ContactID == "" && c.ContactNumber != "" && x.ContactNumber == c.ContactNumber) {
				target = x
			}
		}
		var problems []string
		if c.ContactID != "" && target == nil {
			problems = append(problems, "The contact specified could not be found")
		}
		if strings.TrimSpace(c.Name) == "" && target == nil {
			problems = append(problems, "The contact name must be specified")
		}
		for _, x := range o.contacts {
			if x != target && x.ContactStatus == "ACTIVE" && c.Name != "" && strings.EqualFold(x.Name, c.Name) {
				problems = append(problems, "The contact name "+c.Name+" is already assigned to another contact. The contact name must be unique across all active contacts.")
				break
			}
		}
		if len(problems) > 0 {
			failed = true
			c.HasValidationErrors, c.StatusAttributeString, c.ValidationErrors = true, "ERROR", msgs(problems...)
			out = append(out, c)
			continue
		}
		if target == nil {
			target = &xero.Contact{ContactID: newID(), ContactStatus: "ACTIVE"}
			o.contacts = append(o.contacts, target)
		}
		id := target.ContactID
		name := target.Name
		*target = c
		target.ContactID, target.ContactStatus = id, "ACTIVE"
		if target.Name == "" {
			target.Name = name
		}
		res := *target
		res.StatusAttributeString = "OK"
		out = append(out, res)
	}
	batch(w, r, "Contacts", out, failed, now)
}
