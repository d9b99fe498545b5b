package dashboard

import (
	"net/url"
	"strconv"
	"strings"
)

// Sync history's binding filter. A merchant or small agency picks a binding
// from a <select>; with more visible bindings than bindingSelectMax that
// select would weigh more than the history itself, so the form offers a
// text field instead: a binding id, or words of a Magento host or Xero
// organisation that the server resolves to one visible binding.

const (
	// bindingSelectMax is the most bindings the filter lists in a select.
	bindingSelectMax = 50
	// bindingMatchMax is the most matches offered when a search is ambiguous.
	bindingMatchMax = 20
)

// bindingFilter is the binding part of the filter form and its outcome.
type bindingFilter struct {
	Options []option       // the select; nil when Search
	Search  bool           // a text field instead of the select
	Query   string         // what the text field holds
	Matches []bindingMatch // an ambiguous search: bindings to choose from
	More    int            // matches beyond Matches
	Error   string         // the search resolved to nothing
	ID      uint64         // the binding to filter on; 0 = any
}

// resolveBindingFilter resolves the binding query value against the
// visible bindings. A number is a binding id (the caller checks access);
// any other text is a case-insensitive search of host, organisation name
// and tenant id that must resolve to exactly one binding to filter on.
func resolveBindingFilter(vis []visibleBinding, value string) bindingFilter {
	value = strings.TrimSpace(value)
	bf := bindingFilter{Search: len(vis) > bindingSelectMax, Query: value}
	if value != "" {
		if id, err := strconv.ParseUint(value, 10, 64); err == nil {
			bf.ID = id
		} else {
			bf.search(vis, value)
		}
	}
	if !bf.Search {
		for _, v := range vis {
			bf.Options = append(bf.Options, option{Value: strconv.FormatUint(v.B.ID, 10),
				Label: bindingLabel(v), Selected: v.B.ID == bf.ID})
		}
	}
	return bf
}

func (bf *bindingFilter) search(vis []visibleBinding, value string) {
	needle := strings.ToLower(value)
	var hits []visibleBinding
	for _, v := range vis {
		for _, hay := range []string{v.MagentoHost(), v.B.XeroOrgName, v.T.ID} {
			if hay != "" && strings.Contains(strings.ToLower(hay), needle) {
				hits = append(hits, v)
				break
			}
		}
	}
	switch {
	case len(hits) == 0:
		bf.Error = "No connection matches “" + value + "”; search by connection number, Magento host or Xero organisation."
	case len(hits) == 1:
		bf.ID = hits[0].B.ID
	default:
		for i, v := range hits {
			if i == bindingMatchMax {
				bf.More = len(hits) - i
				break
			}
			bf.Matches = append(bf.Matches, bindingMatch{ID: v.B.ID, Label: "#" + strconv.FormatUint(v.B.ID, 10) + " " + bindingLabel(v)})
		}
	}
}

// bindingMatch is one binding an ambiguous search offers; Href is the
// same Sync history filter with the binding chosen.
type bindingMatch struct {
	ID          uint64
	Label, Href string
}

// link sets each match's Href: query with binding set to its id.
func (bf *bindingFilter) link(query url.Values) {
	for i := range bf.Matches {
		next := url.Values{}
		for _, k := range []string{"status", "magento_id"} {
			if query.Get(k) != "" {
				next.Set(k, query.Get(k))
			}
		}
		next.Set("binding", strconv.FormatUint(bf.Matches[i].ID, 10))
		bf.Matches[i].Href = "/dashboard/sync?" + next.Encode()
	}
}

// Total is how many bindings the search matched.
func (bf bindingFilter) Total() int { return len(bf.Matches) + bf.More }

// Pending is true when the search matched several bindings and the user
// must choose one before runs are listed.
func (bf bindingFilter) Pending() bool { return len(bf.Matches) > 0 || bf.Error != "" }

func bindingLabel(v visibleBinding) string {
	return v.MagentoHost() + " ↔ " + v.OrgName()
}
