package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestExitCodesAndMessages(t *testing.T) {
	dir := dataDir(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string // the first line of stderr
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, `ledger: unknown command "frobnicate" for "ledger"`},
		{"unknown subcommand", []string{"user", "frobnicate"}, exitUsage, `ledger: unknown command "frobnicate" for "ledger user"`},
		{"unknown flag", []string{"user", "list", "--bogus"}, exitUsage, "ledger: unknown flag: --bogus"},
		{"bad flag value", []string{"serve", "--xero-daily-budget", "lots"}, exitUsage, `ledger: invalid argument "lots" for "--xero-daily-budget" flag: give a valid value`},
		{"missing argument", []string{"binding", "show"}, exitUsage, "ledger: ledger binding show takes one binding ID (got 0 arguments)"},
		{"extra argument", []string{"version", "now"}, exitUsage, `ledger: unknown command "now" for "ledger version"`},
		{"missing role", []string{"user", "add", "a@example.com", "--password-stdin"}, exitUsage, "ledger: --role is required (admin or merchant)"},
		{"unknown role", []string{"user", "add", "a@example.com", "--role", "owner", "--password-stdin"}, exitError, `ledger: unknown role "owner"; use admin or merchant`},
		{"not an email", []string{"user", "add", "not-an-email", "--role", "admin", "--password-stdin"}, exitError, `ledger: "not-an-email" is not an email address; give one like ops@example.com`},
		{"bad binding id", []string{"binding", "show", "x1"}, exitError, `ledger: "x1" is not a binding id; ` + "`ledger binding list` shows the ids"},
		{"bad log level", []string{"user", "list", "--log-level", "loud"}, exitUsage, `ledger: --log-level must be debug, info, warn or error, not "loud"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, invocation{args: append(tt.args, "--data-dir", dir), stdin: testPassword})
			if r.code != tt.wantCode {
				t.Errorf("exit = %d, want %d (stderr %q)", r.code, tt.wantCode, r.stderr)
			}
			first, _, _ := strings.Cut(r.stderr, "\n")
			if first != tt.wantErr {
				t.Errorf("stderr first line:\n got %q\nwant %q", first, tt.wantErr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, ".go:") {
				t.Errorf("stderr looks like a stack trace: %q", r.stderr)
			}
		})
	}
}

// Every command of interfaces.md §3 exists and answers --help.
func TestEveryCommandHasHelp(t *testing.T) {
	want := []string{
		"serve", "version", "user add", "user list", "binding pair", "binding connect-xero",
		"binding list", "binding show", "binding set", "binding disconnect", "reference refresh",
		"sync list", "sync retry", "key rotate", "backup", "sync backfill", "reconcile", "demo",
	}
	for _, path := range want {
		t.Run(path, func(t *testing.T) {
			r := runCLI(t, invocation{args: append(strings.Fields(path), "--help")})
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "--data-dir") {
				t.Errorf("help lacks usage or --data-dir:\n%s", r.stdout)
			}
		})
	}
}

// The flags of interfaces.md §2 and §3 exist with their exact names.
func TestFlagNames(t *testing.T) {
	root := newRootCommand(&deps{})
	tests := map[string][]string{
		"serve": {"data-dir", "addr", "public-url", "master-key-file", "xero-client-id", "xero-client-secret",
			"xero-scopes", "xero-authorize-url", "xero-token-url", "xero-revoke-url", "xero-connections-url",
			"xero-api-url", "xero-daily-budget", "magento-allow-private", "log-format", "log-level"},
		"user add":      {"role", "password-stdin"},
		"user list":     {"json"},
		"binding pair":  {"magento-url", "code", "owner", "json"},
		"binding list":  {"json"},
		"binding show":  {"json"},
		"sync list":     {"binding", "status", "json"},
		"key rotate":    {"rewrap"},
		"sync backfill": {"invoices", "creditmemos", "dry-run"},
		"reconcile":     {"since", "json"},
	}
	for path, flags := range tests {
		c, _, err := root.Find(strings.Fields(path))
		if err != nil || c.CommandPath() != "ledger "+path {
			t.Errorf("command %q not found: %v", path, err)
			continue
		}
		for _, f := range flags {
			if lookupFlag(c, f) == nil {
				t.Errorf("ledger %s has no --%s", path, f)
			}
		}
	}
}

func lookupFlag(c *cobra.Command, name string) any {
	if f := c.Flags().Lookup(name); f != nil {
		return f
	}
	if f := c.InheritedFlags().Lookup(name); f != nil {
		return f
	}
	return nil
}
