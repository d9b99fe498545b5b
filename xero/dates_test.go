package xero_test

import (
	"encoding/json"
	"testing"
	"time"

	"ledger/xero"
)

func TestParseTime(t *testing.T) {
	utc := func(y int, m time.Month, d, h, mi, s, ms int) time.Time {
		return time.Date(y, m, d, h, mi, s, ms*1e6, time.UTC)
	}
	for _, tc := range []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"/Date(1234567890000+0000)/", utc(2009, 2, 13, 23, 31, 30, 0), false},
		{"/Date(1234567890123)/", utc(2009, 2, 13, 23, 31, 30, 123), false},
		{"/Date(1234567890000+1300)/", utc(2009, 2, 13, 23, 31, 30, 0), false},
		{"/Date(-86400000+0000)/", utc(1969, 12, 31, 0, 0, 0, 0), false},
		{"2026-04-29T10:11:12", utc(2026, 4, 29, 10, 11, 12, 0), false},
		{"2019-12-07T18:46:19.5165400", time.Date(2019, 12, 7, 18, 46, 19, 516540000, time.UTC), false},
		{"2026-04-29", utc(2026, 4, 29, 0, 0, 0, 0), false},
		{"2026-04-29T10:11:12+02:00", utc(2026, 4, 29, 8, 11, 12, 0), false},
		{"/Date(abc)/", time.Time{}, true},
		{"/Date(1+00)/", time.Time{}, true},
		{"/Date(99999999999999999999)/", time.Time{}, true},
		{"29/04/2026", time.Time{}, true},
		{"", time.Time{}, true},
	} {
		got, err := xero.ParseTime(tc.in)
		if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v (err %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestTimeJSON(t *testing.T) {
	var v struct{ A, B, C xero.Time }
	if err := json.Unmarshal([]byte(`{"A":"/Date(1518685950940+0000)/","B":null,"C":""}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.UnixMilli() != 1518685950940 || !v.B.IsZero() || !v.C.IsZero() {
		t.Errorf("decoded %+v", v)
	}
	if err := json.Unmarshal([]byte(`{"A":12}`), &v); err == nil {
		t.Error("number accepted as a date")
	}
}

// FuzzParseTime: no input panics, and every accepted /Date()/ value
// round-trips through its millisecond count.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"/Date(1234567890000+0000)/", "2026-04-29T10:11:12", "2026-04-29", "/Date(-1)/", "/Date(+)/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := xero.ParseTime(s)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) not UTC", s)
		}
		var v struct{ T xero.Time }
		b, _ := json.Marshal(map[string]string{"T": s})
		if err := json.Unmarshal(b, &v); err != nil || !v.T.Equal(got) {
			t.Fatalf("JSON decode of %q = %v, %v; want %v", s, v.T, err, got)
		}
	})
}

// FuzzDecodeInvoices: Xero response bodies never panic the decoder.
func FuzzDecodeInvoices(f *testing.F) {
	f.Add([]byte(`{"Invoices":[{"InvoiceID":"x","Total":12.30,"Date":"/Date(1518685950940+0000)/","UpdatedDateUTC":"/Date(1518685950940+0000)/"}]}`))
	f.Add([]byte(`{"Invoices":[{"Total":"1e400"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var out struct{ Invoices []xero.Invoice }
		if json.Unmarshal(b, &out) != nil {
			return
		}
		for _, v := range out.Invoices {
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("re-encode: %v", err)
			}
		}
	})
}
