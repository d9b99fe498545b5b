package cmd

import (
	"encoding/json"
	"fmt"
	"io"

	"ledger/domain"
)

// bindingShow is `binding show`: the binding's detail and the settings
// whose Xero object is no longer in the reference cache.
type bindingShow struct {
	*bindingDetail
	StaleSettings []staleSetting `json:"stale_settings"`
}

// staleSetting is a policy key that names a Xero object (an account, a tax
// rate, a bank account) the organisation no longer has, as last fetched.
type staleSetting struct {
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value"`
	Message string          `json:"message"`
}

// staleSettings re-validates every policy key with its current value
// against the binding's reference cache, the way the settings form would
// (Policy.Set), and returns those refused with not_in_reference. Without a
// cache (ref nil) nothing can be called stale.
func staleSettings(p domain.Policy, ref *domain.ReferenceCache) []staleSetting {
	out := []staleSetting{}
	if ref == nil {
		return out
	}
	for _, key := range domain.PolicyKeys() {
		q := p // Set only changes q on success; p stays as stored
		value := p.Get(key)
		if err := q.Set(key, value, ref); domain.CodeOf(err) == domain.CodeNotInReference {
			out = append(out, staleSetting{Key: key, Value: json.RawMessage(value), Message: domain.MessageOf(err)})
		}
	}
	return out
}

// printStaleSettings writes the text section after the policy.
func printStaleSettings(w io.Writer, stale []staleSetting) error {
	if len(stale) == 0 {
		_, err := fmt.Fprintln(w, "stale settings: none")
		return err
	}
	fmt.Fprintln(w, "stale settings (no longer in Xero's reference data; fix with `ledger binding set`):")
	for _, s := range stale {
		if _, err := fmt.Fprintf(w, "  %s = %s: %s\n", s.Key, s.Value, s.Message); err != nil {
			return err
		}
	}
	return nil
}
