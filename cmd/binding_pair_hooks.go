package cmd

import (
	"context"
	"io"
	"time"

	"ledger/dashboard"
)

// MagentoHooks fills the dashboard hooks of the Magento side: the connect
// form's Pair uses the same pairing flow as `ledger binding pair`, with the
// server's --public-url and --magento-allow-private. `ledger serve` calls it
// on the dashboard config before dashboard.New.
func (a *App) MagentoHooks(cfg *dashboard.Config) {
	cfg.Pair = dashboardPair(&pairer{
		db: a.DB, publicURL: a.Config.PublicURL, allowPrivate: a.Config.MagentoAllowPrivate,
		now: time.Now, log: a.Log,
	})
}

// addPinger registers the Magento ping loop (called by App.Open).
func (a *App) addPinger() {
	a.Add(newPinger(a.DB, a.Log, a.Config.MagentoAllowPrivate))
}

// Run runs one in-process invocation of the command tree — `ledger <args>`
// with the given environment, stdin and output — and returns its exit
// status. It is Execute without the process: end-to-end tests drive the
// real CLI through it.
func Run(ctx context.Context, args []string, getenv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) int {
	return run(&deps{ctx: ctx, args: args, getenv: getenv, stdin: stdin}, stdout, stderr)
}
