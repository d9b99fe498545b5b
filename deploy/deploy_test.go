package deploy

import (
	"bufio"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unit is a parsed systemd unit: section → key → values in file order.
type unit map[string]map[string][]string

// parseUnit reads the systemd unit syntax: [Section], Key=Value, comments
// starting with # or ;, and backslash line continuation.
func parseUnit(t *testing.T, name string) unit {
	t.Helper()
	b, err := fs.ReadFile(Files, name)
	if err != nil {
		t.Fatal(err)
	}
	u := unit{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	var pending string
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if pending != "" {
			line = pending + " " + line
			pending = ""
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending = strings.TrimSuffix(line, `\`)
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				t.Fatalf("%s:%d: bad section header %q", name, n, line)
			}
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section == "" {
			t.Fatalf("%s:%d: not Key=Value inside a section: %q", name, n, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		u[section][k] = append(u[section][k], v)
	}
	return u
}

// one returns the single value of key, failing if it is absent or repeated.
func (u unit) one(t *testing.T, section, key string) string {
	t.Helper()
	vs, ok := u[section][key]
	if !ok || len(vs) != 1 {
		t.Fatalf("[%s] %s = %q, want exactly one value", section, key, vs)
	}
	return vs[0]
}

func TestLedgerServiceHardening(t *testing.T) {
	u := parseUnit(t, "ledger.service")
	want := map[string]string{
		"User":                   "ledger",
		"Group":                  "ledger",
		"ProtectSystem":          "strict",
		"NoNewPrivileges":        "yes",
		"PrivateTmp":             "yes",
		"ProtectHome":            "yes",
		"CapabilityBoundingSet":  "", // empty: no capabilities
		"EnvironmentFile":        "/etc/ledger/ledger.env",
		"Restart":                "on-failure",
		"StateDirectory":         "ledger",
		"UMask":                  "0077",
		"RestrictSUIDSGID":       "yes",
		"MemoryDenyWriteExecute": "yes",
	}
	got := map[string]string{}
	for k := range want {
		got[k] = u.one(t, "Service", k)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("[Service] (-want +got):\n%s", diff)
	}
	if rw := strings.Fields(u.one(t, "Service", "ReadWritePaths")); len(rw) == 0 || rw[0] != "/var/lib/ledger" {
		t.Errorf("ReadWritePaths = %q, want /var/lib/ledger first", rw)
	}
	if _, ok := u["Service"]["AmbientCapabilities"]; ok {
		t.Error("AmbientCapabilities is active; it must stay commented unless ledger binds :443")
	}
	if !hasValue(u["Service"]["LoadCredential"], "master.key:/etc/ledger/master.key") ||
		!hasValue(u["Service"]["Environment"], "LEDGER_MASTER_KEY_FILE=%d/master.key") {
		t.Errorf("the master key must come from LoadCredential via LEDGER_MASTER_KEY_FILE; got %q / %q",
			u["Service"]["LoadCredential"], u["Service"]["Environment"])
	}
	if start := u.one(t, "Service", "ExecStart"); !strings.HasPrefix(start, "/usr/local/bin/ledger serve ") ||
		!strings.Contains(start, "--data-dir /var/lib/ledger") {
		t.Errorf("ExecStart = %q", start)
	}
	if u.one(t, "Install", "WantedBy") != "multi-user.target" {
		t.Error("not wanted by multi-user.target")
	}
}

func TestBackupUnits(t *testing.T) {
	s := parseUnit(t, "ledger-backup.service")
	if got := s.one(t, "Service", "Type"); got != "oneshot" {
		t.Errorf("Type = %q", got)
	}
	if got := s.one(t, "Service", "User"); got != "ledger" {
		t.Errorf("User = %q", got)
	}
	start := s.one(t, "Service", "ExecStart")
	// %% is systemd's escape for a literal %: date must see +%F.
	if !strings.Contains(start, "ledger backup --data-dir /var/lib/ledger /var/backups/ledger/ledger-$(date +%%F).db") {
		t.Errorf("ExecStart = %q", start)
	}
	if !hasValue(s["Service"]["Environment"], "LEDGER_MASTER_KEY_FILE=%d/master.key") {
		t.Error("backup must get the master key to work while serve is stopped")
	}
	rw := s.one(t, "Service", "ReadWritePaths")
	for _, p := range []string{"/var/lib/ledger", "/var/backups/ledger"} {
		if !strings.Contains(rw, p) {
			t.Errorf("backup ReadWritePaths %q lacks %s", rw, p)
		}
	}
	// The server writes the file when the command is forwarded to it.
	if !strings.Contains(parseUnit(t, "ledger.service").one(t, "Service", "ReadWritePaths"), "/var/backups/ledger") {
		t.Error("ledger.service cannot write forwarded backups to /var/backups/ledger")
	}

	tm := parseUnit(t, "ledger-backup.timer")
	if diff := cmp.Diff(map[string]string{"OnCalendar": "daily", "Persistent": "true", "Unit": "ledger-backup.service"},
		map[string]string{"OnCalendar": tm.one(t, "Timer", "OnCalendar"), "Persistent": tm.one(t, "Timer", "Persistent"), "Unit": tm.one(t, "Timer", "Unit")}); diff != "" {
		t.Errorf("timer (-want +got):\n%s", diff)
	}
}

// specifiers are the systemd % specifiers the units may use; anything else
// after a single % is a mistake (a literal % must be written %%).
var specifier = regexp.MustCompile(`%[^%dnNiI]`)

func TestUnitsEscapePercent(t *testing.T) {
	for _, name := range []string{"ledger.service", "ledger-backup.service", "ledger-backup.timer"} {
		for sec, kv := range parseUnit(t, name) {
			for k, vs := range kv {
				for _, v := range vs {
					if bad := specifier.FindString(strings.ReplaceAll(v, "%%", "")); bad != "" {
						t.Errorf("%s [%s] %s=%q: unknown specifier %s (write %%%% for a literal %%)", name, sec, k, v, bad)
					}
				}
			}
		}
	}
}

func hasValue(vs []string, want string) bool {
	for _, v := range vs {
		if v == want {
			return true
		}
	}
	return false
}

// knownEnv are the LEDGER_* variables `ledger serve` reads: interfaces.md §2
// plus the operations flags (TLS, proxy, alerts).
var knownEnv = map[string]bool{}

func init() {
	for _, f := range []string{
		"data-dir", "addr", "public-url", "master-key-file", "master-key", "xero-client-id", "xero-client-secret",
		"xero-scopes", "xero-authorize-url", "xero-token-url", "xero-revoke-url", "xero-connections-url",
		"xero-api-url", "xero-daily-budget", "magento-allow-private", "log-format", "log-level",
		"tls-cert", "tls-key", "autocert-hosts", "trust-proxy",
		"alert-webhook-url", "alert-smtp-addr", "alert-smtp-user", "alert-smtp-password",
		"alert-email-from", "alert-email-to", "alert-failures-per-hour",
	} {
		knownEnv["LEDGER_"+strings.ToUpper(strings.ReplaceAll(f, "-", "_"))] = true
	}
}

func TestEnvExampleNamesKnownVariables(t *testing.T) {
	b, err := fs.ReadFile(Files, "ledger.env.example")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "#")
		name, _, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(name, "LEDGER_") || strings.ContainsAny(name, " \t") {
			continue
		}
		seen++
		base := strings.TrimSuffix(name, "_FILE")
		if !knownEnv[name] && !knownEnv[base] {
			t.Errorf("ledger.env.example:%d: %s is not a ledger setting", i+1, name)
		}
		if strings.Contains(name, "MASTER_KEY") {
			t.Errorf("ledger.env.example:%d: the master key belongs in /etc/ledger/master.key, not the env file", i+1)
		}
	}
	if seen < 5 {
		t.Errorf("only %d variables found; the parser is broken", seen)
	}
}

func TestProxyExamplesForwardHeaders(t *testing.T) {
	b, err := fs.ReadFile(Files, "nginx.conf.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"proxy_set_header X-Forwarded-For   $remote_addr;",
		"proxy_set_header X-Forwarded-Proto $scheme;",
		"proxy_set_header X-Forwarded-Host  $host;",
		"proxy_pass http://127.0.0.1:8080;",
		"location = /metrics",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("nginx.conf.example lacks %q", want)
		}
	}
	c, err := fs.ReadFile(Files, "Caddyfile.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"reverse_proxy 127.0.0.1:8080", "@metrics path /metrics"} {
		if !strings.Contains(string(c), want) {
			t.Errorf("Caddyfile.example lacks %q", want)
		}
	}
	r, err := fs.ReadFile(Files, "README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/oauth/xero/callback", "ledger key rotate --rewrap", "accounting.settings.read", "--trust-proxy"} {
		if !strings.Contains(string(r), want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
}
