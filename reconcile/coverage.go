package reconcile

import (
	"slices"

	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	ledgersync "ledger/sync"
)

const maxExamples = 3

// invoiceRates lists the effective rates of an invoice's taxed lines and
// its shipping, as the sync engine looks them up in tax_rate_map.
func invoiceRates(inv *magento.Invoice) []string {
	var out []string
	add := func(r string) {
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, l := range inv.Lines {
		add(ledgersync.EffectiveRate(l.LineTax, l.LineSubtotal.Sub(l.Discount())))
	}
	add(ledgersync.EffectiveRate(inv.ShippingTaxAmount, inv.ShippingAmount))
	return out
}

// coverage reports the rates and methods of the sampled invoices (ids in
// order, newest first) that p does not map.
func coverage(ids []int64, invoices map[int64]*magento.Invoice, p domain.Policy) Coverage {
	cov := Coverage{TaxRates: []UnmappedRate{}, PaymentMethods: []UnmappedMethod{}}
	rates := map[string]*UnmappedRate{}
	methods := map[string]*UnmappedMethod{}
	for _, id := range ids {
		inv := invoices[id]
		if inv == nil {
			continue
		}
		cov.InvoicesSampled++
		for _, r := range invoiceRates(inv) {
			if t, ok := p.TaxRateMap[r]; ok && t != "" {
				continue
			}
			u := rates[r]
			if u == nil {
				u = &UnmappedRate{Rate: r, Examples: []string{}}
				if p.DefaultTaxType != "" && p.DefaultTaxType != "NONE" {
					u.Fallback = p.DefaultTaxType
				}
				rates[r] = u
			}
			u.Invoices++
			if len(u.Examples) < maxExamples {
				u.Examples = append(u.Examples, inv.IncrementID)
			}
		}
		if inv.PaymentMethod == nil || *inv.PaymentMethod == "" {
			continue
		}
		m := *inv.PaymentMethod
		if _, ok := p.PaymentMethodMap[m]; ok {
			continue // mapped, or explicitly "don't auto-pay"
		}
		u := methods[m]
		if u == nil {
			u = &UnmappedMethod{Method: m, Examples: []string{}, Fallback: p.DefaultBankAccountID}
			methods[m] = u
		}
		u.Invoices++
		if len(u.Examples) < maxExamples {
			u.Examples = append(u.Examples, inv.IncrementID)
		}
	}
	for _, u := range rates {
		cov.TaxRates = append(cov.TaxRates, *u)
	}
	for _, u := range methods {
		cov.PaymentMethods = append(cov.PaymentMethods, *u)
	}
	slices.SortFunc(cov.TaxRates, func(a, b UnmappedRate) int {
		return decimal.RequireFromString(a.Rate).Cmp(decimal.RequireFromString(b.Rate))
	})
	slices.SortFunc(cov.PaymentMethods, func(a, b UnmappedMethod) int {
		if a.Method < b.Method {
			return -1
		}
		if a.Method > b.Method {
			return 1
		}
		return 0
	})
	return cov
}
