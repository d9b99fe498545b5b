package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
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
	"ledger/sync/synctest"
	"ledger/xero/xerotest"
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
	dataDir, masterKey := perfSeed(t, nil)

	p, ready := perfServe(t, bin, dataDir, "LEDGER_MASTER_KEY="+masterKey)
	perfFigure(t, "cold_start_1000_bindings", ms(ready), "ms")
	time.Sleep(perfIdleWait)
	perfFigure(t, "rss_1000_bindings", mib(p.RSS(t, "VmRSS")), "MiB")
	perfRSSParts(t, p, dataDir)

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

// perfSeed creates a data dir with the perf admin and perfBindings paired
// tenants, each with one binding; connect, when set, is called on the open
// store for every binding after its pairing. It returns the data dir and
// its master key (base64, for LEDGER_MASTER_KEY).
func perfSeed(t *testing.T, connect func(db *store.DB, i int, b *domain.Binding)) (dataDir, masterKey string) {
	t.Helper()
	dataDir = filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	masterKey = base64.StdEncoding.EncodeToString(key)

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
	defer db.Close()
	for i := range perfBindings {
		ten := &domain.Tenant{ID: uuid.NewString(), MagentoURL: fmt.Sprintf("https://shop-%04d.example.com", i)}
		b := &domain.Binding{Provider: domain.ProviderXero}
		if err := db.CreatePairing(ten, "perf-api-key-"+ten.ID, b); err != nil {
			t.Fatalf("CreatePairing %d: %v", i, err)
		}
		if connect != nil {
			connect(db, i, b)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d tenants and bindings in %s", perfBindings, time.Since(seedStart).Round(time.Millisecond))
	return dataDir, masterKey
}

// perfConnectedIdle is how long serve runs idle with 1 000 connected
// bindings before its RSS is read (a measurement pause, not
// synchronisation): long enough for every service to have started and
// settled, shorter than the first reference sweep (every 10 min).
const perfConnectedIdle = 15 * time.Second

// TestPerfThousandConnectedBindings is TestPerfThousandBindings with every
// binding connected: active, pinned to its own Xero organisation, with
// sealed Xero tokens (a JWT-sized access token), the sync settings and a
// reference cache fetched just now. serve points at the fake Xero, which
// counts every call; idle, there should be none.
func TestPerfThousandConnectedBindings(t *testing.T) {
	perfEnabled(t)
	bin := buildLedger(t)
	xs := xerotest.New(t, xerotest.Options{})
	org := xs.Organisations()[0]
	policy := synctest.Policy(xs.Account(org, xerotest.BankAccountCode))
	access := make([]byte, 1000) // Xero's access tokens are JWTs of ~1.3 KB
	dataDir, masterKey := perfSeed(t, func(db *store.DB, i int, b *domain.Binding) {
		t.Helper()
		if _, err := rand.Read(access); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		rec, _ := json.Marshal(map[string]any{"access_token": base64.RawURLEncoding.EncodeToString(access),
			"refresh_token": uuid.NewString() + uuid.NewString(), "expiry": now.Add(30 * time.Minute),
			"auth_event_id": uuid.NewString(), "saved_at": now})
		if err := db.PutSecret(domain.SecretBindingTokens(b.ID), rec); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("Shop %04d Ltd", i)
		if _, err := db.UpdateBinding(b.ID, func(b *domain.Binding) error {
			b.Status, b.XeroTenantID, b.XeroOrgName, b.XeroConnectionID = domain.BindingActive, uuid.NewString(), name, uuid.NewString()
			b.ConnectedAt, b.Policy = &now, policy
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		ref := synctest.Reference(xs, org, now)
		ref.Organisation.Name = name
		if err := db.PutReference(b.ID, ref); err != nil {
			t.Fatal(err)
		}
	})

	before := perfCalls(xs)
	x := xs.URL
	p, _ := perfServe(t, bin, dataDir, "LEDGER_MASTER_KEY="+masterKey,
		"LEDGER_XERO_CLIENT_ID=client-id", "LEDGER_XERO_CLIENT_SECRET=client-secret",
		"LEDGER_XERO_AUTHORIZE_URL="+x+"/identity/connect/authorize", "LEDGER_XERO_TOKEN_URL="+x+"/connect/token",
		"LEDGER_XERO_REVOKE_URL="+x+"/connect/revocation", "LEDGER_XERO_CONNECTIONS_URL="+x+"/connections",
		"LEDGER_XERO_API_URL="+x+"/api.xro/2.0")
	perfFigure(t, "rss_1000_connected_bindings_start", mib(p.RSS(t, "VmRSS")), "MiB")
	time.Sleep(perfConnectedIdle)
	perfFigure(t, "rss_1000_connected_bindings", mib(p.RSS(t, "VmRSS")), "MiB")
	perfFigure(t, "rss_1000_connected_bindings_peak", mib(p.RSS(t, "VmHWM")), "MiB")
	perfRSSParts(t, p, dataDir)
	perfFigure(t, "xero_calls_1000_connected_bindings_idle", float64(perfCalls(xs)-before), "calls")
	if !healthz(&http.Client{Timeout: 30 * time.Second}, p.base) {
		t.Errorf("ledger serve is not healthy after %v idle with 1 000 connected bindings:\n%s", perfConnectedIdle, p.Output())
	}
}

// perfCalls is how many requests the fake Xero has answered.
func perfCalls(xs *xerotest.Server) int {
	n := 0
	for _, c := range xs.Calls() {
		n += c
	}
	return n
}

// perfRSSParts logs what the RSS is made of: the heap and stacks (RssAnon)
// and the mapped binary and database file (RssFile), beside the file's size.
func perfRSSParts(t *testing.T, p *proc, dataDir string) {
	t.Helper()
	t.Logf("RssAnon %.1f MiB, RssFile %.1f MiB; ledger.db %.1f MiB", mib(p.RSS(t, "RssAnon")), mib(p.RSS(t, "RssFile")),
		mib(float64(perfSize(t, filepath.Join(dataDir, "ledger.db")))/1024))
}
