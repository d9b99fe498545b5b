package cmd

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// server is a `ledger serve` running in-process.
type server struct {
	addr string
	logs *syncBuffer
	stop func() result
}

// startServe runs `ledger serve` on a free port until the test stops it.
func startServe(t *testing.T, dir string, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan result, 1)
	logs := &syncBuffer{}
	go func() {
		done <- runCLI(t, invocation{
			ctx: ctx, args: []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "debug"},
			env: env, logs: logs, onServing: func(a string) { ready <- a },
		})
	}()
	s := &server{logs: logs}
	var stopped *result
	s.stop = func() result {
		if stopped == nil {
			cancel()
			r := <-done
			stopped = &r
		}
		return *stopped
	}
	t.Cleanup(func() { s.stop() })
	select {
	case s.addr = <-ready:
	case r := <-done:
		t.Fatalf("serve exited %d before listening: %s\nlogs: %s", r.code, r.stderr, logs)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not listen within 10s")
	}
	return s
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeZeroConfig(t *testing.T) {
	dir := dataDir(t)
	s := startServe(t, dir, nil)
	if code, body := get(t, "http://"+s.addr+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz = %d %s, want 200", code, body)
	}
	for name, mode := range map[string]os.FileMode{masterKeyFileName: 0o600, dbFileName: 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v mode %v, want %04o", name, err, fi.Mode().Perm(), mode)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, socketFileName))
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket: %v mode %v, want a 0600 socket", err, fi.Mode())
	}
	if r := s.stop(); r.code != 0 || r.stderr != "" {
		t.Errorf("serve stopped with exit %d stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, socketFileName)); !os.IsNotExist(err) {
		t.Errorf("socket left behind after a clean stop: %v", err)
	}
	if !strings.Contains(s.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop in the logs:\n%s", s.logs)
	}
	// The database was closed: it opens directly now.
	mustRun(t, invocation{args: []string{"user", "list", "--data-dir", dir}})
}

// Commands run inside the server while it holds the database: the direct
// path would time out on the lock, so passing proves the forwarding.
func TestCommandsForwardedToServer(t *testing.T) {
	dir := dataDir(t)
	s := startServe(t, dir, nil)

	r := runCLI(t, invocation{args: []string{"user", "add", "ops@example.com", "--role", "admin", "--password-stdin", "--data-dir", dir}, stdin: testPassword + "\n"})
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("user add through the server: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, invocation{args: []string{"user", "add", "ops@example.com", "--role", "admin", "--password-stdin", "--data-dir", dir}, stdin: testPassword})
	if r.code != exitError || r.stderr != "ledger: a user with the email ops@example.com already exists; choose another email\n" {
		t.Errorf("duplicate through the server: exit %d stderr %q", r.code, r.stderr)
	}
	r = mustRun(t, invocation{args: []string{"user", "list", "--json", "--data-dir", dir}})
	if !strings.Contains(r.stdout, `"email": "ops@example.com"`) || !strings.HasPrefix(r.stdout, "[") {
		t.Errorf("user list through the server:\n%s", r.stdout)
	}
	if r := runCLI(t, invocation{args: []string{"binding", "show", "9", "--data-dir", dir}}); r.code != exitError || !strings.Contains(r.stderr, "there is no binding 9") {
		t.Errorf("binding show 9: exit %d stderr %q", r.code, r.stderr)
	}
	if r := mustRun(t, invocation{args: []string{"key", "rotate", "--data-dir", dir}}); r.stdout != "new data key term 2\n" {
		t.Errorf("key rotate through the server = %q", r.stdout)
	}
	// A relative backup path is the client's, not the server's.
	wd, _ := os.Getwd()
	tmp := t.TempDir()
	if err := os.Chdir(tmp); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, invocation{args: []string{"backup", "rel.db", "--data-dir", dir}})
	_ = os.Chdir(wd)
	if _, err := os.Stat(filepath.Join(tmp, "rel.db")); err != nil || !strings.Contains(r.stdout, filepath.Join(tmp, "rel.db")) {
		t.Errorf("backup through the server: %v, stdout %q", err, r.stdout)
	}
	// The server ran them.
	for _, want := range []string{`"args":["user","add","…","--role","…","--password-stdin"]`, `"args":["key","rotate",`} {
		if !strings.Contains(s.logs.String(), want) {
			t.Errorf("server log lacks %s", want)
		}
	}
	// A second server on the same data dir is refused.
	r = runCLI(t, invocation{args: []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir}})
	if r.code != exitError || !strings.Contains(r.stderr, "ledger serve is already running on this data dir") {
		t.Errorf("second serve: exit %d stderr %q", r.code, r.stderr)
	}
	if code, _ := get(t, "http://"+s.addr+"/healthz"); code != http.StatusOK {
		t.Errorf("the first server is unwell after the refusal: %d", code)
	}
}

// A socket file left by a killed server (nobody listening) is ignored by
// the CLI and removed by the next serve.
func TestStaleSocket(t *testing.T) {
	dir := dataDir(t)
	addUser(t, dir, "ops@example.com", "admin")
	sock := filepath.Join(dir, socketFileName)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("stale socket not in place: %v", err)
	}

	start := time.Now()
	r := mustRun(t, invocation{args: []string{"user", "list", "--data-dir", dir}})
	if !strings.Contains(r.stdout, "ops@example.com") {
		t.Errorf("user list with a stale socket:\n%s", r.stdout)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("user list with a stale socket took %v", d)
	}
	s := startServe(t, dir, nil)
	if code, _ := get(t, "http://"+s.addr+"/healthz"); code != http.StatusOK {
		t.Errorf("serve after a stale socket: healthz %d", code)
	}
	if r := mustRun(t, invocation{args: []string{"user", "list", "--data-dir", dir}}); !strings.Contains(r.stdout, "ops@example.com") {
		t.Errorf("user list through the new server:\n%s", r.stdout)
	}
}

// A server that accepts but never answers, with the database locked: every
// command fails within 2 s with a clear message instead of hanging.
func TestNeverHangs(t *testing.T) {
	dir := dataDir(t)
	addUser(t, dir, "ops@example.com", "admin")
	db := openDirect(t, dir) // holds the bbolt lock like a live server
	_ = db
	ln, err := net.Listen("unix", filepath.Join(dir, socketFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // never accepts: connections sit in the backlog

	for _, args := range [][]string{
		{"user", "list"},
		{"user", "add", "new@example.com", "--role", "admin", "--password-stdin"},
		{"key", "rotate"},
		{"binding", "show", "1"},
	} {
		start := time.Now()
		r := runCLI(t, invocation{args: append(args, "--data-dir", dir), stdin: testPassword})
		elapsed := time.Since(start)
		if elapsed > 2*time.Second {
			t.Errorf("ledger %v took %v, want < 2s", args, elapsed)
		}
		want := "ledger: the database is in use — is `ledger serve` running on this data dir?\n"
		if r.code != exitError || r.stderr != want {
			t.Errorf("ledger %v: exit %d stderr %q, want 1 %q", args, r.code, r.stderr, want)
		}
	}
}
