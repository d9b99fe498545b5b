package cmd

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"ledger/domain"
)

// listenServe opens serve's listener on --addr: plain HTTP, HTTPS with
// --tls-cert/--tls-key, or HTTPS with Let's Encrypt certificates for
// --autocert-hosts, in which case it also starts the ACME HTTP-01 server on
// --autocert-http-addr (returned so serve can shut it down; it redirects
// everything else to https).
func listenServe(cfg Config, log *slog.Logger) (net.Listener, *http.Server, error) {
	tlsCfg, acmeHandler, err := serverTLSConfig(cfg.TLSCert, cfg.TLSKey, cleanHosts([]string{cfg.AutocertHosts}), autocertCacheDir(cfg.DataDir))
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, nil, domain.Wrap(domain.EInvalid, err, "cannot listen on %s; is another program using it? choose another --addr", cfg.Addr)
	}
	if tlsCfg == nil {
		return ln, nil, nil
	}
	ln = tls.NewListener(ln, tlsCfg)
	if acmeHandler == nil {
		return ln, nil, nil
	}
	aln, err := net.Listen("tcp", cfg.AutocertHTTPAddr)
	if err != nil {
		ln.Close()
		return nil, nil, domain.Wrap(domain.EInvalid, err, "cannot listen on %s for Let's Encrypt's HTTP challenge; free port 80 or set --autocert-http-addr", cfg.AutocertHTTPAddr)
	}
	acme := &http.Server{Handler: acmeHandler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := acme.Serve(aln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("the ACME HTTP-01 server stopped", "err", err.Error())
		}
	}()
	log.Info("serving Let's Encrypt HTTP-01 challenges", "addr", aln.Addr().String())
	return ln, acme, nil
}
