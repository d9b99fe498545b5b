package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Stable codes of a policy validation error (Error.Code).
const (
	CodeNotInReference = "not_in_reference"
	CodeInvalidFormat  = "invalid_format"
	CodeOutOfRange     = "out_of_range"
)

// MaxInvoicePrefixLen is the longest invoice_number_prefix accepted.
const MaxInvoicePrefixLen = 10

// MaxPaymentTermsDays is the largest default_xero_payment_terms_days accepted.
const MaxPaymentTermsDays = 365

// RevenueAccountTypes are the Xero account types a sales line may post to.
var RevenueAccountTypes = []string{"REVENUE", "SALES", "OTHERINCOME", "DIRECTCOSTS", "EXPENSE", "OVERHEADS"}

// policyKeys is the order keys are listed in (the order of Policy's fields).
var policyKeys = []string{
	"sync_unpaid_invoices",
	"sync_zero_value_invoices",
	"sync_since",
	"website_filter",
	"store_filter",
	"default_xero_revenue_account_code",
	"default_xero_tax_type",
	"default_bank_account_id",
	"payment_method_map",
	"invoice_number_prefix",
	"customer_name_priority",
	"xero_invoice_status_default",
	"default_xero_payment_terms_days",
	"tax_rate_map",
	"rounding_account_code",
	"refund_adjustment_account_code",
	"guest_contact_mode",
}

// PolicyKeys lists every key of Policy that `binding set` accepts, in a
// stable order (the order `binding show` prints them in).
func PolicyKeys() []string { return slices.Clone(policyKeys) }

// Get returns the JSON text of one policy key, or "" for an unknown key.
func (p Policy) Get(key string) string {
	if !slices.Contains(policyKeys, key) {
		return ""
	}
	b, err := json.Marshal(p)
	if err != nil {
		return ""
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return ""
	}
	return string(m[key])
}

// Set validates value for key and stores it, the way the settings form does.
// value is JSON; text that is not JSON (a bare word such as OUTPUT2) is taken
// as a string. Keys that name Xero objects are checked against ref. On error
// p is unchanged and the error is an EInvalid *Error whose Code is one of
// CodeNotInReference, CodeInvalidFormat or CodeOutOfRange.
func (p *Policy) Set(key, value string, ref *ReferenceCache) error {
	v := parseValue(value)
	s := setter{key: key, ref: ref}
	q := *p
	var err error
	switch key {
	case "sync_unpaid_invoices":
		q.SyncUnpaidInvoices, err = s.boolean(v)
	case "sync_zero_value_invoices":
		q.SyncZeroValueInvoices, err = s.boolean(v)
	case "sync_since":
		q.SyncSince, err = s.date(v)
	case "website_filter":
		q.WebsiteFilter, err = s.ids(v)
	case "store_filter":
		q.StoreFilter, err = s.ids(v)
	case "default_xero_revenue_account_code":
		q.DefaultRevenueAccountCode, err = s.revenueAccount(v)
	case "rounding_account_code":
		q.RoundingAccountCode, err = s.revenueAccount(v)
	case "refund_adjustment_account_code":
		q.RefundAdjustmentAccountCode, err = s.revenueAccount(v)
	case "default_xero_tax_type":
		q.DefaultTaxType, err = s.taxTypeValue(v)
	case "default_bank_account_id":
		q.DefaultBankAccountID, err = s.bankAccountValue(v)
	case "payment_method_map":
		q.PaymentMethodMap, err = s.methodMap(v)
	case "invoice_number_prefix":
		q.InvoiceNumberPrefix, err = s.prefix(v)
	case "customer_name_priority":
		q.CustomerNamePriority, err = s.oneOf(v, NamePriorityCompany, NamePriorityPerson)
	case "xero_invoice_status_default":
		q.InvoiceStatusDefault, err = s.oneOf(v, InvoiceDraft, InvoiceSubmitted, InvoiceAuthorised)
	case "default_xero_payment_terms_days":
		q.PaymentTermsDays, err = s.terms(v)
	case "tax_rate_map":
		q.TaxRateMap, err = s.rateMap(v)
	case "guest_contact_mode":
		q.GuestContactMode, err = s.oneOf(v, GuestPerEmail, GuestSingle)
	default:
		return invalid(CodeInvalidFormat, "%q is not a sync-policy key — use one of: %s", key, strings.Join(policyKeys, ", "))
	}
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// parseValue decodes value as JSON, or takes it as a string when it is not.
func parseValue(value string) any {
	dec := json.NewDecoder(strings.NewReader(value))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil {
		var rest json.RawMessage
		if dec.Decode(&rest) == io.EOF { // exactly one JSON value
			return v
		}
	}
	return strings.TrimSpace(value)
}

func invalid(code, format string, args ...any) *Error {
	return Errorf(EInvalid, format, args...).WithCode(code)
}

type setter struct {
	key string
	ref *ReferenceCache
}

func (s setter) fail(code, format string, args ...any) *Error {
	return invalid(code, s.key+": "+format, args...)
}

func describe(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil || len(b) > 60 {
		return "the value given"
	}
	return string(bytes.TrimSpace(b))
}

func (s setter) boolean(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, s.fail(CodeInvalidFormat, "%s is not a boolean — use true or false", describe(v))
	}
	return b, nil
}

// text accepts a JSON string or a JSON number (a bare 200 means "200");
// null and "" return "".
func (s setter) text(v any) (string, error) {
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		if !utf8.ValidString(t) {
			return "", s.fail(CodeInvalidFormat, "the value is not valid UTF-8 text — retype it")
		}
		return strings.TrimSpace(t), nil
	case json.Number:
		return t.String(), nil
	}
	return "", s.fail(CodeInvalidFormat, "%s is not text — give a single value such as \"200\"", describe(v))
}

func (s setter) date(v any) (*string, error) {
	str, err := s.text(v)
	if err != nil {
		return nil, s.fail(CodeInvalidFormat, "%s is not a date — use YYYY-MM-DD, or null for no limit", describe(v))
	}
	if str == "" {
		return nil, nil
	}
	if _, err := time.Parse(time.DateOnly, str); err != nil {
		return nil, s.fail(CodeInvalidFormat, "%q is not a date — use YYYY-MM-DD, or null for no limit", str)
	}
	return &str, nil
}

func (s setter) ids(v any) ([]int64, error) {
	if v == nil {
		return []int64{}, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, s.fail(CodeInvalidFormat, "%s is not a list — use a JSON array of ids such as [1,2], or [] for all", describe(v))
	}
	out := make([]int64, 0, len(arr))
	for _, e := range arr {
		n, ok := e.(json.Number)
		if !ok {
			return nil, s.fail(CodeInvalidFormat, "%s is not an id — use whole numbers such as [1,2]", describe(e))
		}
		i, err := n.Int64()
		if err != nil {
			return nil, s.fail(CodeInvalidFormat, "%s is not a whole number — use ids such as [1,2]", n)
		}
		if i < 0 {
			return nil, s.fail(CodeOutOfRange, "%d is negative — Magento ids are 0 or more", i)
		}
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out, nil
}

func (s setter) needRef() *Error {
	if s.ref == nil || len(s.ref.Accounts) == 0 && len(s.ref.TaxRates) == 0 {
		return s.fail(CodeNotInReference, "ledger has no reference data for this Xero organisation yet — connect Xero and refresh the reference data first")
	}
	return nil
}

func (s setter) revenueAccount(v any) (string, error) {
	code, err := s.text(v)
	if err != nil || code == "" {
		return "", err
	}
	if err := s.needRef(); err != nil {
		return "", err
	}
	for _, a := range s.ref.Accounts {
		if !strings.EqualFold(a.Code, code) {
			continue
		}
		if !strings.EqualFold(a.Status, "ACTIVE") {
			return "", s.fail(CodeNotInReference, "account '%s' is archived in Xero — pick an active account from the list", code)
		}
		if !slices.Contains(RevenueAccountTypes, strings.ToUpper(a.Type)) {
			return "", s.fail(CodeNotInReference, "account '%s' is a %s account, not a revenue or expense account — pick one of type %s", code, a.Type, strings.Join(RevenueAccountTypes, ", "))
		}
		return a.Code, nil
	}
	return "", s.fail(CodeNotInReference, "account '%s' is not in this organisation's chart of accounts — refresh the reference data or pick one from the list", code)
}

func (s setter) taxTypeValue(v any) (string, error) {
	t, err := s.text(v)
	if err != nil || t == "" {
		return "", err
	}
	return s.taxType(t)
}

// taxType checks one TaxType against the cache. NONE is Xero's built-in
// "no tax" type and is always accepted.
func (s setter) taxType(t string) (string, error) {
	if strings.EqualFold(t, "NONE") {
		return "NONE", nil
	}
	if err := s.needRef(); err != nil {
		return "", err
	}
	for _, r := range s.ref.TaxRates {
		if !strings.EqualFold(r.TaxType, t) {
			continue
		}
		if r.Status != "" && !strings.EqualFold(r.Status, "ACTIVE") {
			return "", s.fail(CodeNotInReference, "tax type '%s' is not active in Xero — pick an active tax rate from the list", t)
		}
		return r.TaxType, nil
	}
	return "", s.fail(CodeNotInReference, "tax type '%s' is not one of this organisation's tax rates — refresh the reference data or pick one from the list", t)
}

func (s setter) bankAccountValue(v any) (string, error) {
	id, err := s.text(v)
	if err != nil || id == "" {
		return "", err
	}
	return s.bankAccount(id)
}

func (s setter) bankAccount(id string) (string, error) {
	if err := s.needRef(); err != nil {
		return "", err
	}
	a, ok := s.ref.AccountByID(id)
	if !ok {
		return "", s.fail(CodeNotInReference, "account id '%s' is not in this organisation's chart of accounts — refresh the reference data or pick a bank account from the list", id)
	}
	if !strings.EqualFold(a.Status, "ACTIVE") {
		return "", s.fail(CodeNotInReference, "account '%s' is archived in Xero — pick an active bank account", a.Name)
	}
	if !a.Payable() {
		return "", s.fail(CodeNotInReference, "account '%s' is not a bank account and does not accept payments — pick a BANK account or enable payments to it in Xero", a.Name)
	}
	return a.AccountID, nil
}

func (s setter) methodMap(v any) (map[string]*string, error) {
	if v == nil {
		return map[string]*string{}, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, s.fail(CodeInvalidFormat, "%s is not an object — use {\"method_code\": \"<Xero AccountID>\"} or null for don't auto-pay", describe(v))
	}
	out := make(map[string]*string, len(obj))
	for method, val := range obj {
		method = strings.TrimSpace(method)
		if method == "" {
			return nil, s.fail(CodeInvalidFormat, "a payment method code is empty — use Magento's method codes such as checkmo")
		}
		if val == nil {
			out[method] = nil
			continue
		}
		str, ok := val.(string)
		if !ok || strings.TrimSpace(str) == "" {
			return nil, s.fail(CodeInvalidFormat, "the account for method %q must be a Xero AccountID, or null for don't auto-pay", method)
		}
		id, err := s.bankAccount(strings.TrimSpace(str))
		if err != nil {
			return nil, err
		}
		out[method] = &id
	}
	return out, nil
}

func (s setter) prefix(v any) (string, error) {
	str, err := s.text(v)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(str); n > MaxInvoicePrefixLen {
		return "", s.fail(CodeOutOfRange, "%q is %d characters long — use at most %d", str, n, MaxInvoicePrefixLen)
	}
	for _, r := range str {
		if !unicode.IsPrint(r) {
			return "", s.fail(CodeInvalidFormat, "the prefix contains a control character — use printable characters only")
		}
	}
	return str, nil
}

func (s setter) oneOf(v any, allowed ...string) (string, error) {
	str, _ := v.(string)
	for _, a := range allowed {
		if strings.EqualFold(str, a) {
			return a, nil
		}
	}
	return "", s.fail(CodeInvalidFormat, "%s is not allowed — use one of %s", describe(v), strings.Join(allowed, ", "))
}

func (s setter) terms(v any) (*int, error) {
	if v == nil {
		return nil, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, s.fail(CodeInvalidFormat, "%s is not a number of days — use a whole number from 0 to %d, or null for the default of %d", describe(v), MaxPaymentTermsDays, DefaultTermsDays)
	}
	i, err := n.Int64()
	if err != nil {
		return nil, s.fail(CodeInvalidFormat, "%s is not a whole number of days — use a whole number from 0 to %d", n, MaxPaymentTermsDays)
	}
	if i < 0 || i > MaxPaymentTermsDays {
		return nil, s.fail(CodeOutOfRange, "%d days is outside 0–%d — use a whole number in that range", i, MaxPaymentTermsDays)
	}
	d := int(i)
	return &d, nil
}

func (s setter) rateMap(v any) (map[string]string, error) {
	if v == nil {
		return map[string]string{}, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, s.fail(CodeInvalidFormat, "%s is not an object — use {\"20.00\": \"OUTPUT2\"}", describe(v))
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		rate, err := NormaliseRate(k)
		if err != nil {
			return nil, s.fail(CodeInvalidFormat, "%q is not a tax rate — use a percentage such as \"20.00\"", k)
		}
		if d, _ := decimal.NewFromString(rate); d.IsNegative() || d.GreaterThan(decimal.NewFromInt(100)) {
			return nil, s.fail(CodeOutOfRange, "rate %s%% is outside 0–100 — use a percentage such as \"20.00\"", rate)
		}
		if _, dup := out[rate]; dup {
			return nil, s.fail(CodeInvalidFormat, "rate %s%% is given twice — give each rate once", rate)
		}
		str, ok := val.(string)
		if !ok || strings.TrimSpace(str) == "" {
			return nil, s.fail(CodeInvalidFormat, "the tax type for rate %s%% must be a Xero TaxType such as \"OUTPUT2\"", rate)
		}
		t, err := s.taxType(strings.TrimSpace(str))
		if err != nil {
			return nil, err
		}
		out[rate] = t
	}
	return out, nil
}

// NormaliseRate writes a percentage with exactly two decimals ("20" →
// "20.00"), the form of TaxRateMap's keys.
func NormaliseRate(s string) (string, error) {
	d, err := decimal.NewFromString(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil {
		return "", fmt.Errorf("rate %q: %w", s, err)
	}
	return d.StringFixed(2), nil
}

// AccountByID finds an account of the cache by its AccountID (GUIDs compare
// case-insensitively).
func (r *ReferenceCache) AccountByID(id string) (Account, bool) {
	if r == nil {
		return Account{}, false
	}
	for _, a := range r.Accounts {
		if strings.EqualFold(a.AccountID, id) {
			return a, true
		}
	}
	return Account{}, false
}

// Payable reports whether Xero accepts payments into the account: a BANK
// account, or one with "enable payments to this account" set.
func (a Account) Payable() bool {
	return strings.EqualFold(a.Type, "BANK") || a.PaymentsEnabled
}
