package cmd

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// invocation is one in-process run of the CLI.
type invocation struct {
	args  []string
	stdin string
	env   map[string]string
	ctx   context.Context
	// logs, when set, receives the logs.
	logs io.Writer
	// onServing is told serve's HTTP address.
	onServing func(string)
}

type result struct {
	stdout, stderr string
	code           int
}

// syncBuffer is a bytes.Buffer safe for a server goroutine to write while a
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCLI runs the command tree as `ledger <args>` would.
func runCLI(t testing.TB, in invocation) result {
	t.Helper()
	var stdout, stderr syncBuffer
	env := in.env
	d := &deps{
		ctx:        in.ctx,
		args:       in.args,
		stdin:      strings.NewReader(in.stdin),
		getenv:     func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		logOut:     in.logs,
		bcryptCost: bcrypt.MinCost,
		onServing:  in.onServing,
	}
	code := run(d, &stdout, &stderr)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// dataDir is a fresh data directory for one test. Its path stays short
// enough for a unix socket.
func dataDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ldg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "data")
}

// newKey returns a random master key and its base64.
func newKey(t testing.TB) ([]byte, string) {
	t.Helper()
	k := make([]byte, masterKeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k, base64.StdEncoding.EncodeToString(k)
}

// mustRun fails the test unless the invocation exits 0.
func mustRun(t testing.TB, in invocation) result {
	t.Helper()
	r := runCLI(t, in)
	if r.code != 0 {
		t.Fatalf("ledger %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(in.args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

const testPassword = "correct horse battery"

// addUser adds a user through the CLI.
func addUser(t testing.TB, dir, email, role string) {
	t.Helper()
	mustRun(t, invocation{args: []string{"user", "add", email, "--role", role, "--password-stdin", "--data-dir", dir}, stdin: testPassword + "\n"})
}
