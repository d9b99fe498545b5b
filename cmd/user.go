package cmd

import "github.com/spf13/cobra"

func newUserCommand(d *deps) *cobra.Command {
	return newGroupCommand("user", "Manage dashboard users",
		newUserAddCommand(d),
		newUserListCommand(d),
	)
}
