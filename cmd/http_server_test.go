package cmd

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestHTTPServerLimits: the public server bounds how long a client may take
// to send a request and keep an idle connection.
func TestHTTPServerLimits(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler())
	for name, got := range map[string]time.Duration{
		"ReadHeaderTimeout": hs.ReadHeaderTimeout, "ReadTimeout": hs.ReadTimeout, "IdleTimeout": hs.IdleTimeout,
	} {
		if got <= 0 || got > 2*time.Minute {
			t.Errorf("%s = %v, want set and at most 2m", name, got)
		}
	}
	if hs.MaxHeaderBytes <= 0 || hs.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d", hs.MaxHeaderBytes)
	}
}

// TestHTTPServerRefusesHugeHeaders: a request whose headers exceed the
// limit is answered 431, not read on.
func TestHTTPServerRefusesHugeHeaders(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.Config = newHTTPServer(http.NotFoundHandler())
	ts.Start()
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	big := make([]byte, 2*httpMaxHeaderBytes)
	for i := range big {
		big[i] = 'a'
	}
	if _, err := conn.Write(append(append([]byte("GET / HTTP/1.1\r\nHost: x\r\nX-Big: "), big...), "\r\n\r\n"...)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", resp.StatusCode)
	}
}
