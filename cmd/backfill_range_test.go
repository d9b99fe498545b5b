package cmd

import (
	"errors"
	"testing"
)

func TestParseRange(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want idRange
		ok   bool
	}{
		{"1-500", idRange{1, 500}, true},
		{" 7 - 9 ", idRange{7, 9}, true},
		{"42", idRange{42, 42}, true},
		{"0-5", idRange{}, false},
		{"9-7", idRange{}, false},
		{"-5", idRange{}, false},
		{"a-b", idRange{}, false},
		{"1-2-3", idRange{}, false},
		{"", idRange{}, false},
		{"1-1000001", idRange{}, false},
	} {
		got, err := parseRange("invoices", tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseRange(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		var usage *usageError
		if err != nil && !errors.As(err, &usage) {
			t.Errorf("parseRange(%q) error %v is not a usage error (exit 2)", tt.in, err)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"1-500", "42", "9-7", "-", "1--2", "99999999999999999999-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseRange("invoices", s)
		if err != nil {
			return
		}
		if r.From < 1 || r.To < r.From || r.Len() > maxBackfillRange {
			t.Fatalf("parseRange(%q) accepted %v", s, r)
		}
	})
}
