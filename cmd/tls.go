package cmd

import (
	"crypto/tls"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"ledger/domain"
)

// certCheckEvery bounds how often the certificate files are stat'ed: a
// renewal (certbot, acme.sh) is picked up within this time, without a restart.
const certCheckEvery = 5 * time.Second

// serverTLSConfig returns the HTTPS configuration for `ledger serve`:
//
//   - certFile and keyFile: a static certificate, re-read when either file
//     changes (so certbot renewals need no restart);
//   - autocertHosts: certificates from Let's Encrypt for exactly those host
//     names (TLS-ALPN-01 on the HTTPS port, HTTP-01 through the returned
//     handler, which must be served on port 80 and redirects everything
//     else to https), cached in cacheDir (<data-dir>/autocert);
//   - neither: (nil, nil, nil) — plain HTTP, e.g. behind a reverse proxy.
//
// Setting both, or only one of certFile and keyFile, is a usage error.
func serverTLSConfig(certFile, keyFile string, autocertHosts []string, cacheDir string) (*tls.Config, http.Handler, error) {
	hosts := cleanHosts(autocertHosts)
	static := certFile != "" || keyFile != ""
	switch {
	case static && len(hosts) > 0:
		return nil, nil, domain.Errorf(domain.EInvalid, "--tls-cert/--tls-key and --autocert-hosts exclude each other; choose one way to get certificates")
	case static && (certFile == "" || keyFile == ""):
		return nil, nil, domain.Errorf(domain.EInvalid, "--tls-cert and --tls-key must be set together")
	case static:
		r, err := newCertReloader(certFile, keyFile, time.Now)
		if err != nil {
			return nil, nil, err
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate}, nil, nil
	case len(hosts) > 0:
		if cacheDir == "" {
			return nil, nil, domain.Errorf(domain.EInvalid, "automatic certificates need a cache directory; set --data-dir")
		}
		for _, h := range hosts {
			if strings.ContainsAny(h, ":/ ") || !strings.Contains(h, ".") {
				return nil, nil, domain.Errorf(domain.EInvalid, "--autocert-hosts must list public DNS names such as ledger.example.com, without scheme or port; %q is not one", h)
			}
		}
		if err := os.MkdirAll(cacheDir, 0o700); err != nil {
			return nil, nil, domain.Wrap(domain.EInvalid, err, "cannot create the certificate cache %s; check the permissions of --data-dir", cacheDir)
		}
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			Cache:      autocert.DirCache(cacheDir),
			HostPolicy: autocert.HostWhitelist(hosts...),
		}
		cfg := m.TLSConfig()
		cfg.MinVersion = tls.VersionTLS12
		return cfg, m.HTTPHandler(nil), nil
	}
	return nil, nil, nil
}

// autocertCacheDir is where serve keeps Let's Encrypt account and certificates.
func autocertCacheDir(dataDir string) string { return filepath.Join(dataDir, "autocert") }

func cleanHosts(in []string) []string {
	var out []string
	for _, h := range in {
		for _, f := range strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ' ' }) {
			out = append(out, strings.ToLower(strings.TrimSuffix(f, ".")))
		}
	}
	return out
}

// certReloader serves a certificate from files and re-reads them when their
// size or modification time changes. A half-written renewal that does not
// parse keeps the previous certificate and is retried at the next check.
type certReloader struct {
	certFile, keyFile string
	now               func() time.Time

	mu        sync.Mutex
	cert      *tls.Certificate
	stamp     fileStamp
	lastCheck time.Time
}

type fileStamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

func newCertReloader(certFile, keyFile string, now func() time.Time) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, now: now}
	st, err := r.stat()
	if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "cannot read the TLS certificate or key; check --tls-cert and --tls-key")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "the TLS certificate and key do not load as a matching PEM pair; check --tls-cert and --tls-key")
	}
	r.cert, r.stamp, r.lastCheck = &cert, st, now()
	return r, nil
}

func (r *certReloader) stat() (fileStamp, error) {
	c, err := os.Stat(r.certFile)
	if err != nil {
		return fileStamp{}, err
	}
	k, err := os.Stat(r.keyFile)
	if err != nil {
		return fileStamp{}, err
	}
	if !c.Mode().IsRegular() || !k.Mode().IsRegular() {
		return fileStamp{}, &fs.PathError{Op: "stat", Path: r.certFile, Err: errors.New("not a regular file")}
	}
	return fileStamp{certMod: c.ModTime(), keyMod: k.ModTime(), certSize: c.Size(), keySize: k.Size()}, nil
}

// GetCertificate is the tls.Config hook.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if now.Sub(r.lastCheck) < certCheckEvery {
		return r.cert, nil
	}
	r.lastCheck = now
	st, err := r.stat()
	if err != nil || st == r.stamp {
		return r.cert, nil
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return r.cert, nil // mid-renewal: keep serving the old one, retry later
	}
	r.cert, r.stamp = &cert, st
	return r.cert, nil
}
