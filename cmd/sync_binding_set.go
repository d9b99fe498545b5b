package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

// runBindingSet is `ledger binding set ID KEY VALUE`: one sync-policy key
// through domain.Policy.Set with the binding's reference cache, exactly as
// the settings form validates it. A refusal names its code
// (not_in_reference, invalid_format, out_of_range). Runs already queued
// keep their policy snapshot; new events use the new value.
func runBindingSet(d *deps, c *cobra.Command, args []string) error {
	id, err := parseBindingID(args[0])
	if err != nil {
		return err
	}
	key, value := args[1], args[2]
	var got string
	err = d.withDB(c, readWrite, nil, func(db *store.DB) error {
		ref, err := db.Reference(id)
		if domain.IsKind(err, domain.ENotFound) {
			ref, err = nil, nil
		}
		if err != nil {
			return err
		}
		b, err := db.UpdateBinding(id, func(b *domain.Binding) error {
			return b.Policy.Set(key, value, ref)
		})
		if err != nil {
			return err
		}
		got = b.Policy.Get(key)
		return nil
	})
	if err != nil {
		if code := domain.CodeOf(err); code != "" && domain.IsKind(err, domain.EInvalid) {
			return domain.Errorf(domain.EInvalid, "%s (%s)", domain.MessageOf(err), code)
		}
		return err
	}
	fmt.Fprintf(c.OutOrStdout(), "binding %d: %s = %s\n", id, key, got)
	return nil
}
