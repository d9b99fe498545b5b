package sync

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/xero"
)

// TaxNone is Xero's "no tax" TaxType.
const TaxNone = "NONE"

// Line descriptions of the lines ledger adds beside Magento's product lines.
const (
	DescShipping           = "Shipping"
	DescShippingRefund     = "Shipping refund"
	DescAdjustmentRefund   = "Adjustment refund"
	DescAdjustmentFee      = "Adjustment fee"
	DescRounding           = "Rounding"
	roundingTolerancePerLn = "0.05"
)

var (
	one     = decimal.NewFromInt(1)
	oneCent = decimal.New(1, -2)
	hundred = decimal.NewFromInt(100)
)

// zeroValue reports whether a Magento line carries no money at all.
func zeroValue(l magento.Line) bool {
	return l.LineSubtotal.IsZero() && l.LineTax.IsZero() && l.LineTotal.IsZero()
}

// keptLines drops the zero-value duplicates Magento emits for configurable
// and bundle products (§12 #14): a zero line whose SKU equals a priced
// sibling's (configurable child), or a zero bundle parent whose SKU is made
// of its priced children's SKUs. Other zero lines are kept as information.
func keptLines(lines []magento.Line) []magento.Line {
	var priced []string
	for _, l := range lines {
		if !zeroValue(l) {
			priced = append(priced, l.SKU)
		}
	}
	out := make([]magento.Line, 0, len(lines))
	for _, l := range lines {
		if zeroValue(l) && duplicate(l, priced) {
			continue
		}
		out = append(out, l)
	}
	return out
}

func duplicate(l magento.Line, priced []string) bool {
	if slices.Contains(priced, l.SKU) {
		return true
	}
	if l.ProductType == nil || *l.ProductType != "bundle" {
		return false
	}
	for _, sku := range priced {
		if sku != "" && strings.Contains(l.SKU, sku) {
			return true
		}
	}
	return false
}

// lineMapper maps Magento amounts onto Xero lines under one policy.
type lineMapper struct {
	p    domain.Policy
	what string // "Magento invoice 000000042", for messages
}

// unitDP is how many decimals of a UnitAmount Xero keeps: ledger writes
// invoices and credit notes with unitdp=4 (Magento keeps prices to four
// decimals too). Xero's LineAmount and totals stay at cents.
const unitDP = 4

// product maps one Magento line: Quantity and UnitAmount (unit_price to
// four decimals, as Xero keeps it under unitdp=4), DiscountAmount from the
// totals identity, TaxAmount = Magento's line tax, TaxType by effective
// rate.
//
// Xero's line amount is round2(qty × UnitAmount), so 1000 × 0.0125 posts
// as it is and comes to 12.50. When qty × unit_price still misses
// line_subtotal (Magento rounded its price differently) and
// line_subtotal/qty fits in four decimals, that is used instead (so a
// zero-priced bundle parent gets UnitAmount 0). A remaining drift of one
// cent is left to the rounding line; a larger one (a price with more than
// four decimals times a large quantity) is posted as one unit of
// line_subtotal with "qty × price" in the description, so the line is
// exact.
func (m lineMapper) product(l magento.Line) (xero.LineItem, error) {
	qty, unit := l.Qty, l.UnitPrice.Round(unitDP)
	if !qty.IsPositive() {
		qty, unit = one, l.LineSubtotal
	}
	if !round2(qty.Mul(unit)).Equal(l.LineSubtotal) {
		if alt := l.LineSubtotal.DivRound(qty, 8); alt.Round(unitDP).Equal(alt) {
			unit = alt
		}
	}
	desc := strings.TrimSpace(l.Name)
	switch {
	case desc == "":
		desc = l.SKU
	case l.SKU != "":
		desc += " (" + l.SKU + ")"
	}
	if round2(qty.Mul(unit)).Sub(l.LineSubtotal).Abs().GreaterThan(oneCent) {
		desc += " — " + qty.String() + " × " + l.UnitPrice.String()
		qty, unit = one, l.LineSubtotal
	}
	item := xero.LineItem{
		Description: desc,
		Quantity:    xero.MoneyPtr(qty),
		UnitAmount:  xero.MoneyPtr(unit),
		AccountCode: m.p.DefaultRevenueAccountCode,
		TaxAmount:   xero.MoneyPtr(l.LineTax),
	}
	disc := l.Discount()
	if disc.IsPositive() {
		item.DiscountAmount = xero.MoneyPtr(disc)
	}
	tt, err := m.taxType(l.LineTax, l.LineSubtotal.Sub(disc), desc)
	if err != nil {
		return xero.LineItem{}, err
	}
	item.TaxType = tt
	return item, nil
}

// charge is a one-unit line such as shipping or an adjustment.
func (m lineMapper) charge(desc string, amount, tax, discount decimal.Decimal, account string) (xero.LineItem, error) {
	item := xero.LineItem{
		Description: desc,
		Quantity:    xero.MoneyPtr(one),
		UnitAmount:  xero.MoneyPtr(amount),
		AccountCode: account,
		TaxAmount:   xero.MoneyPtr(tax),
	}
	if discount.IsPositive() {
		item.DiscountAmount = xero.MoneyPtr(discount)
	}
	tt, err := m.taxType(tax, amount.Sub(discount), desc)
	if err != nil {
		return xero.LineItem{}, err
	}
	item.TaxType = tt
	return item, nil
}

// EffectiveRate is a taxed amount's rate in percent with two decimals,
// tax / net × 100: the key a taxed line is looked up by in tax_rate_map.
// It is "" when nothing is taxed or the net is not positive.
func EffectiveRate(tax, net decimal.Decimal) string {
	if tax.IsZero() || !net.IsPositive() {
		return ""
	}
	return tax.Mul(hundred).DivRound(net, 2).StringFixed(2)
}

// taxType picks a line's TaxType. Untaxed lines use tax_rate_map["0.00"]
// when the merchant mapped it (e.g. to a zero-rated type), else NONE. Taxed
// lines use the map entry of their effective rate tax/net in percent,
// rounded to two decimals, else default_xero_tax_type. A taxed line with
// neither is an error: posting it as NONE would lose the tax.
func (m lineMapper) taxType(tax, net decimal.Decimal, desc string) (string, error) {
	if tax.IsZero() {
		if t, ok := m.p.TaxRateMap["0.00"]; ok && t != "" {
			return t, nil
		}
		return TaxNone, nil
	}
	rate := EffectiveRate(tax, net)
	if rate != "" {
		if t, ok := m.p.TaxRateMap[rate]; ok && t != "" {
			return t, nil
		}
	}
	if d := m.p.DefaultTaxType; d != "" && d != TaxNone {
		return d, nil
	}
	at := ""
	if rate != "" {
		at = " at " + rate + "%"
	}
	return "", domain.Errorf(domain.EInvalid,
		"%s: line %q is taxed%s but no Xero tax type is set for it — add the rate to tax_rate_map or set default_xero_tax_type, then retry",
		m.what, desc, at).WithCode("tax_type_unmapped")
}

// balance appends a rounding line when Xero's total of lines misses target
// by at most 0.05 per line; a larger gap is an error, never posted.
func (m lineMapper) balance(lines []xero.LineItem, target decimal.Decimal) ([]xero.LineItem, error) {
	diff := target.Sub(XeroTotal(lines))
	if diff.IsZero() {
		return lines, nil
	}
	tol := decimal.RequireFromString(roundingTolerancePerLn).Mul(decimal.NewFromInt(int64(max(len(lines), 1))))
	if diff.Abs().GreaterThan(tol) {
		return nil, domain.Errorf(domain.EInvalid,
			"%s totals %s but its lines add up to %s — check its discounts, taxes and adjustments in Magento, then retry",
			m.what, target.StringFixed(2), XeroTotal(lines).StringFixed(2)).WithCode("unbalanced")
	}
	account := m.p.RoundingAccountCode
	if account == "" {
		account = m.p.DefaultRevenueAccountCode
	}
	return append(lines, xero.LineItem{
		Description: DescRounding,
		Quantity:    xero.MoneyPtr(one),
		UnitAmount:  xero.MoneyPtr(diff),
		AccountCode: account,
		TaxType:     TaxNone,
		TaxAmount:   xero.MoneyPtr(decimal.Zero),
	}), nil
}

// checkCurrency refuses a currency the organisation has not enabled, when
// the enabled list is known. The base currency is always enabled.
func checkCurrency(code string, ref *domain.ReferenceCache) error {
	if ref == nil || len(ref.Currencies) == 0 || code == "" {
		return nil
	}
	if strings.EqualFold(code, ref.Organisation.BaseCurrency) {
		return nil
	}
	for _, c := range ref.Currencies {
		if strings.EqualFold(c, code) {
			return nil
		}
	}
	return domain.Errorf(domain.EInvalid,
		"Xero organisation does not have %s enabled — enable %s in Xero → Settings → Currencies, then retry", code, code).WithCode("currency_not_enabled")
}

// numbered applies invoice_number_prefix, never twice.
func numbered(prefix, number string) string {
	if prefix == "" || strings.HasPrefix(number, prefix) {
		return number
	}
	return prefix + number
}
