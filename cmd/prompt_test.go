package cmd

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// runPrompted runs user add on a "terminal" that types the given lines.
func runPrompted(t *testing.T, dir string, typed ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	d := &deps{
		args:          []string{"user", "add", "ops@example.com", "--role", "admin", "--data-dir", dir},
		stdinTerminal: func() bool { return true },
		readSecret: func() ([]byte, error) {
			line := typed[0]
			typed = typed[1:]
			return []byte(line), nil
		},
		bcryptCost: bcrypt.MinCost,
	}
	code := run(d, &stdout, &stderr)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func TestUserAddPrompts(t *testing.T) {
	t.Run("mismatch", func(t *testing.T) {
		r := runPrompted(t, dataDir(t), testPassword, testPassword+"x")
		if r.code != exitError || !strings.HasSuffix(r.stderr, "ledger: the passwords do not match; try again\n") {
			t.Errorf("exit %d stderr %q", r.code, r.stderr)
		}
	})
	t.Run("too short stops before asking again", func(t *testing.T) {
		r := runPrompted(t, dataDir(t), "short")
		if r.code != exitError || !strings.Contains(r.stderr, "the password is too short") || strings.Contains(r.stderr, "Repeat") {
			t.Errorf("exit %d stderr %q", r.code, r.stderr)
		}
	})
	for _, mode := range []string{"direct", "through the server"} {
		t.Run(mode, func(t *testing.T) {
			dir := dataDir(t)
			if mode != "direct" {
				startServe(t, dir, nil)
			}
			r := runPrompted(t, dir, testPassword, testPassword)
			if r.code != 0 || r.stdout != "" || r.stderr != "Password: \nRepeat password: \n" {
				t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
			}
			out := mustRun(t, invocation{args: []string{"user", "list", "--data-dir", dir}}).stdout
			if !strings.Contains(out, "ops@example.com") {
				t.Errorf("user not added:\n%s", out)
			}
		})
	}
}
