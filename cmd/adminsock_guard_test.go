package cmd

import (
	"strings"
	"sync"
	"testing"
)

// startsServerFresh is the guard as it was before its command tree was
// built once: a fresh tree per call. The shared tree must decide alike.
func startsServerFresh(args []string) bool {
	root := newRootCommand(&deps{})
	c, _, err := root.Find(args)
	if err != nil || c == nil {
		return false
	}
	for c.HasParent() && c.Parent() != root {
		c = c.Parent()
	}
	return c != root && (c.Name() == "serve" || c.Name() == "demo")
}

// guardCases are invocations around the guard's edges: global flags before
// the command (with a value, with =value, boolean, unknown), a flag whose
// value is the word serve, "--", help, prefixes and case, serve's and demo's
// own flags and subcommand-like words.
var guardCases = []string{
	"serve",
	"demo",
	"demo --port 1",
	"serve --listen :1",
	"--log-level debug serve",
	"--log-level serve",
	"--log-level=debug serve",
	"--data-dir=/tmp/x serve --listen :1",
	"--data-dir /tmp/x demo",
	"--magento-allow-private serve",
	"--trust-proxy demo",
	"--unknown serve",
	"--unknown=1 serve",
	"-x serve",
	"-- serve",
	"help serve",
	"serve --help",
	"-h serve",
	"ser",
	"Serve",
	"SERVE",
	"demos",
	"user list serve",
	"user add serve@example.com",
	"binding serve",
	"version",
	"--log-format json",
	"",
	"--",
	"-",
	"user",
	"sync list --status failed",
	"reference refresh 1 demo",
}

func TestStartsServerMatchesFreshTree(t *testing.T) {
	for _, line := range guardCases {
		args := strings.Fields(line)
		if got, want := startsServer(args), startsServerFresh(args); got != want {
			t.Errorf("startsServer(%q) = %v, a fresh tree says %v", args, got, want)
		}
	}
	// The shared tree keeps no state from one invocation to the next.
	for _, line := range guardCases {
		args := strings.Fields(line)
		if got, want := startsServer(args), startsServerFresh(args); got != want {
			t.Errorf("second round: startsServer(%q) = %v, a fresh tree says %v", args, got, want)
		}
	}
}

// The admin socket answers each connection on its own goroutine.
func TestStartsServerConcurrent(t *testing.T) {
	want := make([]bool, len(guardCases))
	for i, line := range guardCases {
		want[i] = startsServerFresh(strings.Fields(line))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range guardCases {
				i = (i + g) % len(guardCases)
				if got := startsServer(strings.Fields(guardCases[i])); got != want[i] {
					t.Errorf("startsServer(%q) = %v concurrently, want %v", guardCases[i], got, want[i])
				}
			}
		})
	}
	wg.Wait()
}

func FuzzStartsServer(f *testing.F) {
	for _, line := range guardCases {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		if got, want := startsServer(args), startsServerFresh(args); got != want {
			t.Errorf("startsServer(%q) = %v, a fresh tree says %v", args, got, want)
		}
	})
}

func BenchmarkStartsServer(b *testing.B) {
	args := []string{"--log-level", "debug", "user", "list"}
	for b.Loop() {
		if startsServer(args) {
			b.Fatal("user list starts a server")
		}
	}
}
