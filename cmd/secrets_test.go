package cmd

import (
	"encoding/base64"
	"strings"
	"testing"
)

// A run that handled a password and a master key logs neither, not even at
// debug level, directly or through the server.
func TestSecretsNeverLogged(t *testing.T) {
	key, b64 := newKey(t)
	const password = "s3cret-Pa55word-XYZ"
	const clientSecret = "xero-client-secret-value"
	env := map[string]string{
		"LEDGER_MASTER_KEY": b64, "LEDGER_LOG_LEVEL": "debug", "LEDGER_XERO_CLIENT_SECRET": clientSecret,
	}
	secrets := []string{password, b64, base64.RawURLEncoding.EncodeToString(key), string(key), clientSecret}
	check := func(t *testing.T, where, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains a secret:\n%s", where, text)
			}
		}
	}

	dir := dataDir(t)
	var logs syncBuffer
	r := runCLI(t, invocation{args: []string{"user", "add", "a@example.com", "--role", "admin", "--password-stdin", "--data-dir", dir},
		stdin: password, env: env, logs: &logs})
	if r.code != 0 {
		t.Fatalf("user add: %d %s", r.code, r.stderr)
	}
	// A failing run logs its internals: still no secret.
	r2 := runCLI(t, invocation{args: []string{"user", "add", "a@example.com", "--role", "admin", "--password-stdin", "--data-dir", dir},
		stdin: password, env: env, logs: &logs})
	if r2.code != exitError {
		t.Fatalf("duplicate user add: %d", r2.code)
	}
	if !strings.Contains(logs.String(), `"level":"DEBUG"`) {
		t.Errorf("debug logging was not on, the test proves nothing:\n%s", logs.String())
	}
	check(t, "direct logs", logs.String())
	check(t, "direct output", r.stdout+r.stderr+r2.stdout+r2.stderr)

	s := startServe(t, dir, env)
	r = runCLI(t, invocation{args: []string{"user", "add", "b@example.com", "--role", "merchant", "--password-stdin", "--data-dir", dir},
		stdin: password, env: env, logs: &logs})
	if r.code != 0 {
		t.Fatalf("user add through the server: %d %s", r.code, r.stderr)
	}
	s.stop()
	if !strings.Contains(s.logs.String(), "user added") {
		t.Errorf("the server did not run user add:\n%s", s.logs.String())
	}
	check(t, "server logs", s.logs.String())
	check(t, "client logs", logs.String())
}
