package cmd

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"ledger/domain"
)

// Password rules. bcrypt reads at most 72 bytes.
const (
	minPasswordChars  = 12
	maxPasswordBytes  = 72
	defaultBcryptCost = 12
)

// checkPassword enforces the password rules.
func checkPassword(pw []byte) error {
	if utf8.RuneCount(pw) < minPasswordChars {
		return domain.Errorf(domain.EInvalid, "the password is too short; use at least %d characters", minPasswordChars)
	}
	if len(pw) > maxPasswordBytes {
		return domain.Errorf(domain.EInvalid, "the password is too long; use at most %d bytes", maxPasswordBytes)
	}
	return nil
}

// hashPassword returns the bcrypt hash the dashboard's login checks with
// bcrypt.CompareHashAndPassword.
func hashPassword(pw []byte, cost int) ([]byte, error) {
	if err := checkPassword(pw); err != nil {
		return nil, err
	}
	h, err := bcrypt.GenerateFromPassword(pw, cost)
	if err != nil {
		return nil, domain.Wrap(domain.EInternal, err, "could not hash the password")
	}
	return h, nil
}

// readPasswordStdin reads a password piped on stdin; one trailing newline is
// dropped.
func readPasswordStdin(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "could not read the password from stdin")
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 {
		return nil, domain.Errorf(domain.EInvalid, "no password on stdin; pipe it in, for example: printf %%s \"$PW\" | ledger user add … --password-stdin")
	}
	return b, nil
}

// promptPassword asks twice on the terminal without echo.
func (d *deps) promptPassword(w io.Writer) ([]byte, error) {
	if d.readSecret == nil || !d.stdinTerminal() {
		return nil, domain.Errorf(domain.EInvalid, "no password given; pass it on stdin with --password-stdin or run the command in a terminal")
	}
	fmt.Fprint(w, "Password: ")
	pw, err := d.readSecret()
	fmt.Fprintln(w)
	if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "could not read the password from the terminal")
	}
	if err := checkPassword(pw); err != nil {
		return nil, err
	}
	fmt.Fprint(w, "Repeat password: ")
	again, err := d.readSecret()
	fmt.Fprintln(w)
	if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "could not read the password from the terminal")
	}
	if !bytes.Equal(pw, again) {
		return nil, domain.Errorf(domain.EInvalid, "the passwords do not match; try again")
	}
	return pw, nil
}
