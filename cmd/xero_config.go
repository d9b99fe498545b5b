package cmd

import (
	"strings"

	"github.com/spf13/pflag"

	"ledger/dashboard"
	"ledger/store"
	"ledger/xero"
)

// xeroConfig is the Xero app and endpoints of the configuration; the five
// --xero-*-url flags are the only place a Xero host comes from.
func (c *Config) xeroConfig() xero.Config {
	return xero.Config{
		ClientID: c.XeroClientID, ClientSecret: c.XeroClientSecret,
		AuthorizeURL: c.XeroAuthorizeURL, TokenURL: c.XeroTokenURL, RevokeURL: c.XeroRevokeURL,
		ConnectionsURL: c.XeroConnectionsURL, APIURL: c.XeroAPIURL,
		Scopes: c.Scopes(), RedirectURL: c.publicURL() + "/oauth/xero/callback",
	}
}

// publicURL is --public-url, else http://<addr>, without a trailing slash.
func (c *Config) publicURL() string {
	u := c.PublicURL
	if u == "" {
		addr := c.Addr
		if addr == "" {
			addr = DefaultAddr
		}
		u = "http://" + addr
	}
	return strings.TrimRight(u, "/")
}

// addXeroFlags gives a command that talks to Xero without a running server
// (disconnect, reference refresh, connect-xero) the same Xero settings as
// `ledger serve`, also from LEDGER_* variables. Inside a running server the
// server's own settings apply.
func addXeroFlags(fs *pflag.FlagSet, c *Config) {
	fs.StringVar(&c.Addr, "addr", DefaultAddr, "listen address of ledger serve (for the default --public-url)")
	fs.StringVar(&c.PublicURL, "public-url", "", "how browsers reach ledger (default http://<addr>)")
	fs.StringVar(&c.XeroClientID, "xero-client-id", "", "client id of your Xero app")
	fs.StringVar(&c.XeroClientSecret, "xero-client-secret", "", "client secret of your Xero app (better: LEDGER_XERO_CLIENT_SECRET_FILE)")
	fs.StringVar(&c.XeroScopes, "xero-scopes", DefaultXeroScopes, "Xero OAuth scopes, space separated")
	fs.StringVar(&c.XeroAuthorizeURL, "xero-authorize-url", DefaultXeroAuthorizeURL, "Xero OAuth authorize endpoint")
	fs.StringVar(&c.XeroTokenURL, "xero-token-url", DefaultXeroTokenURL, "Xero OAuth token endpoint")
	fs.StringVar(&c.XeroRevokeURL, "xero-revoke-url", DefaultXeroRevokeURL, "Xero OAuth revocation endpoint")
	fs.StringVar(&c.XeroConnectionsURL, "xero-connections-url", DefaultXeroConnectionsURL, "Xero connections endpoint")
	fs.StringVar(&c.XeroAPIURL, "xero-api-url", DefaultXeroAPIURL, "Xero Accounting API base URL")
	fs.IntVar(&c.XeroDailyBudget, "xero-daily-budget", DefaultXeroDailyBudget, "Xero calls per organisation per UTC day (1000 on Xero's Starter tier)")
	for _, n := range []string{"addr", "public-url", "xero-client-id", "xero-scopes", "xero-authorize-url",
		"xero-token-url", "xero-revoke-url", "xero-connections-url", "xero-api-url", "xero-daily-budget"} {
		markConfig(fs, n, false)
	}
	markConfig(fs, "xero-client-secret", true)
}

// vault is the running server's token vault, or one over db for a command
// that opened the database itself.
func (d *deps) vault(db *store.DB) *XeroVault {
	if d.app != nil && d.app.Xero != nil {
		return d.app.Xero
	}
	return NewXeroVault(db, d.cfg.xeroConfig(), d.cfg.XeroDailyBudget, d.log)
}

// publicURL is the URL browsers reach ledger at: the server's when the
// command runs inside it.
func (d *deps) publicURL() string {
	if d.app != nil {
		return d.app.Config.publicURL()
	}
	return d.cfg.publicURL()
}

// WireXero plugs the Xero connection into the dashboard's configuration:
// the connect flow, reference refresh, disconnect and the Magento-initiated
// disconnect. serve calls it before dashboard.New.
func (a *App) WireXero(c *dashboard.Config) {
	v := a.Xero
	if v == nil {
		return
	}
	c.Xero = &dashboard.XeroOAuth{Config: v.Config(), SaveTokens: v.SaveTokens, Connected: v.RefreshReference}
	c.RefreshReference = v.RefreshReference
	c.DisconnectBinding = v.Disconnect
	c.BindingRevoked = v.BindingRevoked
}
