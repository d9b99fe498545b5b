package loopback

import (
	"io"
	"net"
	"net/http"
	"testing"
)

func TestStart(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, a := range []string{"", addr} {
		srv, err := Start(h, a)
		if err != nil {
			t.Fatalf("Start(%q): %v", a, err)
		}
		if a != "" && srv.Listener.Addr().String() != addr {
			t.Errorf("Start(%q) listens on %s", a, srv.Listener.Addr())
		}
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if string(body) != "ok" {
			t.Errorf("body %q", body)
		}
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if _, err := Start(h, busy.Addr().String()); err == nil {
		t.Error("Start on a busy address succeeded")
	}
}
