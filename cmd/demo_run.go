package cmd

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"ledger/dashboard"
	"ledger/domain"
	"ledger/magento/magentotest"
	"ledger/xero/xerotest"
)

// demo runs ledger with the emulators until ctx ends: prepare the data
// dir, start the fakes, wire ledger like serve, connect everything, feed
// orders, then shut down in reverse.
func (d *deps) demo(ctx context.Context, out io.Writer, opts DemoOptions) error {
	if d.app != nil {
		return domain.Errorf(domain.EConflict, "ledger demo cannot run inside a running server; stop it or use another --data-dir")
	}
	cfg := d.cfg
	level := slog.LevelInfo
	if l, err := parseLevel(cfg.LogLevel); err == nil && cfg.LogLevel != "" {
		level = l
	}
	log := newLogger(d.logOut, cfg.LogFormat, d.logTerminal, level)
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return usageErrorf("--addr %q is not host:port (for example 127.0.0.1:8080)", cfg.Addr)
	}
	if err := prepareDemoDir(cfg.DataDir); err != nil {
		return err
	}

	emu, err := startEmulators(log)
	if err != nil {
		return err
	}
	defer emu.close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return domain.Wrap(domain.EInvalid, err, "cannot listen on %s; is another program using it? choose another --addr", cfg.Addr)
	}
	cfg.PublicURL = "http://" + ln.Addr().String()
	cfg.MagentoAllowPrivate = true
	emu.configure(&cfg)

	st, err := startDemoLedger(ctx, cfg, log, d.getenv, ln)
	if err != nil {
		return err
	}
	defer st.close(log)

	password, err := demoPassword()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := connectDemo(ctx, st, emu, password); err != nil {
		return err
	}
	log.Info("demo connected: store paired, Xero connected", "took", time.Since(start).Round(time.Millisecond).String())
	demoBanner(out, cfg.PublicURL, password)
	if opts.OnReady != nil {
		opts.OnReady(cfg.PublicURL, DemoEmail, password)
	}

	feed(ctx, log, magentotest.NewShop(emu.mg, opts.Seed), opts.Interval)
	log.Info("shutting down the demo")
	return nil
}

// demoPassword is 18 random bytes in URL-safe base64 (24 characters).
func demoPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", domain.Wrap(domain.EInternal, err, "could not generate the demo password")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// feed publishes a sale every interval until ctx ends. A failed delivery
// is logged and the stream goes on (the emulated store would retry).
func feed(ctx context.Context, log *slog.Logger, shop *magentotest.Shop, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		sale, err := shop.Step(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("demo store: a webhook was not accepted", "sale", sale.Kind, "events", sale.Events, "err", err.Error())
		case err == nil:
			log.Info("demo store: new sale", "kind", sale.Kind, "events", sale.Events)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// demoStack is the running ledger of a demo: the App (database, vault,
// services, worker) and its HTTP server.
type demoStack struct {
	app  *App
	dcfg dashboard.Config
	hs   *http.Server
}

func (s *demoStack) close(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := s.hs.Shutdown(ctx); err != nil {
		log.Warn("in-flight requests did not finish in time", "err", err.Error())
	}
	if err := s.app.Close(ctx); err != nil {
		log.Error("closing the demo database failed", "err", err.Error())
	}
}

// startDemoLedger opens and starts ledger as serve does — the same App,
// services (sync worker included) and DashboardConfig — and serves the
// dashboard on ln.
func startDemoLedger(ctx context.Context, cfg Config, log *slog.Logger, getenv func(string) (string, bool), ln net.Listener) (*demoStack, error) {
	app := NewApp(cfg, log, getenv)
	if err := app.Open(); err != nil {
		ln.Close()
		return nil, err
	}
	if err := app.Start(ctx); err != nil {
		ln.Close()
		_ = app.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	dcfg := app.DashboardConfig()
	srv, err := dashboard.New(dcfg)
	if err != nil {
		ln.Close()
		_ = app.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	hs := newHTTPServer(srv.Handler())
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("the demo HTTP server stopped", "err", err.Error())
		}
	}()
	log.Info("ledger demo is serving", "addr", ln.Addr().String(), "data_dir", cfg.DataDir)
	return &demoStack{app: app, dcfg: dcfg, hs: hs}, nil
}

// emulators are the demo's fake Magento store and Xero organisation.
type emulators struct {
	mg *magentotest.Magento
	xs *xerotest.Server
}

func startEmulators(log *slog.Logger) (*emulators, error) {
	mlog := log.With("emulator", "magento")
	mg, err := magentotest.NewServer(magentotest.Options{Addr: "127.0.0.1:0", Logf: func(f string, a ...any) {
		mlog.Debug("emulated Magento", "msg", fmt.Sprintf(f, a...))
	}})
	if err != nil {
		return nil, domain.Wrap(domain.EInternal, err, "could not start the emulated Magento store")
	}
	secret, err := demoPassword()
	if err != nil {
		mg.Close()
		return nil, err
	}
	xs, err := xerotest.NewServer(xerotest.Options{Addr: "127.0.0.1:0", Clock: xerotest.NewWallClock(),
		ClientID: "ledger-demo", ClientSecret: secret})
	if err != nil {
		mg.Close()
		return nil, domain.Wrap(domain.EInternal, err, "could not start the emulated Xero")
	}
	log.Info("emulators started", "magento", mg.URL(), "xero", xs.URL)
	return &emulators{mg: mg, xs: xs}, nil
}

// configure points ledger's Xero settings at the emulated Xero.
func (e *emulators) configure(cfg *Config) {
	x := e.xs.Config(cfg.PublicURL + "/oauth/xero/callback")
	cfg.XeroClientID, cfg.XeroClientSecret = x.ClientID, x.ClientSecret
	cfg.XeroAuthorizeURL, cfg.XeroTokenURL, cfg.XeroRevokeURL = x.AuthorizeURL, x.TokenURL, x.RevokeURL
	cfg.XeroConnectionsURL, cfg.XeroAPIURL = x.ConnectionsURL, x.APIURL
	if cfg.XeroScopes == "" {
		cfg.XeroScopes = DefaultXeroScopes
	}
	if cfg.XeroDailyBudget <= 0 {
		cfg.XeroDailyBudget = DefaultXeroDailyBudget
	}
}

func (e *emulators) close() {
	e.mg.Close()
	e.xs.Close()
}
