package magentotest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/shopspring/decimal"
)

var (
	decimalType = reflect.TypeOf(decimal.Decimal{})
	rawType     = reflect.TypeOf(json.RawMessage(nil))
)

// Wire encodes a canonical entity the way Magento's output processor does:
// keys in struct order, omitempty fields omitted when nil, decimals as JSON
// numbers printed like PHP floats ("10.0", "27.6"), ints as ints.
func Wire(v any) []byte {
	var b bytes.Buffer
	wire(&b, reflect.ValueOf(v))
	return b.Bytes()
}

func wire(b *bytes.Buffer, v reflect.Value) {
	switch {
	case v.Type() == decimalType:
		d := v.Interface().(decimal.Decimal)
		s := d.String()
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		b.WriteString(s)
		return
	case v.Type() == rawType:
		if v.Len() == 0 {
			b.WriteString("null")
		} else {
			b.Write(v.Bytes())
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		wire(b, v.Elem())
	case reflect.Struct:
		b.WriteByte('{')
		first := true
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if strings.Contains(opts, "omitempty") && fv.IsZero() && fv.Kind() != reflect.Struct {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			k, _ := json.Marshal(name)
			b.Write(k)
			b.WriteByte(':')
			wire(b, fv)
		}
		b.WriteByte('}')
	case reflect.Slice:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			wire(b, v.Index(i))
		}
		b.WriteByte(']')
	default:
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		enc.Encode(v.Interface())
		b.Truncate(b.Len() - 1) // the encoder's newline
	}
}
