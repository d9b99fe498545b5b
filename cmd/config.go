package cmd

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
)

// Config is ledger's configuration (interfaces.md §2). Every field comes
// from a flag, else from LEDGER_<FLAG_IN_UPPER_SNAKE>, else its default;
// secrets also from LEDGER_<NAME>_FILE. The wiring (serve, app) reads it.
type Config struct {
	DataDir       string
	Addr          string
	PublicURL     string // no trailing slash; defaults to http://<addr>
	MasterKeyFile string

	XeroClientID        string
	XeroClientSecret    string // secret: never logged or printed
	XeroScopes          string // space separated
	XeroAuthorizeURL    string
	XeroTokenURL        string
	XeroRevokeURL       string
	XeroConnectionsURL  string
	XeroAPIURL          string
	XeroDailyBudget     int
	MagentoAllowPrivate bool
	LogFormat, LogLevel string

	// Operations (cmd/ops*.go): TLS, reverse proxy, alerts.
	TLSCert, TLSKey      string
	AutocertHosts        string // comma separated
	AutocertHTTPAddr     string
	TrustProxy           bool
	AlertWebhookURL      string // secret: may embed a token
	AlertSMTPAddr        string
	AlertSMTPUser        string
	AlertSMTPPassword    string // secret
	AlertEmailFrom       string
	AlertEmailTo         string // comma separated
	AlertFailuresPerHour int
}

// Defaults of interfaces.md §2.
const (
	DefaultDataDir            = "./ledger-data"
	DefaultAddr               = "127.0.0.1:8080"
	DefaultXeroScopes         = "openid profile email offline_access accounting.contacts accounting.invoices accounting.payments accounting.settings.read"
	DefaultXeroAuthorizeURL   = "https://login.xero.com/identity/connect/authorize"
	DefaultXeroTokenURL       = "https://identity.xero.com/connect/token"
	DefaultXeroRevokeURL      = "https://identity.xero.com/connect/revocation"
	DefaultXeroConnectionsURL = "https://api.xero.com/connections"
	DefaultXeroAPIURL         = "https://api.xero.com/api.xro/2.0"
	DefaultXeroDailyBudget    = 5000
	DefaultAutocertHTTPAddr   = ":80"
	DefaultAlertFailures      = 10
)

// File names inside the data directory.
const (
	dbFileName        = "ledger.db"
	masterKeyFileName = "master.key"
	socketFileName    = "ledger.sock"
)

// DBPath is the bbolt file.
func (c *Config) DBPath() string { return filepath.Join(c.DataDir, dbFileName) }

// SocketPath is the admin socket of a running `ledger serve`.
func (c *Config) SocketPath() string { return filepath.Join(c.DataDir, socketFileName) }

// Scopes are the Xero OAuth scopes.
func (c *Config) Scopes() []string { return strings.Fields(c.XeroScopes) }

// configFlag marks a flag that also reads the environment.
const configFlag = "ledger_config"

// secretFlag marks a flag whose value is a secret and also reads LEDGER_<NAME>_FILE.
const secretFlag = "ledger_secret"

func markConfig(fs *pflag.FlagSet, name string, secret bool) {
	_ = fs.SetAnnotation(name, configFlag, []string{"true"})
	if secret {
		_ = fs.SetAnnotation(name, secretFlag, []string{"true"})
	}
}

// addGlobalFlags registers the flags every command takes.
func addGlobalFlags(fs *pflag.FlagSet, c *Config) {
	fs.StringVar(&c.DataDir, "data-dir", DefaultDataDir, "directory of the database, the generated master key and the admin socket")
	fs.StringVar(&c.MasterKeyFile, "master-key-file", "", "file holding the 32-byte master key in base64 (default: LEDGER_MASTER_KEY, else <data-dir>/master.key, generated on first start)")
	fs.StringVar(&c.LogFormat, "log-format", "", "log format: text or json (default text on a terminal, else json)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	for _, n := range []string{"data-dir", "master-key-file", "log-format", "log-level"} {
		markConfig(fs, n, false)
	}
}

// addServeFlags registers the flags only `ledger serve` takes: the Xero
// settings every Xero-talking command shares (addXeroFlags), the Magento
// address guard and the operations flags.
func addServeFlags(fs *pflag.FlagSet, c *Config) {
	addXeroFlags(fs, c)
	fs.Lookup("addr").Usage = "listen address"
	fs.Lookup("public-url").Usage = "how Magento and browsers reach ledger (default http://<addr>)"
	fs.BoolVar(&c.MagentoAllowPrivate, "magento-allow-private", false, "allow Magento base URLs on loopback, private or link-local addresses (tests, local dev)")
	markConfig(fs, "magento-allow-private", false)
	addOpsFlags(fs, c)
}

// addOpsFlags registers the operations flags of `ledger serve`: TLS,
// reverse proxy and alerts.
func addOpsFlags(fs *pflag.FlagSet, c *Config) {
	fs.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate file for HTTPS (re-read when it changes; with --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "PEM private key file for HTTPS (with --tls-cert)")
	fs.StringVar(&c.AutocertHosts, "autocert-hosts", "", "comma-separated host names to get Let's Encrypt certificates for (instead of --tls-cert)")
	fs.StringVar(&c.AutocertHTTPAddr, "autocert-http-addr", DefaultAutocertHTTPAddr, "listen address of the ACME HTTP-01 challenge server (with --autocert-hosts)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", false, "trust X-Forwarded-For/-Proto/-Host from a reverse proxy in front of ledger")
	fs.StringVar(&c.AlertWebhookURL, "alert-webhook-url", "", "URL that alerts are POSTed to as JSON (better: LEDGER_ALERT_WEBHOOK_URL_FILE)")
	fs.StringVar(&c.AlertSMTPAddr, "alert-smtp-addr", "", "SMTP server host:port for alert emails")
	fs.StringVar(&c.AlertSMTPUser, "alert-smtp-user", "", "SMTP user name for alert emails")
	fs.StringVar(&c.AlertSMTPPassword, "alert-smtp-password", "", "SMTP password (better: LEDGER_ALERT_SMTP_PASSWORD_FILE)")
	fs.StringVar(&c.AlertEmailFrom, "alert-email-from", "", "sender address of alert emails")
	fs.StringVar(&c.AlertEmailTo, "alert-email-to", "", "comma-separated recipients of alert emails")
	fs.IntVar(&c.AlertFailuresPerHour, "alert-failures-per-hour", DefaultAlertFailures, "alert when more sync runs of a binding fail within an hour (negative: never)")
	for _, n := range []string{"tls-cert", "tls-key", "autocert-hosts", "autocert-http-addr", "trust-proxy",
		"alert-smtp-addr", "alert-smtp-user", "alert-email-from", "alert-email-to", "alert-failures-per-hour"} {
		markConfig(fs, n, false)
	}
	markConfig(fs, "alert-webhook-url", true)
	markConfig(fs, "alert-smtp-password", true)
}

// TLSEnabled reports whether serve speaks HTTPS itself.
func (c *Config) TLSEnabled() bool {
	return c.TLSCert != "" || c.TLSKey != "" || strings.TrimSpace(c.AutocertHosts) != ""
}

// EnvName is the environment variable of a flag: LEDGER_<FLAG_IN_UPPER_SNAKE>.
func EnvName(flag string) string {
	return "LEDGER_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv fills every config flag the command line did not set from the
// environment (flag beats env); secrets also from LEDGER_<NAME>_FILE.
func applyEnv(fs *pflag.FlagSet, getenv func(string) (string, bool)) error {
	var first error
	fs.VisitAll(func(f *pflag.Flag) {
		if first != nil || f.Changed || f.Annotations[configFlag] == nil {
			return
		}
		name := EnvName(f.Name)
		v, ok := getenv(name)
		if !ok && f.Annotations[secretFlag] != nil {
			if path, okf := getenv(name + "_FILE"); okf {
				b, err := os.ReadFile(path)
				if err != nil {
					first = usageErrorf("cannot read %s_FILE (%s); point it at a readable file", name, path)
					return
				}
				v, ok = strings.TrimRight(string(b), "\r\n"), true
				name += "_FILE"
			}
		}
		if !ok {
			return
		}
		if err := f.Value.Set(v); err != nil {
			if f.Annotations[secretFlag] != nil {
				first = usageErrorf("%s holds an invalid value for --%s", name, f.Name)
			} else {
				first = usageErrorf("%s=%q is not a valid value for --%s", name, v, f.Name)
			}
			return
		}
		f.Changed = true
	})
	return first
}

// finish validates the configuration and derives defaults.
func (c *Config) finish(serve bool) error {
	switch c.LogFormat {
	case "", "text", "json":
	default:
		return usageErrorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.DataDir == "" {
		return usageErrorf("--data-dir must not be empty")
	}
	if !serve {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return usageErrorf("--addr %q is not host:port (for example 127.0.0.1:8080)", c.Addr)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
		if c.TLSEnabled() {
			c.PublicURL = "https://" + c.Addr
			if h := cleanHosts([]string{c.AutocertHosts}); len(h) > 0 {
				c.PublicURL = "https://" + h[0]
			}
		}
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return usageErrorf("--public-url must start with http:// or https://")
	}
	if c.XeroDailyBudget <= 0 {
		return usageErrorf("--xero-daily-budget must be a positive number of calls")
	}
	if c.AlertFailuresPerHour == 0 {
		return usageErrorf("--alert-failures-per-hour must be a positive number of runs (or negative to never alert)")
	}
	return nil
}

func (c *Config) String() string {
	return fmt.Sprintf("data_dir=%s addr=%s public_url=%s", c.DataDir, c.Addr, c.PublicURL)
}
