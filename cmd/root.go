package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// deps is what one invocation of the command tree runs against: the
// process's environment, or — for a command forwarded over the admin socket —
// the running server's open database and logger.
type deps struct {
	ctx    context.Context
	args   []string // the invocation, forwarded as is unless a command rewrites it
	stdin  io.Reader
	getenv func(string) (string, bool)

	// stdinTerminal reports whether stdin is an interactive terminal;
	// readSecret reads a line from it without echo.
	stdinTerminal func() bool
	readSecret    func() ([]byte, error)

	logOut      io.Writer // where logs go (stderr)
	logTerminal bool      // logOut is a terminal: text logs by default

	// app is the running server when this invocation came through its admin
	// socket; commands then use app.DB and never open the file themselves.
	app *App

	bcryptCost int
	now        func() time.Time
	// onServing, when set, is told the HTTP address once serve listens (tests).
	onServing func(httpAddr string)

	cfg Config
	log *slog.Logger
}

// Execute runs ledger with the process's arguments and returns the exit status.
func Execute() int {
	stdinFD := int(os.Stdin.Fd())
	d := &deps{
		ctx:           context.Background(),
		args:          os.Args[1:],
		stdin:         os.Stdin,
		getenv:        os.LookupEnv,
		stdinTerminal: func() bool { return term.IsTerminal(stdinFD) },
		readSecret:    func() ([]byte, error) { return term.ReadPassword(stdinFD) },
		logOut:        os.Stderr,
		logTerminal:   term.IsTerminal(int(os.Stderr.Fd())),
	}
	return run(d, os.Stdout, os.Stderr)
}

// run executes one invocation of the command tree with d.args and returns
// its exit status. It never panics and never prints a stack trace.
func run(d *deps, stdout, stderr io.Writer) (code int) {
	if d.ctx == nil {
		d.ctx = context.Background()
	}
	if d.stdin == nil {
		d.stdin = bytes.NewReader(nil)
	}
	if d.getenv == nil {
		d.getenv = func(string) (string, bool) { return "", false }
	}
	if d.stdinTerminal == nil {
		d.stdinTerminal = func() bool { return false }
	}
	if d.logOut == nil {
		d.logOut = io.Discard
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.bcryptCost == 0 {
		d.bcryptCost = defaultBcryptCost
	}
	if d.app != nil {
		d.log = d.app.Log
	} else {
		d.log = slog.New(slog.DiscardHandler) // until flags are parsed
	}
	path := "ledger"
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("command panicked", "command", path, "panic", fmt.Sprint(r))
			fmt.Fprintln(stderr, "ledger: something went wrong inside ledger; the details are in the log.")
			code = exitError
		}
	}()
	root := newRootCommand(d)
	root.SetArgs(d.args)
	root.SetIn(d.stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	c, err := root.ExecuteContextC(d.ctx)
	if c != nil {
		path = c.CommandPath()
	}
	return report(stderr, d.log, path, err)
}

// newRootCommand builds the whole command tree for one invocation.
func newRootCommand(d *deps) *cobra.Command {
	root := &cobra.Command{
		Use:   "ledger",
		Short: "Sync Magento invoices, payments, credit memos and customers into Xero",
		Long: "ledger is a self-hosted single-binary replacement for the Byte8 Ledger SaaS.\n" +
			"Pair a Magento store running the Byte8 modules, connect a Xero organisation,\n" +
			"and every invoice, payment, credit memo and customer lands in Xero exactly once.",
		SilenceErrors:     true,
		SilenceUsage:      true,
		Args:              noArgs,
		RunE:              func(c *cobra.Command, _ []string) error { return c.Help() },
		PersistentPreRunE: func(c *cobra.Command, _ []string) error { return d.prepare(c) },
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErrorf("%s", flagErrorMessage(err)) })
	addGlobalFlags(root.PersistentFlags(), &d.cfg)

	root.AddCommand(
		newServeCommand(d),
		newVersionCommand(d),
		newUserCommand(d),
		newBindingCommand(d),
		newReferenceCommand(d),
		newSyncCommand(d),
		newKeyCommand(d),
		newBackupCommand(d),
		newReconcileCommand(d),
		newDemoCommand(d),
	)
	return root
}

// prepare applies the environment to the flags, validates the
// configuration and sets up logging; it runs before every command.
func (d *deps) prepare(c *cobra.Command) error {
	if err := applyEnv(c.Flags(), d.getenv); err != nil {
		return err
	}
	serve := c.Name() == "serve" && c.Parent() != nil && c.Parent().Parent() == nil
	if err := d.cfg.finish(serve); err != nil {
		return err
	}
	if d.app != nil {
		return nil // inside the server: its logger stays
	}
	level, _ := parseLevel(d.cfg.LogLevel)
	if !serve && !c.Flags().Changed("log-level") {
		// A CLI command is quiet unless asked: only warnings and errors.
		level = slog.LevelWarn
	}
	d.log = newLogger(d.logOut, d.cfg.LogFormat, d.logTerminal, level)
	return nil
}

// newGroupCommand is a command that only holds subcommands.
func newGroupCommand(use, short string, children ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q", args[0], c.CommandPath())
			}
			return c.Help()
		},
	}
	c.AddCommand(children...)
	return c
}

// Argument validators that report usage errors (exit 2).
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unknown command %q for %q", args[0], c.CommandPath())
	}
	return nil
}

func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s takes %s (got %d arguments)", c.CommandPath(), names, len(args))
		}
		return nil
	}
}

// flagErrorMessage drops a parser's internals from pflag's message:
// `invalid argument "x" for "--n" flag: strconv.ParseInt: …` keeps the
// part before the second colon.
func flagErrorMessage(err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "invalid argument ") {
		if i := strings.Index(msg, " flag: "); i > 0 {
			return msg[:i+len(" flag")] + ": " + "give a valid value"
		}
	}
	return msg
}
