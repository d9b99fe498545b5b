package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

// userRow is one line of `ledger user list`; it never holds a hash.
type userRow struct {
	ID        uint64 `json:"id"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	CreatedAt string `json:"created_at"`
}

func newUserListCommand(d *deps) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list [--json]",
		Short: "List dashboard users",
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			rows := []userRow{}
			err := d.withDB(c, readOnly, nil, func(db *store.DB) error {
				users, err := db.ListUsers()
				if err != nil {
					return err
				}
				for _, u := range users {
					rows = append(rows, userFromDomain(u))
				}
				return nil
			})
			if errors.Is(err, errNoDatabase) {
				err = nil // nothing stored yet: an empty list
			}
			if err != nil {
				return err // including a forwarded command, already printed
			}
			if asJSON {
				return writeJSON(c.OutOrStdout(), rows)
			}
			tw := newTable(c.OutOrStdout())
			fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tCREATED")
			for _, r := range rows {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.ID, r.Email, r.Role, r.CreatedAt)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return c
}

func userFromDomain(u *domain.User) userRow {
	return userRow{ID: u.ID, Email: u.Email, Role: string(u.Role), CreatedAt: fmtTime(&u.CreatedAt)}
}
