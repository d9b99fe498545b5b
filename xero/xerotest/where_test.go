package xerotest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseWhere(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []clause
		ok   bool
	}{
		{``, nil, true},
		{`ContactNumber=="1" OR ContactNumber=="2"`, []clause{{"ContactNumber", "1"}, {"ContactNumber", "2"}}, true},
		{`Invoice.InvoiceID==guid("abc")`, []clause{{"Invoice.InvoiceID", "abc"}}, true},
		{`Name=="Q \"quoted\""`, []clause{{"Name", `Q "quoted"`}}, true},
		{`Name=="x" AND Name=="y"`, nil, false},
		{`Name=="unterminated`, nil, false},
		{`Status!="X"`, nil, false},
	} {
		got, ok := parseWhere(tc.in)
		if ok != tc.ok || (ok && !cmp.Equal(tc.want, got, cmp.AllowUnexported(clause{}))) {
			t.Errorf("parseWhere(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseWhere: no filter text panics the fake's parser.
func FuzzParseWhere(f *testing.F) {
	f.Add(`Reference=="a" OR Reference=="b"`)
	f.Fuzz(func(t *testing.T, s string) {
		terms, ok := parseWhere(s)
		if !ok && terms != nil {
			t.Fatalf("rejected %q but returned terms", s)
		}
	})
}
