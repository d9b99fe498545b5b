package e2e

import (
	"bufio"
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
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
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

// perfBuild compiles ledger into dir with extra go build flags and returns
// the binary's path and size.
func perfBuild(t *testing.T, dir, name string, flags ...string) (string, int64) {
	t.Helper()
	bin := filepath.Join(dir, name)
	args := append([]string{"build", "-o", bin}, flags...)
	build := exec.Command("go", append(args, ".")...)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", strings.Join(flags, " "), err, out)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	return bin, fi.Size()
}

// perfProc is one `ledger serve` started by a measurement.
type perfProc struct {
	cmd  *exec.Cmd
	base string
	mu   gosync.Mutex
	logs bytes.Buffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, read after done
	once gosync.Once
	// ready is the time from exec to the first 200 from /healthz.
	ready time.Duration
}

func (p *perfProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

func (p *perfProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// perfServe execs `ledger serve` on dataDir and polls /healthz every
// millisecond until it answers 200, recording the time that took.
func perfServe(t *testing.T, bin, dataDir string, env ...string) *perfProc {
	t.Helper()
	addr := freeAddr(t)
	p := &perfProc{base: "http://" + addr, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--data-dir", dataDir, "--addr", addr, "--log-format", "json")
	p.cmd.Env = append(perfEnviron(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop(t) })
	deadline := start.Add(30 * time.Second)
	for {
		select {
		case <-p.done:
			t.Fatalf("ledger serve exited before /healthz answered: %v\n%s", p.err, p.output())
		default:
		}
		resp, err := hc.Get(p.base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.ready = time.Since(start)
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ledger serve did not answer /healthz 200 within 30 s\n%s", p.output())
		}
		time.Sleep(time.Millisecond) // poll interval of the measurement, 1 ms resolution
	}
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

func (p *perfProc) stop(t *testing.T) {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
			t.Errorf("ledger serve did not stop within 20 s of SIGTERM")
		}
	})
}

// rssKB reads a field (VmRSS, VmHWM) of /proc/PID/status in KiB.
func (p *perfProc) rssKB(t *testing.T, field string) float64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("RSS needs Linux /proc: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				t.Fatalf("%s: %v", field, err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, p.cmd.Process.Pid)
	return 0
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
	dir := t.TempDir()
	bin, size := perfBuild(t, dir, "ledger")
	_, stripped := perfBuild(t, dir, "ledger-stripped", "-ldflags=-s -w")
	perfFigure(t, "binary_size", mib(float64(size)/1024), "MiB")
	perfFigure(t, "binary_size_stripped", mib(float64(stripped)/1024), "MiB")

	var cold []time.Duration
	var idle, peak float64
	var health []time.Duration
	for i := range perfColdRuns {
		p := perfServe(t, bin, t.TempDir())
		cold = append(cold, p.ready)
		if i == 0 {
			time.Sleep(perfIdleWait)
			idle, peak = p.rssKB(t, "VmRSS"), p.rssKB(t, "VmHWM")
			health = perfHealthz(t, &http.Client{Timeout: 30 * time.Second}, p.base)
		}
		p.stop(t)
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
	dir := t.TempDir()
	bin, _ := perfBuild(t, dir, "ledger")
	dataDir := filepath.Join(dir, "data")
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

	p := perfServe(t, bin, dataDir, "LEDGER_MASTER_KEY="+masterKey)
	perfFigure(t, "cold_start_1000_bindings", ms(p.ready), "ms")
	time.Sleep(perfIdleWait)
	perfFigure(t, "rss_1000_bindings", mib(p.rssKB(t, "VmRSS")), "MiB")

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
	perfFigure(t, "rss_1000_bindings_after_pages", mib(p.rssKB(t, "VmRSS")), "MiB")
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
