package cmd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ledger/domain"
)

// testCert is a self-signed certificate for 127.0.0.1 written as PEM files.
type testCert struct {
	serial int64
	leaf   *x509.Certificate
	cert   []byte // PEM
	key    []byte // PEM
}

func makeTestCert(t *testing.T, serial int64) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "ledger test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testCert{
		serial: serial,
		leaf:   leaf,
		cert:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:    pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}),
	}
}

// write puts c into dir/cert.pem and dir/key.pem with the given mtime.
func (c testCert) write(t *testing.T, dir string, mtime time.Time) (string, string) {
	t.Helper()
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for _, f := range []struct {
		path string
		b    []byte
	}{{cf, c.cert}, {kf, c.key}} {
		if err := os.WriteFile(f.path, f.b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f.path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	return cf, kf
}

// serveTLS serves a tiny handler with cfg on 127.0.0.1 and returns its URL.
func serveTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over "+r.Proto)
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(tls.NewListener(ln, cfg))
	t.Cleanup(func() { srv.Close() })
	return "https://" + ln.Addr().String()
}

// servedSerial makes one fresh connection trusting the given certs and
// returns the serial number the server presented.
func servedSerial(t *testing.T, url string, trust ...testCert) int64 {
	t.Helper()
	pool := x509.NewCertPool()
	for _, c := range trust {
		pool.AddCert(c.leaf)
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		DisableKeepAlives: true,
	}, Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "hello over HTTP/1.1" {
		t.Errorf("body = %q", body)
	}
	return resp.TLS.PeerCertificates[0].SerialNumber.Int64()
}

func TestServerTLSConfigStaticCertificate(t *testing.T) {
	dir := t.TempDir()
	c := makeTestCert(t, 1001)
	cf, kf := c.write(t, dir, time.Now())
	cfg, h, err := serverTLSConfig(cf, kf, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if h != nil {
		t.Error("static certificates need no port-80 handler")
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		t.Errorf("MinVersion = %x", cfg.MinVersion)
	}
	url := serveTLS(t, cfg)
	if got := servedSerial(t, url, c); got != 1001 {
		t.Errorf("served serial %d, want 1001", got)
	}
	// A client that does not trust the self-signed certificate is refused.
	_, err = (&http.Client{Timeout: 10 * time.Second}).Get(url)
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) {
		t.Errorf("untrusting client: err = %v, want an unknown authority error", err)
	}
}

type stepClock struct{ t time.Time }

func (c *stepClock) now() time.Time { return c.t }

func TestCertReloaderPicksUpRenewal(t *testing.T) {
	dir := t.TempDir()
	a, b := makeTestCert(t, 1), makeTestCert(t, 2)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	cf, kf := a.write(t, dir, t0)
	clk := &stepClock{t: t0}
	r, err := newCertReloader(cf, kf, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	url := serveTLS(t, &tls.Config{GetCertificate: r.GetCertificate})
	if got := servedSerial(t, url, a, b); got != 1 {
		t.Fatalf("serial %d, want 1", got)
	}

	// certbot writes the renewal; before the next check the old cert stays.
	b.write(t, dir, t0.Add(time.Minute))
	clk.t = t0.Add(certCheckEvery - time.Second)
	if got := servedSerial(t, url, a, b); got != 1 {
		t.Errorf("before the check interval: serial %d, want 1", got)
	}
	clk.t = t0.Add(certCheckEvery)
	if got := servedSerial(t, url, a, b); got != 2 {
		t.Errorf("after renewal: serial %d, want 2", got)
	}

	// A half-written renewal (key not matching yet) keeps the current cert...
	if err := os.WriteFile(kf, a.key, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(kf, t0.Add(2*time.Minute), t0.Add(2*time.Minute))
	clk.t = clk.t.Add(certCheckEvery)
	if got := servedSerial(t, url, a, b); got != 2 {
		t.Errorf("mismatched pair: serial %d, want the previous 2", got)
	}
	// ...and is retried once complete.
	a.write(t, dir, t0.Add(3*time.Minute))
	clk.t = clk.t.Add(certCheckEvery)
	if got := servedSerial(t, url, a, b); got != 1 {
		t.Errorf("completed renewal: serial %d, want 1", got)
	}
}

func TestServerTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	c := makeTestCert(t, 7)
	cf, kf := c.write(t, dir, time.Now())
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not pem"), 0o600)
	tests := []struct {
		name             string
		cert, key, cache string
		hosts            []string
		want             string
	}{
		{"cert without key", cf, "", "", nil, "must be set together"},
		{"key without cert", "", kf, "", nil, "must be set together"},
		{"both ways", cf, kf, dir, []string{"ledger.example.com"}, "exclude each other"},
		{"missing file", filepath.Join(dir, "nope.pem"), kf, "", nil, "cannot read"},
		{"garbage cert", garbage, kf, "", nil, "matching PEM pair"},
		{"autocert without cache", "", "", "", []string{"ledger.example.com"}, "cache directory"},
		{"autocert with scheme", "", "", dir, []string{"https://ledger.example.com"}, "public DNS names"},
		{"autocert bare word", "", "", dir, []string{"localhost"}, "public DNS names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := serverTLSConfig(tt.cert, tt.key, tt.hosts, tt.cache)
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.EInvalid || !strings.Contains(de.Message, tt.want) {
				t.Fatalf("err = %v, want invalid %q", err, tt.want)
			}
		})
	}
	cfg, h, err := serverTLSConfig("", "", nil, dir)
	if cfg != nil || h != nil || err != nil {
		t.Errorf("nothing configured = (%v, %v, %v), want plain HTTP", cfg, h, err)
	}
}

func TestServerTLSConfigAutocert(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "autocert")
	cfg, h, err := serverTLSConfig("", "", []string{"Ledger.Example.com, shop-ledger.example.net"}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(cache); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache dir: %v %v, want 0700", fi, err)
	}
	hasALPN := false
	for _, p := range cfg.NextProtos {
		hasALPN = hasALPN || p == "acme-tls/1"
	}
	if !hasALPN || cfg.GetCertificate == nil {
		t.Errorf("autocert config lacks TLS-ALPN-01 or GetCertificate: %+v", cfg.NextProtos)
	}
	// A host outside the whitelist is refused without contacting any CA.
	_, err = cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "evil.example.org", CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	if err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Errorf("GetCertificate(evil) err = %v, want a host-policy refusal", err)
	}
	// Port 80: anything but an ACME challenge is redirected to https.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://ledger.example.com/dashboard?x=1", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "https://ledger.example.com/dashboard?x=1" {
		t.Errorf("port-80 handler: %d %q, want 302 to https", rec.Code, rec.Header().Get("Location"))
	}
	if got := autocertCacheDir("/var/lib/ledger"); got != "/var/lib/ledger/autocert" {
		t.Errorf("autocertCacheDir = %q", got)
	}
}
