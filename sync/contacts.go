package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	"ledger/xero"
)

// manualRetry is the timeline detail of a retry asked for by a person; each
// one starts a new Idempotency-Key generation, so Xero does not replay the
// refusal that is being retried.
const manualRetry = "manual retry"

// docKey is a document's Idempotency-Key: "invoice:42", "contact:7", …
// plus ":r2" after the second manual retry.
func docKey(kind, id string, gen int) string {
	k := kind + ":" + id
	if gen > 0 {
		k += ":r" + strconv.Itoa(gen)
	}
	return k
}

// batchKey is the Idempotency-Key of a batch: the member's own key when
// there is one member, else one derived from all members' keys.
func batchKey(kind string, members []string) string {
	if len(members) == 1 {
		return members[0]
	}
	h := sha256.Sum256([]byte(strings.Join(members, "\n")))
	return kind + "-batch:" + hex.EncodeToString(h[:20])
}

// landed checks a batch write's answer: an answer that does not cover every
// element is an unknown outcome, like a request sent without an answer.
// After an unknown outcome lookup (when set) adopts what arrived and fail
// takes the rest; any other error fails the whole batch. It reports whether
// the answer covers every element of live.
func landed[T any](op string, err error, answered int, live []T, lookup func([]T) []T, fail func(T, error)) bool {
	if err == nil && answered != len(live) {
		err = &xero.UnavailableError{Op: op, StatusCode: 200, Sent: true}
	}
	if err == nil {
		return true
	}
	var un *xero.UnavailableError
	if lookup != nil && errors.As(err, &un) && un.Sent {
		live = lookup(live)
	}
	for _, x := range live {
		fail(x, err)
	}
	return false
}

func chunked[T any](vs []T, n int) [][]T {
	var out [][]T
	for len(vs) > n {
		out = append(out, vs[:n])
		vs = vs[n:]
	}
	if len(vs) > 0 {
		out = append(out, vs)
	}
	return out
}

// record writes the attempt evidence before a Xero write; a job whose
// evidence cannot be written is not posted.
func (r *round) record(js []*job, kind, key string) []*job {
	var ok []*job
	for _, j := range js {
		if err := r.w.cfg.DB.RecordAttempt(j.run.ID, store.Attempt{Kind: kind, Key: key, At: r.w.cfg.Now()}); err != nil {
			r.fail(j, err)
			continue
		}
		ok = append(ok, j)
	}
	return ok
}

// contactNeed is one Xero contact a round needs.
type contactNeed struct {
	key     string
	c       magento.Contact
	p       domain.Policy
	jobs    []*job
	upsert  bool // customer.upserted: write it even when linked
	xeroID  string
	renamed bool
}

func (n *contactNeed) open() []*job {
	var out []*job
	for _, j := range n.jobs {
		if !j.done {
			out = append(out, j)
		}
	}
	return out
}

// contacts resolves every contact the round's documents need: from the
// xref when linked (no GET per order); the missing ones (and upserted
// customers) are written in batches of up to 50, matched by Xero on
// ContactNumber so a repeat never makes a second contact. A unique-name
// clash is written again once under a disambiguated name.
func (r *round) contacts() {
	needs := map[string]*contactNeed{}
	var order []*contactNeed
	for _, j := range r.open() {
		var c *magento.Contact
		upsert := false
		switch j.run.Event {
		case domain.EventInvoiceCreated, domain.EventInvoicePaid:
			if j.invoiceXref == nil && j.inv != nil {
				c = &j.inv.Customer
			}
		case domain.EventCreditmemoCreated:
			c = &j.cm.Customer
		case domain.EventCustomerUpserted:
			c, upsert = j.cust, true
		}
		if c == nil {
			continue
		}
		j.contactKey = ContactKey(*c, j.run.Policy)
		n := needs[j.contactKey]
		if n == nil {
			n = &contactNeed{key: j.contactKey, c: *c, p: j.run.Policy}
			needs[j.contactKey] = n
			order = append(order, n)
		}
		n.jobs = append(n.jobs, j)
		if upsert {
			n.upsert, n.c, n.p = true, *c, j.run.Policy
		}
	}
	var post []*contactNeed
	for _, n := range order {
		if x := r.xref(domain.XrefContact, n.key); x != nil {
			n.xeroID = x.XeroID
			if !n.upsert {
				r.linkContact(n, *x)
				continue
			}
		}
		post = append(post, n)
	}
	var clashes []*contactNeed
	for _, ch := range chunked(post, r.w.cfg.BatchSize) {
		clashes = append(clashes, r.postContacts(ch)...)
	}
	for _, ch := range chunked(clashes, r.w.cfg.BatchSize) {
		for _, n := range ch {
			n.renamed = true
		}
		r.postContacts(ch)
	}
}

func (r *round) linkContact(n *contactNeed, x domain.Xref) {
	for _, j := range n.open() {
		j.contactID = x.XeroID
		j.xrefs = append(j.xrefs, x)
	}
}

// postContacts writes one batch and returns the needs whose name clashed.
func (r *round) postContacts(ns []*contactNeed) (clashes []*contactNeed) {
	var members []string
	var cs []xero.Contact
	var live []*contactNeed
	for _, n := range ns {
		js := n.open()
		if len(js) == 0 {
			continue
		}
		gen := 0
		for _, j := range js {
			gen = max(gen, j.gen)
		}
		kind := "contact"
		c := MapContact(n.c, n.p)
		if n.renamed {
			kind = "contact-renamed"
			c.Name = DisambiguateName(c.Name, n.key)
		}
		if n.xeroID != "" {
			c.ContactID = n.xeroID
		}
		members = append(members, docKey(kind, n.key, gen))
		cs = append(cs, c)
		live = append(live, n)
	}
	if len(live) == 0 {
		return nil
	}
	var all []*job
	for _, n := range live {
		all = append(all, n.open()...)
	}
	if r.blocked(all) {
		return nil
	}
	key := batchKey("contact", members)
	for i, n := range live {
		r.record(n.open(), domain.XrefContact, members[i])
	}
	r.xcall(1)
	out, err := r.xc.CreateContacts(r.ctx, key, cs)
	// Contacts are matched on ContactNumber: posting again is safe.
	if !landed("POST /Contacts", err, len(out), live, nil, func(n *contactNeed, err error) { r.failAll(n.open(), err) }) {
		return nil
	}
	for i, n := range live {
		res := out[i]
		if e := res.Err(i); e != nil {
			if !n.renamed && strings.Contains(strings.Join(msgsOf(e), " "), "already assigned to another contact") {
				clashes = append(clashes, n)
				continue
			}
			r.failAll(n.open(), e)
			continue
		}
		x := domain.Xref{BindingID: r.b.ID, Kind: domain.XrefContact, MagentoKey: n.key, XeroID: res.ContactID}
		if err := r.w.cfg.DB.PutXref(x); err != nil {
			r.failAll(n.open(), err)
			continue
		}
		r.linkContact(n, x)
	}
	return clashes
}

func msgsOf(err error) []string {
	if ve, ok := err.(*xero.ValidationError); ok {
		return ve.Messages()
	}
	return []string{err.Error()}
}
