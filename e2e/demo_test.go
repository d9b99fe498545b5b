package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ledger/cmd"
)

// lockedWriter collects the demo's output safely.
type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
func (w *lockedWriter) String() string { w.mu.Lock(); defer w.mu.Unlock(); return w.b.String() }

// `ledger demo` shows a live dashboard within 10 seconds of starting: a
// run that reached Xero is on the Sync history page.
func TestDemoShowsLiveSyncWithin10s(t *testing.T) {
	// The browser starts first: its start-up is not the demo's time.
	var bctx context.Context
	if chromiumPath() != "" {
		bctx = newChrome(t)
	}
	ready := make(chan [3]string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs lockedWriter
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		done <- cmd.Demo(ctx, []string{"--data-dir", filepath.Join(t.TempDir(), "demo"), "--addr", "127.0.0.1:0", "--log-level", "warn"},
			&out, &logs, cmd.DemoOptions{Interval: 500 * time.Millisecond, OnReady: func(u, e, p string) { ready <- [3]string{u, e, p} }})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("demo exited %d after Ctrl-C; log:\n%s", code, logs.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("demo did not stop within 15 s of cancellation")
		}
	})
	var r [3]string
	select {
	case r = <-ready:
	case code := <-done:
		t.Fatalf("demo exited %d before it was ready; log:\n%s", code, logs.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("demo not ready within 10 s; log:\n%s", logs.String())
	}
	t.Logf("demo ready (paired, connected, admin created) %v after start", time.Since(start).Round(10*time.Millisecond))
	base, email, password := r[0], r[1], r[2]
	if !strings.Contains(out.String(), password) || !strings.Contains(out.String(), base+"/dashboard") {
		t.Errorf("banner lacks the URL or the password:\n%s", out.String())
	}
	if strings.Contains(logs.String(), password) {
		t.Error("the demo password appears in the log")
	}
	deadline := start.Add(10 * time.Second)

	if bctx == nil {
		t.Log("chromium absent: checking the dashboard over HTTP")
		waitSyncedHTTP(t, base, email, password, deadline)
		t.Logf("first synced run visible %v after start", time.Since(start).Round(10*time.Millisecond))
		return
	}
	dir := screenshotDir(t)
	wctx, wcancel := context.WithDeadline(bctx, deadline)
	defer wcancel()
	err := chromedp.Do(wctx, login(base, email, password), chromedp.Navigate(base+"/dashboard/sync?status=succeeded"))
	for err == nil && !hasText(wctx, "table", "succeeded") {
		// The page is server-rendered: reload until a synced run is listed.
		err = chromedp.Do(wctx, chromedp.Reload())
	}
	if err != nil {
		shot(t, bctx, dir, "demo-timeout")
		t.Fatalf("no succeeded run on the dashboard in time: %v; log:\n%s", err, logs.String())
	}
	t.Logf("first synced run visible in the browser %v after start", time.Since(start).Round(10*time.Millisecond))
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/dashboard/sync"), chromedp.WaitVisible(chromedp.CSS(`table`))); err != nil {
		t.Fatal(err)
	}
	shot(t, bctx, dir, "demo-sync-history")
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
		t.Fatal(err)
	}
	shot(t, bctx, dir, "demo-home")
}

// waitSyncedHTTP logs in with a cookie jar and polls the Sync history
// until a succeeded run shows or the deadline passes.
func waitSyncedHTTP(t *testing.T, base, email, password string, deadline time.Time) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	get := func(u string) string {
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	page := get(base + "/login")
	csrf := csrfOf(page)
	resp, err := hc.PostForm(base+"/login", url.Values{"csrf": {csrf}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if strings.Contains(get(base+"/dashboard/sync?status=succeeded"), `badge`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no succeeded run on the dashboard within 10 s")
		}
		<-tick.C
	}
}

func csrfOf(page string) string {
	const k = `name="csrf" value="`
	i := strings.Index(page, k)
	if i < 0 {
		return ""
	}
	rest := page[i+len(k):]
	return rest[:strings.IndexByte(rest, '"')]
}
