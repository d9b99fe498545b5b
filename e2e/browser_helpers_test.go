package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"ledger/cmd"
	"ledger/dashboard"
	"ledger/domain"
	"ledger/magento/magentotest"
	"ledger/xero/xerotest"
)

// Helpers shared by the real-browser tests (demo_test.go, browser_test.go):
// a headless Chromium with a fresh profile, screenshots, DOM polling and
// the login form.

// chromiumPath is Debian's Chromium; .ci/run installs it.
func chromiumPath() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// The browser window: a laptop screen, CSS pixels.
const desktopWidth, desktopHeight = 1280, 900

// newChrome starts a headless Chromium with a fresh profile; it skips the
// test when Chromium is absent (CI installs it, see .ci/run).
func newChrome(t *testing.T) context.Context {
	t.Helper()
	bin := chromiumPath()
	if bin == "" {
		t.Skip("chromium is not installed (apt-get install chromium); .ci/run installs it so CI runs these browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshotDir is $LEDGER_SCREENSHOTS or a temp dir.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("LEDGER_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	return t.TempDir()
}

// shot saves a full-page screenshot and logs its path.
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG (lower is JPEG)
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot %s: %s", name, p)
}

// waitText polls until the selector's text contains want (chromedp's own
// polling, no fixed sleeps).
func waitText(ctx context.Context, sel, want string, timeout time.Duration) error {
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const e = document.querySelector(`+jsString(sel)+`); return !!e && e.innerText.includes(`+jsString(want)+`); })()`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	return err
}

// hasText reports whether the selector's text contains want now.
func hasText(ctx context.Context, sel, want string) bool {
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+jsString(sel)+`); return !!e && e.innerText.includes(`+jsString(want)+`); })()`))
	return err == nil && ok
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// login fills the login form.
func login(base, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#password`)),
	)
}

// stack is one ledger served in-process exactly as `ledger serve` wires it
// (cmd.App + App.DashboardConfig), with the strict fakes on loopback: a
// Magento store behind its "admin" origin and a Xero organisation.
type stack struct {
	base    string // ledger's public URL
	app     *cmd.App
	mg      *magentotest.Magento
	xs      *xerotest.Server
	admin   string // the store's origin (= its base URL): a proxy to mg that also serves an admin page with the embed
	foreign string // a non-Magento origin that frames the embed too
	logs    *lockedWriter
	tenant  atomic.Pointer[string] // the paired tenant id, for the frame pages
}

const (
	browserEmail    = "merchant@example.com"
	browserPassword = "a long enough password"
)

func startStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{logs: &lockedWriter{}}
	s.xs = xerotest.New(t, xerotest.Options{Clock: xerotest.NewWallClock()})
	s.mg = magentotest.New(t)

	// The store's origin: Magento's REST routes (proxied to the fake) and an
	// admin page that shows the embed in an iframe, as the Byte8 module does.
	mgURL, _ := url.Parse(s.mg.URL())
	proxy := httputil.NewSingleHostReverseProxy(mgURL)
	adminSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin/xero/sync" {
			framePage(w, s.base, s.tenantID())
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(adminSrv.Close)
	s.admin = adminSrv.URL
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { framePage(w, s.base, s.tenantID()) }))
	t.Cleanup(foreign.Close)
	s.foreign = foreign.URL

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.base = "http://" + ln.Addr().String()
	x := s.xs.Config(s.base + "/oauth/xero/callback")
	cfg := cmd.Config{
		DataDir: t.TempDir(), Addr: ln.Addr().String(), PublicURL: s.base,
		XeroClientID: x.ClientID, XeroClientSecret: x.ClientSecret, XeroScopes: cmd.DefaultXeroScopes,
		XeroAuthorizeURL: x.AuthorizeURL, XeroTokenURL: x.TokenURL, XeroRevokeURL: x.RevokeURL,
		XeroConnectionsURL: x.ConnectionsURL, XeroAPIURL: x.APIURL, XeroDailyBudget: cmd.DefaultXeroDailyBudget,
		MagentoAllowPrivate: true, LogFormat: "text", LogLevel: "debug",
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := map[string]string{"LEDGER_MASTER_KEY": base64.StdEncoding.EncodeToString(key)}
	log := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.app = cmd.NewApp(cfg, log, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err := s.app.Open(); err != nil {
		ln.Close()
		t.Fatal(err)
	}
	dcfg := s.app.DashboardConfig() // the sync worker is the App's own service, as in serve
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.app.Start(ctx); err != nil {
		cancel()
		ln.Close()
		t.Fatal(err)
	}
	srv, err := dashboard.New(dcfg)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		if err := hs.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		cancel()
		if err := s.app.Close(sctx); err != nil {
			t.Errorf("close: %v", err)
		}
		if t.Failed() {
			t.Logf("ledger log:\n%s", s.logs.String())
		}
	})

	hash, err := bcrypt.GenerateFromPassword([]byte(browserPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.DB.CreateUser(browserEmail, domain.RoleMerchant, hash); err != nil {
		t.Fatal(err)
	}
	return s
}

// tenantID is the tenant the fake store was paired as ("" before).
func (s *stack) tenantID() string {
	if p := s.tenant.Load(); p != nil {
		return *p
	}
	return ""
}

// framePage is an admin page framing ledger's embed of tenant.
func framePage(w http.ResponseWriter, ledger, tenant string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Magento admin · Xero sync</title></head>
<body style="margin:0;font-family:sans-serif;background:#f8f8f8"><header style="background:#514943;color:#fff;padding:12px 20px">Magento Admin · Stores › Byte8 › Xero sync</header>
<iframe id="ledger" title="Xero sync by ledger" src="%s/embed/%s" style="width:100%%;height:640px;border:0;background:#fff"></iframe></body></html>`,
		ledger, url.PathEscape(tenant))
}
