package cmd

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// DefaultDemoDataDir is where `ledger demo` keeps its throwaway database.
const DefaultDemoDataDir = "./ledger-demo"

// DemoEmail is the demo administrator's login.
const DemoEmail = "demo@ledger.local"

// newDemoCommand: ledger with built-in Magento and Xero emulators and a
// stream of sample orders (demo_run.go).
func newDemoCommand(d *deps) *cobra.Command {
	var addr string
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run ledger with built-in Magento and Xero emulators and a stream of sample orders",
		Long: "demo starts ledger exactly like `ledger serve`, together with an emulated Magento\n" +
			"store and an emulated Xero organisation on loopback. It creates a demo admin,\n" +
			"pairs the store, connects Xero and feeds a sample order every second or two,\n" +
			"so the dashboard shows live syncing within seconds. Its data lives in\n" +
			DefaultDemoDataDir + " (or --data-dir), marked as a demo; it never touches a real\n" +
			"ledger's data directory. Stop it with Ctrl-C.",
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !c.Flags().Changed("data-dir") {
				d.cfg.DataDir = DefaultDemoDataDir
			}
			d.cfg.Addr = addr
			ctx, stop := signal.NotifyContext(c.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return d.demo(ctx, c.OutOrStdout(), demoOptionsFrom(c.Context()))
		},
	}
	c.Flags().StringVar(&addr, "addr", DefaultAddr, "listen address of the demo dashboard")
	markConfig(c.Flags(), "addr", false)
	return c
}

// DemoOptions tune a demo run; the zero value is `ledger demo`.
type DemoOptions struct {
	// Interval between sample orders (default 1.5 s).
	Interval time.Duration
	// OnReady, when set, is told the dashboard URL and the admin password
	// once ledger serves and the store and Xero are connected (tests).
	OnReady func(dashboardURL, email, password string)
	// Seed makes the order stream reproducible (default: the clock).
	Seed uint64
}

// Demo runs `ledger demo` in-process: args are extra flags (e.g.
// "--data-dir", dir, "--addr", "127.0.0.1:0"); it returns when ctx ends.
// End-to-end tests start the demo through it.
func Demo(ctx context.Context, args []string, out, errOut io.Writer, opts DemoOptions) int {
	ctx = context.WithValue(ctx, demoOptionsKey{}, opts)
	d := &deps{ctx: ctx, args: append([]string{"demo"}, args...), logOut: errOut}
	return run(d, out, errOut)
}

type demoOptionsKey struct{}

// demoOptionsFrom returns the options Demo put in ctx, with defaults.
func demoOptionsFrom(ctx context.Context) DemoOptions {
	o, _ := ctx.Value(demoOptionsKey{}).(DemoOptions)
	if o.Interval <= 0 {
		o.Interval = 1500 * time.Millisecond
	}
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	return o
}

func demoBanner(w io.Writer, url, password string) {
	fmt.Fprintf(w, "\nledger demo is running.\n\n"+
		"  Dashboard: %s/dashboard\n"+
		"  Email:     %s\n"+
		"  Password:  %s   (a throwaway demo password, printed this once)\n\n"+
		"The Magento store and the Xero organisation are emulated on loopback; a sample\n"+
		"order arrives every second or two. Press Ctrl-C to stop.\n\n", url, DemoEmail, password)
}
