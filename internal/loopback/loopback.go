// Package loopback starts the strict fakes' HTTP servers: on a random
// loopback port (tests), or on a chosen address (`ledger demo`).
package loopback

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
)

// Start serves h on addr, or on a random loopback port when addr is empty.
func Start(h http.Handler, addr string) (*httptest.Server, error) {
	srv := httptest.NewUnstartedServer(h)
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	return srv, nil
}
