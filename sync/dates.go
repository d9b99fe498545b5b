package sync

import (
	"strings"
	"time"
	_ "time/tzdata" // organisation time zones work on hosts without zoneinfo

	"ledger/domain"
)

// magentoTime parses a canonical timestamp (RFC 3339 UTC); Magento's core
// "YYYY-MM-DD HH:MM:SS" (UTC) is accepted too.
func magentoTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateTime, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// orgLocation is the organisation's time zone: an IANA name, or one of
// Xero's Organisation.Timezone codes (e.g. GMTSTANDARDTIME); UTC if unknown.
func orgLocation(ref *domain.ReferenceCache) *time.Location {
	if ref == nil || ref.Organisation.Timezone == "" {
		return time.UTC
	}
	tz := ref.Organisation.Timezone
	if iana, ok := xeroZones[strings.ToUpper(tz)]; ok {
		tz = iana
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// orgDate is the calendar date in the organisation's time zone of a Magento
// timestamp, as YYYY-MM-DD.
func orgDate(createdAt, what string, ref *domain.ReferenceCache) (time.Time, error) {
	t, ok := magentoTime(createdAt)
	if !ok {
		return time.Time{}, domain.Errorf(domain.EInvalid,
			"%s has no valid creation time (%q) — check the record in Magento, then retry", what, createdAt).WithCode(domain.CodeInvalidFormat)
	}
	t = t.In(orgLocation(ref))
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }

// xeroZones maps Xero's (Windows-derived) Organisation.Timezone codes to IANA
// names, following CLDR's windowsZones table for the common ones.
var xeroZones = map[string]string{
	"UTC":                         "UTC",
	"GMTSTANDARDTIME":             "Europe/London",
	"GREENWICHSTANDARDTIME":       "Atlantic/Reykjavik",
	"WEUROPESTANDARDTIME":         "Europe/Berlin",
	"ROMANCESTANDARDTIME":         "Europe/Paris",
	"CENTRALEUROPESTANDARDTIME":   "Europe/Budapest",
	"CENTRALEUROPEANSTANDARDTIME": "Europe/Warsaw",
	"EEUROPESTANDARDTIME":         "Europe/Chisinau",
	"FLESTANDARDTIME":             "Europe/Kiev",
	"GTBSTANDARDTIME":             "Europe/Bucharest",
	"TURKEYSTANDARDTIME":          "Europe/Istanbul",
	"RUSSIANSTANDARDTIME":         "Europe/Moscow",
	"SOUTHAFRICASTANDARDTIME":     "Africa/Johannesburg",
	"EGYPTSTANDARDTIME":           "Africa/Cairo",
	"ARABIANSTANDARDTIME":         "Asia/Dubai",
	"INDIASTANDARDTIME":           "Asia/Kolkata",
	"SEASIASTANDARDTIME":          "Asia/Bangkok",
	"SINGAPORESTANDARDTIME":       "Asia/Singapore",
	"CHINASTANDARDTIME":           "Asia/Shanghai",
	"TAIPEISTANDARDTIME":          "Asia/Taipei",
	"TOKYOSTANDARDTIME":           "Asia/Tokyo",
	"KOREASTANDARDTIME":           "Asia/Seoul",
	"WAUSTRALIASTANDARDTIME":      "Australia/Perth",
	"CENAUSTRALIASTANDARDTIME":    "Australia/Adelaide",
	"AUSCENTRALSTANDARDTIME":      "Australia/Darwin",
	"EAUSTRALIASTANDARDTIME":      "Australia/Brisbane",
	"AUSEASTERNSTANDARDTIME":      "Australia/Sydney",
	"TASMANIASTANDARDTIME":        "Australia/Hobart",
	"NEWZEALANDSTANDARDTIME":      "Pacific/Auckland",
	"FIJISTANDARDTIME":            "Pacific/Fiji",
	"HAWAIIANSTANDARDTIME":        "Pacific/Honolulu",
	"ALASKANSTANDARDTIME":         "America/Anchorage",
	"PACIFICSTANDARDTIME":         "America/Los_Angeles",
	"MOUNTAINSTANDARDTIME":        "America/Denver",
	"USMOUNTAINSTANDARDTIME":      "America/Phoenix",
	"CENTRALSTANDARDTIME":         "America/Chicago",
	"EASTERNSTANDARDTIME":         "America/New_York",
	"USEASTERNSTANDARDTIME":       "America/Indianapolis",
	"ATLANTICSTANDARDTIME":        "America/Halifax",
	"NEWFOUNDLANDSTANDARDTIME":    "America/St_Johns",
	"CANADACENTRALSTANDARDTIME":   "America/Regina",
	"ESOUTHAMERICASTANDARDTIME":   "America/Sao_Paulo",
	"ARGENTINASTANDARDTIME":       "America/Buenos_Aires",
	"SAPACIFICSTANDARDTIME":       "America/Bogota",
	"ISRAELSTANDARDTIME":          "Asia/Jerusalem",
	"ARABSTANDARDTIME":            "Asia/Riyadh",
	"PAKISTANSTANDARDTIME":        "Asia/Karachi",
	"BANGLADESHSTANDARDTIME":      "Asia/Dhaka",
	"SRILANKASTANDARDTIME":        "Asia/Colombo",
	"NEPALSTANDARDTIME":           "Asia/Katmandu",
	"MYANMARSTANDARDTIME":         "Asia/Rangoon",
	"WESTPACIFICSTANDARDTIME":     "Pacific/Port_Moresby",
	"TONGASTANDARDTIME":           "Pacific/Tongatapu",
	"SAMOASTANDARDTIME":           "Pacific/Apia",
}
