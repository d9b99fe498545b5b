package magento

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/shopspring/decimal"

	"ledger/domain"
)

// Decoders for the canonical entities (protocol §6.1): absent means null,
// amounts are decoded from their JSON text into exact decimals, unknown
// keys are ignored. Each checks the few invariants the sync relies on.

func serde(err error, what string) *domain.Error {
	return domain.Wrap(domain.EInternal, err,
		"Magento sent a %s ledger could not read — check the Byte8 module version.", what).WithCode(domain.ClassSerde)
}

func decodeObject(b []byte, v any, what string) error {
	if err := json.Unmarshal(b, v); err != nil {
		return serde(err, what)
	}
	if err := checkAmounts(reflect.ValueOf(v)); err != nil {
		return serde(err, what)
	}
	return nil
}

// maxAmountExponent bounds an amount's decimal exponent. PHP prints floats
// such as 27.6 or 1.0E-5; "1e999999999" is twelve bytes that take
// gigabytes and minutes to round or print, so it is refused like any
// unreadable body.
const maxAmountExponent = 64

var decimalType = reflect.TypeOf(decimal.Decimal{})

// checkAmounts walks a decoded entity and refuses any amount whose exponent
// is beyond ±maxAmountExponent.
func checkAmounts(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return checkAmounts(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == decimalType {
			if e := v.Interface().(decimal.Decimal).Exponent(); e > maxAmountExponent || e < -maxAmountExponent {
				return fmt.Errorf("amount with exponent %d", e)
			}
			return nil
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				if err := checkAmounts(v.Field(i)); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // gateway_metadata: raw JSON, never an amount
			return nil
		}
		for i := 0; i < v.Len(); i++ {
			if err := checkAmounts(v.Index(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// DecodeInvoice decodes GET /invoice/{id}. The header discount is
// normalised to ≤ 0 (Magento stores it negative; the sign is what the
// totals identity expects).
func DecodeInvoice(b []byte) (*Invoice, error) {
	var inv Invoice
	if err := decodeObject(b, &inv, "invoice"); err != nil {
		return nil, err
	}
	if inv.MagentoID < 1 || inv.Currency == "" {
		return nil, serde(fmt.Errorf("invoice magento_id %d currency %q", inv.MagentoID, inv.Currency), "invoice")
	}
	if inv.DiscountAmount.IsPositive() {
		inv.DiscountAmount = inv.DiscountAmount.Neg()
	}
	if inv.State != "paid" && inv.State != "cancelled" {
		inv.State = "open" // §6.5: anything else maps to open
	}
	return &inv, nil
}

// DecodeCreditMemo decodes GET /creditmemo/{id}.
func DecodeCreditMemo(b []byte) (*CreditMemo, error) {
	var cm CreditMemo
	if err := decodeObject(b, &cm, "credit memo"); err != nil {
		return nil, err
	}
	if cm.MagentoID < 1 || cm.Currency == "" {
		return nil, serde(fmt.Errorf("creditmemo magento_id %d currency %q", cm.MagentoID, cm.Currency), "credit memo")
	}
	return &cm, nil
}

// DecodeContact decodes GET /customer/{id}.
func DecodeContact(b []byte) (*Contact, error) {
	var c Contact
	if err := decodeObject(b, &c, "customer"); err != nil {
		return nil, err
	}
	if c.MagentoID < 1 {
		return nil, serde(fmt.Errorf("customer magento_id %d", c.MagentoID), "customer")
	}
	return &c, nil
}

// DecodePayment decodes GET /payment/{invoice id}.
func DecodePayment(b []byte) (*Payment, error) {
	var p Payment
	if err := decodeObject(b, &p, "payment"); err != nil {
		return nil, err
	}
	if p.InvoiceID < 1 || p.Currency == "" {
		return nil, serde(fmt.Errorf("payment invoice_id %d currency %q", p.InvoiceID, p.Currency), "payment")
	}
	return &p, nil
}
