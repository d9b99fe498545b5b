package cmd

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for cmd's parsers of text it does not write itself: log
// lines quoting URLs from requests and from Xero or Magento (redactText),
// and the binding id, --since date and email an operator types.

// FuzzRedactText: a query value, userinfo or fragment of a URL in a log
// line never survives redaction, the rest of the line does, and redacting
// twice changes nothing more.
func FuzzRedactText(f *testing.F) {
	f.Add(`Get "https://ledger.test/oauth/xero/callback?code=`, "c0de", `&state=st4te": EOF`)
	f.Add("path /oauth/xero/callback?state=", "st4te", " failed")
	f.Add("https://user:", "pa55", "@shop.example.com/rest")
	f.Add("https://hooks.example.com/x#access_token=", "t0k", "")
	f.Add("is it? yes ", "secret", " no url")
	f.Fuzz(func(t *testing.T, before, secret, after string) {
		line := before + secret + after
		got := redactText(line)
		if again := redactText(got); again != got {
			t.Fatalf("redactText(%q) = %q, then %q", line, got, again)
		}
		if !strings.Contains(line, "://") && !strings.Contains(line, "?") && got != line {
			t.Fatalf("a line without a URL changed: %q → %q", line, got)
		}
		// A secret that is a query value of a URL in the line is gone.
		if len(secret) < 4 || strings.ContainsAny(secret, " \t\r\n\"'<>&#?=/@") || strings.Contains(redacted, secret) {
			return
		}
		u, err := url.Parse("https://ledger.test/p?k=" + secret)
		if err != nil || u.Query().Get("k") != secret {
			return
		}
		wrapped := before + " https://ledger.test/p?k=" + secret + " " + after
		if out := redactText(wrapped); strings.Count(out, secret) >= strings.Count(wrapped, secret) {
			t.Fatalf("query value %q kept: %q → %q", secret, wrapped, out)
		}
	})
}

// FuzzParseBindingID: ids read back as they print (leading zeros
// allowed); nothing else is an id.
func FuzzParseBindingID(f *testing.F) {
	for _, s := range []string{"10", "0", "-1", "+5", " 7", "18446744073709551616", "0x10", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseBindingID(s)
		if err != nil {
			if !strings.Contains(err.Error(), "ledger binding list") {
				t.Fatalf("parseBindingID(%q) error without advice: %v", s, err)
			}
			return
		}
		if id == 0 || strconv.FormatUint(id, 10) != strings.TrimLeft(s, "0") { // "010" is binding 10
			t.Fatalf("parseBindingID(%q) = %d", s, id)
		}
	})
}

// FuzzParseSince: --since is a real calendar date (spaces around it
// allowed) that prints back as itself, or empty.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"2026-01-31", "", " 2026-01-31 ", "2026-02-30", "31/01/2026", "2026-1-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseSince(s)
		if err != nil {
			return
		}
		if s == "" {
			if !got.IsZero() {
				t.Fatalf("parseSince(\"\") = %s", got)
			}
			return
		}
		if got.Location() != time.UTC || got.Format(time.DateOnly) != strings.TrimSpace(s) {
			t.Fatalf("parseSince(%q) = %s", s, got)
		}
	})
}

// FuzzNormaliseEmail: an accepted address is lower case, has no spaces
// around it and normalises to itself.
func FuzzNormaliseEmail(f *testing.F) {
	for _, s := range []string{"Ops@Example.com", " ops@example.com ", "Jo <jo@example.com>", "not-an-email", `"a b"@example.com`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := normaliseEmail(s)
		if err != nil {
			return
		}
		if got != strings.ToLower(got) || strings.TrimSpace(got) != got || !strings.Contains(got, "@") {
			t.Fatalf("normaliseEmail(%q) = %q", s, got)
		}
		if again, err := normaliseEmail(got); err != nil || again != got {
			t.Fatalf("normaliseEmail(%q) = %q, then %q, %v", s, got, again, err)
		}
	})
}
