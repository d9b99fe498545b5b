package cmd

import (
	"ledger/domain"
	"ledger/magento"
	ledgersync "ledger/sync"
	"ledger/xero"
)

// xeroWriteBatch is the sync worker's documents per write; filtered reads
// are counted by xero.LookupCalls.
const xeroWriteBatch = 50

// xeroEstimate is the Xero Accounting API calls a backfill would cost.
type xeroEstimate struct {
	Contacts    int `json:"contacts"`     // POST /Contacts (at most: known contacts are not re-posted)
	Invoices    int `json:"invoices"`     // PUT /Invoices
	Payments    int `json:"payments"`     // PUT /Payments
	CreditNotes int `json:"credit_notes"` // PUT /CreditNotes, plus one allocation per linked credit note and its invoice reads
	Total       int `json:"total"`
	DailyBudget int `json:"daily_budget"`
	Days        int `json:"days"` // UTC days the total needs within the daily budget
}

// estimator counts the documents a dry run would post.
type estimator struct {
	p           domain.Policy
	contacts    map[string]bool
	invoices    int
	payments    int
	creditNotes int
	allocations int
}

func newEstimator(p domain.Policy) *estimator {
	return &estimator{p: p, contacts: map[string]bool{}}
}

func (e *estimator) invoice(inv *magento.Invoice) {
	e.invoices++
	e.contacts[ledgersync.ContactKey(inv.Customer, e.p)] = true
}

func (e *estimator) payment() { e.payments++ }

func (e *estimator) creditNote(cm *magento.CreditMemo) {
	e.creditNotes++
	e.contacts[ledgersync.ContactKey(cm.Customer, e.p)] = true
	if cm.InvoiceID != nil {
		e.allocations++
	}
}

func batches(n, size int) int { return (n + size - 1) / size }

// estimate applies the worker's batching; budget ≤ 0 means the default.
func (e *estimator) estimate() xeroEstimate {
	x := xeroEstimate{
		Contacts:    batches(len(e.contacts), xeroWriteBatch),
		Invoices:    batches(e.invoices, xeroWriteBatch),
		Payments:    batches(e.payments, xeroWriteBatch),
		CreditNotes: batches(e.creditNotes, xeroWriteBatch) + xero.LookupCalls(e.allocations) + e.allocations,
	}
	x.Total = x.Contacts + x.Invoices + x.Payments + x.CreditNotes
	return x
}

// withBudget fills in the days the total needs at budget calls a day.
func (x xeroEstimate) withBudget(budget int) xeroEstimate {
	if budget <= 0 {
		budget = DefaultXeroDailyBudget
	}
	x.DailyBudget = budget
	x.Days = batches(x.Total, budget)
	return x
}
