package cmd

import (
	"net/http"
	"time"
)

// The limits of ledger's public HTTP server, against clients that hold
// connections open: a request's headers must arrive in 10 s and the whole
// request (a webhook body is at most 1 MB) in 30 s; an idle keep-alive
// connection is closed after 2 minutes. There is no write timeout: a
// reconciliation or a reference refresh may wait on Xero's rate limit for
// longer, and its client is the logged-in user.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpReadTimeout       = 30 * time.Second
	httpIdleTimeout       = 2 * time.Minute
	httpMaxHeaderBytes    = 64 << 10
)

// newHTTPServer is the http.Server of `serve` and `demo`, with the limits.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		ReadTimeout:       httpReadTimeout,
		IdleTimeout:       httpIdleTimeout,
		MaxHeaderBytes:    httpMaxHeaderBytes,
	}
}
