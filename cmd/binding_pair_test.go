package cmd

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ledger/domain"
	"ledger/magento/magentotest"
	"ledger/store"
)

func pairEnv(t *testing.T) (dir string, env map[string]string, key []byte) {
	t.Helper()
	dir = dataDir(t)
	key = make([]byte, 32)
	_, _ = rand.Read(key)
	env = map[string]string{"LEDGER_MASTER_KEY": base64.StdEncoding.EncodeToString(key)}
	if r := runCLI(t, invocation{args: []string{"user", "add", "m@example.com", "--role", "merchant", "--password-stdin", "--data-dir", dir},
		stdin: "a long enough password", env: env}); r.code != 0 {
		t.Fatalf("user add: %d %s", r.code, r.stderr)
	}
	return dir, env, key
}

func TestBindingPairErrors(t *testing.T) {
	mg := magentotest.New(t)
	notModule := httptest.NewServer(http.NotFoundHandler())
	defer notModule.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(502) }))
	defer down.Close()
	dir, env, _ := pairEnv(t)
	tests := []struct {
		name, url, code, owner string
		extra                  []string
		want                   string
		exit                   int
	}{
		{"wrong code", mg.URL(), "deadbeefcafef00d0123456789abcdef", "m@example.com", []string{"--magento-allow-private"}, "Invalid or expired pairing code — generate a new one in Magento.", 1},
		{"no module", notModule.URL, "deadbeefcafef00d0123456789abcdef", "m@example.com", []string{"--magento-allow-private"}, "/index.php/rest", 1},
		{"magento down", down.URL, "deadbeefcafef00d0123456789abcdef", "m@example.com", []string{"--magento-allow-private"}, "could not be reached", 1},
		{"private refused", mg.URL(), "deadbeefcafef00d0123456789abcdef", "m@example.com", nil, "private", 1},
		{"unknown owner", mg.URL(), "deadbeefcafef00d0123456789abcdef", "nobody@example.com", []string{"--magento-allow-private"}, "ledger user add nobody@example.com", 1},
		{"missing flags", mg.URL(), "", "", nil, "--code, --owner are required", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"binding", "pair", "--magento-url", tt.url, "--code", tt.code, "--owner", tt.owner,
				"--public-url", "https://ledger.example", "--data-dir", dir}, tt.extra...)
			r := runCLI(t, invocation{args: args, env: env})
			if r.code != tt.exit || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit %d and %q", r.code, r.stderr, r.stdout, tt.exit, tt.want)
			}
		})
	}
	r := runCLI(t, invocation{args: []string{"binding", "list", "--json", "--data-dir", dir}, env: env})
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("failed pairings left bindings behind: %s", r.stdout)
	}
}

func TestBindingPairThenRepairRotatesKey(t *testing.T) {
	mg := magentotest.New(t)
	dir, env, _ := pairEnv(t)
	pair := func() (string, uint64) {
		r := runCLI(t, invocation{env: env, args: []string{"binding", "pair", "--magento-url", mg.URL(), "--code", mg.GeneratePairingCode(),
			"--owner", "m@example.com", "--public-url", "https://ledger.example/", "--magento-allow-private", "--json", "--data-dir", dir}})
		var out struct {
			TenantID  string `json:"tenant_id"`
			BindingID uint64 `json:"binding_id"`
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
			t.Fatalf("pair: %d %q %q", r.code, r.stdout, r.stderr)
		}
		return out.TenantID, out.BindingID
	}
	t1, b1 := pair()
	_, key1, base := mg.Credentials()
	t2, b2 := pair()
	_, key2, _ := mg.Credentials()
	if t1 != t2 || b1 != b2 || key1 == key2 || base != "https://ledger.example" {
		t.Errorf("re-pair: tenant %s→%s binding %d→%d, key rotated=%v, base %q", t1, t2, b1, b2, key1 != key2, base)
	}
}

func TestPingLoop(t *testing.T) {
	mg := magentotest.New(t)
	dir, env, key := pairEnv(t)
	r := runCLI(t, invocation{env: env, args: []string{"binding", "pair", "--magento-url", mg.URL(), "--code", mg.GeneratePairingCode(),
		"--owner", "m@example.com", "--public-url", "https://ledger.example", "--magento-allow-private", "--data-dir", dir}})
	if r.code != 0 {
		t.Fatalf("pair: %d %s", r.code, r.stderr)
	}
	db, err := store.Open(filepath.Join(dir, "ledger.db"), key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tenantID, _, _ := mg.Credentials()
	tick := make(chan time.Time)
	rounds := make(chan int)
	p := newPinger(db, slog.New(slog.DiscardHandler), true)
	var waits []time.Duration
	p.after = func(d time.Duration) <-chan time.Time { waits = append(waits, d); return tick }
	p.rounds = rounds
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	status := func() domain.MagentoStatus { tn, _ := db.Tenant(tenantID); return tn.MagentoStatus }
	steps := []struct {
		setup func()
		want  domain.MagentoStatus
	}{
		{mg.RevokeToken, domain.MagentoTokenRevoked},
		{func() { mg.Unrevoke(); mg.FailNext(1, 503) }, domain.MagentoTokenRevoked}, // an outage changes nothing
		{func() {}, domain.MagentoActive},
	}
	for i, s := range steps {
		s.setup()
		tick <- time.Now()
		if n := <-rounds; n != 1 {
			t.Fatalf("round %d pinged %d tenants", i, n)
		}
		if got := status(); got != s.want {
			t.Errorf("round %d: status %s, want %s", i, got, s.want)
		}
	}
	if err := p.Stop(context.Background()); err != nil { // the loop has ended: waits is ours
		t.Fatal(err)
	}
	for _, w := range waits {
		if w < pingInterval-pingJitter || w > pingInterval+pingJitter {
			t.Errorf("waited %v, want 5 min ± 30 s", w)
		}
	}
}
