package cmd

import (
	"net/mail"
	"strings"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

type userAddOptions struct {
	email         string
	role          string
	passwordStdin bool
}

func newUserAddCommand(d *deps) *cobra.Command {
	var o userAddOptions
	c := &cobra.Command{
		Use:   "add EMAIL --role admin|merchant [--password-stdin]",
		Short: "Add a dashboard user",
		Long: "add creates a dashboard user. The password (at least 12 characters) is read\n" +
			"from stdin with --password-stdin, else prompted for without echo.\n" +
			"It prints nothing but errors.",
		Example: "  printf %s \"$PASSWORD\" | ledger user add ops@agency.example --role admin --password-stdin",
		Args:    exactArgs(1, "one EMAIL"),
		RunE: func(c *cobra.Command, args []string) error {
			o.email = args[0]
			return d.userAdd(c, &o)
		},
	}
	c.Flags().StringVar(&o.role, "role", "", "admin (sees everything) or merchant (sees the stores they own)")
	c.Flags().BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from stdin")
	return c
}

func (d *deps) userAdd(c *cobra.Command, o *userAddOptions) error {
	if o.role == "" {
		return usageErrorf("--role is required (admin or merchant)")
	}
	role := domain.Role(o.role)
	if !role.Valid() {
		return domain.Errorf(domain.EInvalid, "unknown role %q; use admin or merchant", o.role)
	}
	email, err := normaliseEmail(o.email)
	if err != nil {
		return err
	}
	var pw []byte
	if o.passwordStdin {
		pw, err = readPasswordStdin(c.InOrStdin())
	} else {
		pw, err = d.promptPassword(c.ErrOrStderr())
	}
	if err != nil {
		return err
	}
	defer clear(pw)
	if err := checkPassword(pw); err != nil {
		return err
	}
	fwd := &forward{
		args:  []string{"user", "add", email, "--role", string(role), "--password-stdin"},
		stdin: pw,
	}
	return d.withDB(c, readWrite, fwd, func(db *store.DB) error {
		hash, err := hashPassword(pw, d.bcryptCost)
		if err != nil {
			return err
		}
		u, err := db.CreateUser(email, role, hash)
		if domain.IsKind(err, domain.EConflict) {
			return domain.Wrap(domain.EConflict, err, "a user with the email %s already exists; choose another email", email)
		}
		if err != nil {
			return err
		}
		d.log.Info("user added", "user_id", u.ID, "role", string(u.Role))
		return nil
	})
}

// normaliseEmail accepts a bare address and lower-cases it.
func normaliseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", domain.Errorf(domain.EInvalid, "%q is not an email address; give one like ops@example.com", s)
	}
	return strings.ToLower(s), nil
}
