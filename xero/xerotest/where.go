package xerotest

import (
	"strings"
)

// clause is one `Field==value` term of a where filter.
type clause struct{ field, value string }

// parseWhere reads the subset of Xero's where syntax ledger sends:
// terms `Field=="text"` or `Field==guid("id")` joined by OR. ok is false
// for anything else.
func parseWhere(s string) (terms []clause, ok bool) {
	for s = strings.TrimSpace(s); s != ""; {
		field, rest, found := strings.Cut(s, "==")
		if !found {
			return nil, false
		}
		field = strings.TrimSpace(field)
		rest = strings.TrimSpace(rest)
		guid := false
		if strings.HasPrefix(rest, "guid(") {
			guid, rest = true, rest[len("guid("):]
		}
		if !strings.HasPrefix(rest, `"`) {
			return nil, false
		}
		var b strings.Builder
		i := 1
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' && i+1 < len(rest) {
				i++
			}
			b.WriteByte(rest[i])
		}
		if i >= len(rest) {
			return nil, false
		}
		rest = rest[i+1:]
		if guid {
			if !strings.HasPrefix(rest, ")") {
				return nil, false
			}
			rest = rest[1:]
		}
		terms = append(terms, clause{field, b.String()})
		rest = strings.TrimSpace(rest)
		if rest == "" {
			break
		}
		after, isOr := strings.CutPrefix(rest, "OR ")
		if !isOr {
			return nil, false
		}
		s = strings.TrimSpace(after)
	}
	return terms, true
}

// matchWhere reports whether get(field) equals any term's value.
func matchWhere(terms []clause, get func(field string) string) bool {
	for _, t := range terms {
		if strings.EqualFold(get(t.field), t.value) {
			return true
		}
	}
	return false
}
