package cmd

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"ledger/dashboard"
	"ledger/domain"
)

// shutdownGrace is how long in-flight requests may take after a signal.
const shutdownGrace = 10 * time.Second

func newServeCommand(d *deps) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server, the sync worker and the cron",
		Long: "serve runs ledger: the dashboard and Magento-facing HTTP API, the sync worker\n" +
			"and the cron. With no configuration at all it keeps its data in ./ledger-data,\n" +
			"generates a master key there and listens on 127.0.0.1:8080.\n" +
			"Every flag can also be set as LEDGER_<FLAG_IN_UPPER_SNAKE>; secrets also as\n" +
			"LEDGER_<NAME>_FILE.",
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if d.app != nil {
				return domain.Errorf(domain.EConflict, "ledger serve is already running on this data dir")
			}
			return d.serve(c.Context())
		},
	}
	addServeFlags(c.Flags(), &d.cfg)
	return c
}

// serve runs until SIGINT/SIGTERM (or ctx ends), then shuts down in order:
// stop accepting, finish in-flight requests within 10 s, stop the admin
// socket and the services, close the database.
func (d *deps) serve(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg := d.cfg
	log := d.log

	if err := ensureDataDir(cfg.DataDir); err != nil {
		return err
	}
	sock := cfg.SocketPath()
	useSocket := len(sock) <= maxSocketPath
	if useSocket {
		if err := claimSocket(sock); err != nil {
			return err
		}
	}
	app := NewApp(cfg, log, d.getenv)
	if err := app.Open(); err != nil {
		return err
	}
	shutdownCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	}
	if err := app.Start(ctx); err != nil {
		sctx, cancel := shutdownCtx()
		defer cancel()
		_ = app.Close(sctx)
		return err
	}

	var admin *adminServer
	if useSocket {
		var err error
		admin, err = listenAdmin(sock, log, d.adminExec(app))
		if err != nil {
			sctx, cancel := shutdownCtx()
			defer cancel()
			_ = app.Close(sctx)
			return err
		}
	} else {
		log.Warn("the data directory path is too long for a unix socket; CLI commands cannot reach this server", "socket", sock)
	}

	srv, err := dashboard.New(app.DashboardConfig())
	var ln net.Listener
	var acme *http.Server
	if err == nil {
		ln, acme, err = listenServe(cfg, log) // plain, TLS or autocert (ops_listen.go)
	}
	if err != nil {
		sctx, cancel := shutdownCtx()
		defer cancel()
		if admin != nil {
			_ = admin.Close(sctx)
		}
		_ = app.Close(sctx)
		return err
	}
	hs := newHTTPServer(trustedProxy(srv.Handler(), cfg.TrustProxy))
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("ledger is serving", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "data_dir", cfg.DataDir)
	if d.onServing != nil {
		d.onServing(ln.Addr().String())
	}

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case serveErr = <-served:
		log.Error("the HTTP server stopped", "err", serveErr.Error())
	}
	sctx, cancel := shutdownCtx()
	defer cancel()
	herr := hs.Shutdown(sctx)
	if herr != nil {
		log.Warn("in-flight requests did not finish in time", "err", herr.Error())
	}
	if acme != nil {
		_ = acme.Shutdown(sctx)
	}
	if admin != nil {
		if err := admin.Close(sctx); err != nil {
			log.Warn("admin commands in flight did not finish in time", "err", err.Error())
		}
	}
	cerr := app.Close(sctx)
	if cerr != nil {
		log.Error("closing the database failed", "err", cerr.Error())
		return domain.Wrap(domain.EInternal, cerr, "ledger did not shut down cleanly; see the log")
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return domain.Wrap(domain.EInternal, serveErr, "the HTTP server stopped unexpectedly; see the log")
	}
	log.Info("stopped")
	return nil
}

// adminExec runs a forwarded invocation in-process against app's database.
func (d *deps) adminExec(app *App) func([]string, []byte) adminResponse {
	return func(args []string, stdin []byte) adminResponse {
		var out, errb bytes.Buffer
		child := &deps{
			ctx:        context.WithoutCancel(d.ctx),
			args:       args,
			stdin:      bytes.NewReader(stdin),
			getenv:     d.getenv,
			app:        app,
			bcryptCost: d.bcryptCost,
			now:        d.now,
		}
		code := run(child, &out, &errb)
		return adminResponse{Stdout: out.Bytes(), Stderr: errb.Bytes(), Exit: code}
	}
}
