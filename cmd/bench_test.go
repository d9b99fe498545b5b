package cmd

import (
	"context"
	"testing"
	"time"
)

// BenchmarkUserList measures one `ledger user list` invocation, opening the
// file directly and forwarded to a running server.
func BenchmarkUserList(b *testing.B) {
	for _, mode := range []string{"direct", "forwarded"} {
		b.Run(mode, func(b *testing.B) {
			dir := dataDir(b)
			addUser(b, dir, "ops@example.com", "admin")
			if mode == "forwarded" {
				startServeB(b, dir)
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				mustRun(b, invocation{args: []string{"user", "list", "--data-dir", dir}})
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N)/1000, "ms/cmd")
		})
	}
}

// startServeB is startServe for benchmarks.
func startServeB(b *testing.B, dir string) {
	b.Helper()
	ready := make(chan string, 1)
	done := make(chan result, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		done <- runCLI(b, invocation{ctx: ctx, args: []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir},
			onServing: func(a string) { ready <- a }})
	}()
	b.Cleanup(func() { cancel(); <-done })
	select {
	case <-ready:
	case r := <-done:
		b.Fatalf("serve exited %d: %s", r.code, r.stderr)
	}
}
