package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseServe parses `ledger serve <args>` with env and returns the config.
func parseServe(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	d := &deps{getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	root := newRootCommand(d)
	c, rest, err := root.Find(append([]string{"serve"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ParseFlags(rest); err != nil {
		t.Fatal(err)
	}
	err = d.prepare(c)
	return d.cfg, err
}

func defaults() Config {
	return Config{
		DataDir:            DefaultDataDir,
		Addr:               DefaultAddr,
		PublicURL:          "http://" + DefaultAddr,
		XeroScopes:         DefaultXeroScopes,
		XeroAuthorizeURL:   DefaultXeroAuthorizeURL,
		XeroTokenURL:       DefaultXeroTokenURL,
		XeroRevokeURL:      DefaultXeroRevokeURL,
		XeroConnectionsURL: DefaultXeroConnectionsURL,
		XeroAPIURL:         DefaultXeroAPIURL,
		XeroDailyBudget:    DefaultXeroDailyBudget,
		LogLevel:           "info",

		AutocertHTTPAddr:     DefaultAutocertHTTPAddr,
		AlertFailuresPerHour: DefaultAlertFailures,
	}
}

func TestConfig(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(*Config)
	}{
		{name: "zero config", want: func(*Config) {}},
		{
			name: "env fills every flag",
			env: map[string]string{
				"LEDGER_DATA_DIR": "/var/lib/ledger", "LEDGER_ADDR": "0.0.0.0:9000",
				"LEDGER_PUBLIC_URL": "https://ledger.example/", "LEDGER_XERO_CLIENT_ID": "cid",
				"LEDGER_XERO_CLIENT_SECRET": "csecret", "LEDGER_XERO_SCOPES": "openid offline_access",
				"LEDGER_XERO_AUTHORIZE_URL": "http://x/a", "LEDGER_XERO_TOKEN_URL": "http://x/t",
				"LEDGER_XERO_REVOKE_URL": "http://x/r", "LEDGER_XERO_CONNECTIONS_URL": "http://x/c",
				"LEDGER_XERO_API_URL": "http://x/api", "LEDGER_XERO_DAILY_BUDGET": "1000",
				"LEDGER_MAGENTO_ALLOW_PRIVATE": "true", "LEDGER_LOG_FORMAT": "json", "LEDGER_LOG_LEVEL": "debug",
				"LEDGER_MASTER_KEY_FILE": "/run/secrets/key",
			},
			want: func(c *Config) {
				*c = Config{DataDir: "/var/lib/ledger", Addr: "0.0.0.0:9000", PublicURL: "https://ledger.example",
					MasterKeyFile: "/run/secrets/key", XeroClientID: "cid", XeroClientSecret: "csecret",
					XeroScopes: "openid offline_access", XeroAuthorizeURL: "http://x/a", XeroTokenURL: "http://x/t",
					XeroRevokeURL: "http://x/r", XeroConnectionsURL: "http://x/c", XeroAPIURL: "http://x/api",
					XeroDailyBudget: 1000, MagentoAllowPrivate: true, LogFormat: "json", LogLevel: "debug",
					AutocertHTTPAddr: DefaultAutocertHTTPAddr, AlertFailuresPerHour: DefaultAlertFailures}
			},
		},
		{
			name: "flag beats env",
			args: []string{"--addr", "127.0.0.1:7000", "--xero-daily-budget", "42", "--data-dir", "d"},
			env:  map[string]string{"LEDGER_ADDR": "0.0.0.0:9000", "LEDGER_XERO_DAILY_BUDGET": "1000", "LEDGER_DATA_DIR": "e"},
			want: func(c *Config) {
				c.Addr, c.PublicURL, c.XeroDailyBudget, c.DataDir = "127.0.0.1:7000", "http://127.0.0.1:7000", 42, "d"
			},
		},
		{
			name: "secret from file, trailing newline trimmed",
			env:  map[string]string{"LEDGER_XERO_CLIENT_SECRET_FILE": secretFile},
			want: func(c *Config) { c.XeroClientSecret = "s3cret-from-file" },
		},
		{
			name: "secret value beats secret file",
			env:  map[string]string{"LEDGER_XERO_CLIENT_SECRET": "direct", "LEDGER_XERO_CLIENT_SECRET_FILE": secretFile},
			want: func(c *Config) { c.XeroClientSecret = "direct" },
		},
		{
			name: "ops flags from env, secrets from files",
			env: map[string]string{
				"LEDGER_TLS_CERT": "/c.pem", "LEDGER_TLS_KEY": "/k.pem", "LEDGER_TRUST_PROXY": "true",
				"LEDGER_AUTOCERT_HTTP_ADDR": ":8081", "LEDGER_ALERT_WEBHOOK_URL_FILE": secretFile,
				"LEDGER_ALERT_SMTP_ADDR": "smtp.example:587", "LEDGER_ALERT_SMTP_USER": "u",
				"LEDGER_ALERT_SMTP_PASSWORD_FILE": secretFile, "LEDGER_ALERT_EMAIL_FROM": "l@example.com",
				"LEDGER_ALERT_EMAIL_TO": "a@example.com,b@example.com", "LEDGER_ALERT_FAILURES_PER_HOUR": "3",
			},
			want: func(c *Config) {
				c.TLSCert, c.TLSKey, c.TrustProxy, c.AutocertHTTPAddr = "/c.pem", "/k.pem", true, ":8081"
				c.AlertWebhookURL, c.AlertSMTPAddr, c.AlertSMTPUser = "s3cret-from-file", "smtp.example:587", "u"
				c.AlertSMTPPassword, c.AlertEmailFrom, c.AlertEmailTo = "s3cret-from-file", "l@example.com", "a@example.com,b@example.com"
				c.AlertFailuresPerHour = 3
				c.PublicURL = "https://" + DefaultAddr // TLS on: https by default
			},
		},
		{
			name: "autocert public url is the first host",
			args: []string{"--autocert-hosts", "Ledger.Example.com, b.example.com"},
			want: func(c *Config) {
				c.AutocertHosts, c.PublicURL = "Ledger.Example.com, b.example.com", "https://ledger.example.com"
			},
		},
		{
			name: "public url follows addr",
			args: []string{"--addr", "127.0.0.1:0"},
			want: func(c *Config) { c.Addr, c.PublicURL = "127.0.0.1:0", "http://127.0.0.1:0" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseServe(t, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			want := defaults()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigRefusesBadValues(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"env not a number", nil, map[string]string{"LEDGER_XERO_DAILY_BUDGET": "many"}, `LEDGER_XERO_DAILY_BUDGET="many" is not a valid value for --xero-daily-budget`},
		{"env not a bool", nil, map[string]string{"LEDGER_MAGENTO_ALLOW_PRIVATE": "maybe"}, `LEDGER_MAGENTO_ALLOW_PRIVATE="maybe" is not a valid value for --magento-allow-private`},
		{"secret file missing", nil, map[string]string{"LEDGER_XERO_CLIENT_SECRET_FILE": "/nonexistent/secret"}, "cannot read LEDGER_XERO_CLIENT_SECRET_FILE (/nonexistent/secret); point it at a readable file"},
		{"bad addr", []string{"--addr", "8080"}, nil, `--addr "8080" is not host:port (for example 127.0.0.1:8080)`},
		{"bad public url", []string{"--public-url", "ledger.example"}, nil, "--public-url must start with http:// or https://"},
		{"zero budget", []string{"--xero-daily-budget", "0"}, nil, "--xero-daily-budget must be a positive number of calls"},
		{"zero failures per hour", []string{"--alert-failures-per-hour", "0"}, nil, "--alert-failures-per-hour must be a positive number of runs (or negative to never alert)"},
		{"bad log format", nil, map[string]string{"LEDGER_LOG_FORMAT": "xml"}, `--log-format must be text or json, not "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServe(t, tt.args, tt.env)
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if _, ok := err.(*usageError); !ok {
				t.Errorf("err is %T, want a usage error", err)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	for flag, want := range map[string]string{
		"data-dir": "LEDGER_DATA_DIR", "xero-client-secret": "LEDGER_XERO_CLIENT_SECRET", "addr": "LEDGER_ADDR",
	} {
		if got := EnvName(flag); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", flag, got, want)
		}
	}
	if !strings.HasSuffix(EnvName("master-key-file"), "_FILE") {
		t.Error("master-key-file env does not end in _FILE")
	}
}
