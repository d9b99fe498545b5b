package xero

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads every date form Xero sends: "/Date(1234567890000)/",
// "/Date(1234567890000+0000)/" (milliseconds since the epoch, UTC; the
// offset is informational), zone-less "2026-04-29T10:11:12[.fffffff]"
// (UTC), RFC 3339 with a zone, and a bare "2026-04-29".
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "/Date(") && strings.HasSuffix(s, ")/") {
		inner := s[len("/Date(") : len(s)-2]
		if i := strings.LastIndexAny(inner, "+-"); i > 0 {
			off := inner[i+1:]
			if len(off) != 4 || !allDigits(off) {
				return time.Time{}, fmt.Errorf("xero: bad /Date()/ offset in %q", s)
			}
			inner = inner[:i]
		}
		ms, err := strconv.ParseInt(inner, 10, 64)
		if err != nil || ms < -62135596800000 || ms > 253402300799999 {
			return time.Time{}, fmt.Errorf("xero: bad /Date()/ value %q", s)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("xero: unrecognised date %q", s)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// DateOnly converts any Xero date form to "YYYY-MM-DD"; empty stays empty.
func DateOnly(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	t, err := ParseTime(s)
	if err != nil {
		return "", err
	}
	return t.Format("2006-01-02"), nil
}

// Time is a timestamp read from Xero in any of its forms. It marshals as
// RFC 3339 UTC.
type Time struct{ time.Time }

// UnmarshalJSON accepts null, "" and every form ParseTime reads.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("xero: date is not a string: %w", err)
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON writes RFC 3339 in UTC (or null for the zero time).
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}
