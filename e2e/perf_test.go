package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"ledger/cmd"
	"ledger/domain"
	"ledger/store"
)

// The measurement tests below print figures for the README's Performance
// table (scripts/measure.sh collects them). They run only with
// LEDGER_MEASURE=1, log every figure as "perf: name = value unit" and never
// fail on a threshold: speed is measured, not asserted.

const (
	perfBindings  = 1000
	perfColdRuns  = 5
	perfIdleWait  = time.Second // a measurement pause, not synchronisation
	perfAdmin     = "perf-admin@example.com"
	perfPassword  = "perf-password-123456"
	perfHealthN   = 200
	perfBindingsN = 30
)

func perfEnabled(t *testing.T) {
	t.Helper()
	if os.Getenv("LEDGER_MEASURE") != "1" {
		t.Skip("set LEDGER_MEASURE=1 to measure")
	}
}

// perfFigure logs one figure in the fixed format measure.sh greps.
func perfFigure(t *testing.T, name string, value float64, unit string) {
	t.Helper()
	t.Logf("perf: %s = %s %s", name, strconv.FormatFloat(value, 'f', -1, 64), unit)
}

// perfServe execs `ledger serve` on dataDir and polls /healthz every
// millisecond until it answers 200, returning the process and the time
// from exec to that answer.
func perfServe(t *testing.T, bin, dataDir string, env ...string) (*proc, time.Duration) {
	t.Helper()
	addr := freeAddr(t)
	p := startServe(t, bin, serveOpts{Addr: addr, Args: []string{"serve", "--data-dir", dataDir, "--addr", addr, "--log-format", "json"},
		Env: append(perfEnviron(), env...), Poll: time.Millisecond}) // 1 ms resolution of the measurement
	return p, p.WaitHealthy(t, 30*time.Second)
}

// perfEnviron is the test's environment without LEDGER_* variables, so a
// caller's settings cannot change what is measured.
func perfEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LEDGER_") {
			env = append(env, kv)
		}
	}
	return env
}

// perfSize is the size of the file at path in bytes.
func perfSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)*p)/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mib(kb float64) float64 { return float64(int(kb/1024*10+0.5)) / 10 }

// TestPerfBinaryColdStartIdleRSS reports the binary size (plain and
// stripped), the cold start of `ledger serve` on a fresh data dir with no
// configuration (median of 5) and its idle RSS.
func TestPerfBinaryColdStartIdleRSS(t *testing.T) {
	perfEnabled(t)
	bin := buildLedger(t)
	stripped, err := goBuild(t.TempDir(), "ledger-stripped", "-ldflags=-s -w")
	if err != nil {
		t.Fatal(err)
	}
	size, strippedSize := perfSize(t, bin), perfSize(t, stripped)
	perfFigure(t, "binary_size", mib(float64(size)/1024), "MiB")
	perfFigure(t, "binary_size_stripped", mib(float64(strippedSize)/1024), "MiB")

	var cold []time.Duration
	var idle, peak float64
	var health []time.Duration
	for i := range perfColdRuns {
		p, ready := perfServe(t, bin, t.TempDir())
		cold = append(cold, ready)
		if i == 0 {
			time.Sleep(perfIdleWait)
			idle, peak = p.RSS(t, "VmRSS"), p.RSS(t, "VmHWM")
			health = perfHealthz(t, &http.Client{Timeout: 30 * time.Second}, p.base)
		}
		p.Stop(t)
	}
	t.Logf("cold starts: %v", cold)
	perfFigure(t, "cold_start_median", ms(median(cold)), "ms")
	perfFigure(t, "idle_rss", mib(idle), "MiB")
	perfFigure(t, "idle_rss_peak", mib(peak), "MiB")
	perfFigure(t, "healthz_p50_empty", ms(median(health)), "ms")
	perfFigure(t, "healthz_p99_empty", ms(pct(health, 99)), "ms")
}

// TestPerfThousandBindings seeds a data dir with 1 000 paired tenants and
// their bindings (pending Xero connection, so nothing reaches the network),
// starts serve on it and reports idle RSS and the latency of /healthz and
// of the admin's /dashboard/bindings.
func TestPerfThousandBindings(t *testing.T) {
	perfEnabled(t)
	bin := buildLedger(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	masterKey := base64.StdEncoding.EncodeToString(key)

	var out, errb bytes.Buffer
	env := map[string]string{"LEDGER_MASTER_KEY": masterKey}
	if code := cmd.Run(context.Background(), []string{"user", "add", perfAdmin, "--role", "admin", "--password-stdin", "--data-dir", dataDir},
		func(k string) (string, bool) { v, ok := env[k]; return v, ok }, strings.NewReader(perfPassword+"\n"), &out, &errb); code != 0 {
		t.Fatalf("ledger user add: exit %d: %s", code, errb.String())
	}

	seedStart := time.Now()
	db, err := store.Open(filepath.Join(dataDir, "ledger.db"), key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range perfBindings {
		ten := &domain.Tenant{ID: uuid.NewString(), MagentoURL: fmt.Sprintf("https://shop-%04d.example.com", i)}
		b := &domain.Binding{Provider: domain.ProviderXero}
		if err := db.CreatePairing(ten, "perf-api-key-"+ten.ID, b); err != nil {
			db.Close()
			t.Fatalf("CreatePairing %d: %v", i, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d tenants and bindings in %s", perfBindings, time.Since(seedStart).Round(time.Millisecond))

	p, ready := perfServe(t, bin, dataDir, "LEDGER_MASTER_KEY="+masterKey)
	perfFigure(t, "cold_start_1000_bindings", ms(ready), "ms")
	time.Sleep(perfIdleWait)
	perfFigure(t, "rss_1000_bindings", mib(p.RSS(t, "VmRSS")), "MiB")

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	timed := func(u string) (time.Duration, int) {
		t.Helper()
		t0 := time.Now()
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		return d, int(n)
	}

	health := perfHealthz(t, hc, p.base)
	perfFigure(t, "healthz_p50_1000_bindings", ms(median(health)), "ms")
	perfFigure(t, "healthz_p99_1000_bindings", ms(pct(health, 99)), "ms")

	perfLogin(t, hc, p.base)
	var page []time.Duration
	var bytesN int
	for range perfBindingsN {
		d, n := timed(p.base + "/dashboard/bindings")
		page, bytesN = append(page, d), n
	}
	perfFigure(t, "bindings_page_p50_1000_bindings", ms(median(page)), "ms")
	perfFigure(t, "bindings_page_p99_1000_bindings", ms(pct(page, 99)), "ms")
	perfFigure(t, "bindings_page_bytes_1000_bindings", float64(bytesN), "bytes")
	perfFigure(t, "rss_1000_bindings_after_pages", mib(p.RSS(t, "VmRSS")), "MiB")
}

// perfHealthz times perfHealthN sequential GET /healthz on one connection.
func perfHealthz(t *testing.T, hc *http.Client, base string) []time.Duration {
	t.Helper()
	var ds []time.Duration
	for range perfHealthN {
		t0 := time.Now()
		resp, err := hc.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ds = append(ds, time.Since(t0))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /healthz: %d", resp.StatusCode)
		}
	}
	return ds
}

// perfLogin logs the admin in through the login form.
func perfLogin(t *testing.T, hc *http.Client, base string) {
	t.Helper()
	resp, err := hc.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp, err = hc.PostForm(base+"/login", url.Values{"csrf": {csrfOf(string(form))}, "email": {perfAdmin}, "password": {perfPassword}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path == "/login" {
		t.Fatalf("login as %s failed: landed on /login (%d)", perfAdmin, resp.StatusCode)
	}
}
