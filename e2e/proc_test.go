package e2e

// proc_test.go holds the helpers every test that runs the built binary
// shares: build `ledger` once per test binary, start `ledger serve` as a
// process with its output captured, wait for /healthz against a deadline,
// and stop it (SIGTERM, then SIGKILL past a deadline).

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"
)

// built is the one `go build` of ledger shared by the package's tests (go
// test runs them in one process); its directory goes when TestMain ends.
var built struct {
	once gosync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildLedger returns the path of the ledger binary, built on first use.
func buildLedger(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "ledger-e2e-"); built.err == nil {
			built.bin, built.err = goBuild(built.dir, "ledger")
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// goBuild compiles ledger into dir/name with extra go build flags.
func goBuild(dir, name string, flags ...string) (string, error) {
	bin := filepath.Join(dir, name)
	args := append([]string{"build", "-o", bin}, flags...)
	build := exec.Command("go", append(args, ".")...)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", strings.Join(flags, " "), err, out)
	}
	return bin, nil
}

// freeAddr is a loopback address nobody listens on right now, for a
// server started later.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// healthz reports whether base answers GET /healthz with 200.
func healthz(hc *http.Client, base string) bool {
	resp, err := hc.Get(base + "/healthz")
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// serveOpts says how to run one `ledger serve`.
type serveOpts struct {
	Addr string   // where it listens (also given in Args)
	Args []string // the whole argument list, "serve" first
	Env  []string // the whole environment
	Dir  string   // working directory; "" is the test's
	// Poll is how often WaitHealthy asks /healthz (20 ms when 0).
	Poll time.Duration
	// StopWithin is how long Stop waits after SIGTERM (20 s when 0).
	StopWithin time.Duration
}

// proc is one running `ledger serve` whose output is kept.
type proc struct {
	base  string // http://Addr
	cmd   *exec.Cmd
	opts  serveOpts
	start time.Time
	done  chan struct{} // closed when the process has exited
	err   error         // Wait's result, read after done
	once  gosync.Once
	mu    gosync.Mutex
	logs  bytes.Buffer
}

// startServe execs bin with o and stops it when the test ends.
func startServe(t *testing.T, bin string, o serveOpts) *proc {
	t.Helper()
	if o.Poll == 0 {
		o.Poll = 20 * time.Millisecond
	}
	if o.StopWithin == 0 {
		o.StopWithin = 20 * time.Second
	}
	p := &proc{base: "http://" + o.Addr, opts: o, done: make(chan struct{})}
	p.cmd = exec.Command(bin, o.Args...)
	p.cmd.Dir, p.cmd.Env = o.Dir, o.Env
	p.cmd.Stdout, p.cmd.Stderr = p, p
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.Stop(t) })
	return p
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

// Output is everything the process wrote so far (stdout and stderr).
func (p *proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// WaitHealthy polls /healthz (a fresh connection each time) until it
// answers 200, failing the test if the process exits first or within
// passes; it returns the time from exec to that answer.
func (p *proc) WaitHealthy(t *testing.T, within time.Duration) time.Duration {
	t.Helper()
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := p.start.Add(within)
	for {
		if healthz(hc, p.base) {
			return time.Since(p.start)
		}
		if time.Now().After(deadline) {
			t.Fatalf("ledger serve did not answer /healthz 200 within %v:\n%s", within, p.Output())
		}
		select {
		case <-p.done:
			t.Fatalf("ledger serve exited before answering /healthz: %v\n%s", p.err, p.Output())
		case <-time.After(p.opts.Poll): // the poll interval
		}
	}
}

// Signal sends sig to the process.
func (p *proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Kill ends the process with SIGKILL and waits for it.
func (p *proc) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop sends SIGTERM (once) and waits; past StopWithin it kills the
// process and fails the test. It returns how the process exited (nil is
// exit 0); a process that already exited is not signalled.
func (p *proc) Stop(t *testing.T) error {
	p.once.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(p.opts.StopWithin):
			p.Kill()
			t.Errorf("ledger serve did not stop within %v of SIGTERM", p.opts.StopWithin)
		}
	})
	<-p.done
	return p.err
}

// RSS reads a field (VmRSS, VmHWM) of /proc/PID/status in KiB.
func (p *proc) RSS(t *testing.T, field string) float64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("RSS needs Linux /proc: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				t.Fatalf("%s: %v", field, err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, p.cmd.Process.Pid)
	return 0
}
