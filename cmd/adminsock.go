package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"ledger/domain"
)

// maxSocketPath is the longest unix socket path Linux accepts (108 bytes
// including the terminating NUL).
const maxSocketPath = 107

// adminServer answers CLI invocations on <data-dir>/ledger.sock by running
// them in-process against the server's open database.
type adminServer struct {
	ln   net.Listener
	path string
	log  *slog.Logger
	exec func(args []string, stdin []byte) adminResponse
	wg   sync.WaitGroup
}

// claimSocket makes sure no other server answers on path and removes a
// stale socket file left by a server that was killed.
func claimSocket(path string) error {
	if pingServer(path) {
		return domain.Errorf(domain.EConflict,
			"ledger serve is already running on this data dir (it answers on %s); stop it first or use another --data-dir", path)
	}
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		return domain.Wrap(domain.EInvalid, err, "%s exists and is not ledger's socket; move it away", path)
	}
	if err := os.Remove(path); err != nil {
		return domain.Wrap(domain.EInvalid, err, "cannot remove the stale socket %s; remove it by hand", path)
	}
	return nil
}

// listenAdmin listens on path with mode 0600.
func listenAdmin(path string, log *slog.Logger, exec func([]string, []byte) adminResponse) (*adminServer, error) {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "cannot listen on the admin socket %s; check the data directory", path)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, domain.Wrap(domain.EInvalid, err, "cannot restrict the admin socket %s to its owner", path)
	}
	s := &adminServer{ln: ln, path: path, log: log, exec: exec}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

func (s *adminServer) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Error("admin socket accept failed", "err", err.Error())
			}
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(conn)
		}()
	}
}

// handle answers one connection: a ping or one command.
func (s *adminServer) handle(conn net.Conn) {
	defer conn.Close()
	if err := checkPeer(conn); err != nil {
		s.log.Warn("admin socket refused a connection", "err", err.Error())
		return
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, ok := s.answer(conn)
	if !ok {
		return
	}
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := json.NewEncoder(conn).Encode(resp); err != nil {
		s.log.Warn("admin socket: could not answer", "err", err.Error())
	}
}

// answer reads one request from r and runs it; ok is false when the
// request is unreadable (the connection is then closed without an answer).
func (s *adminServer) answer(r io.Reader) (resp adminResponse, ok bool) {
	var req adminRequest
	if err := json.NewDecoder(io.LimitReader(r, maxAdminMessage)).Decode(&req); err != nil {
		s.log.Warn("admin socket: unreadable request", "err", err.Error())
		return resp, false
	}
	switch req.Op {
	case "ping":
	case "run":
		if len(req.Args) == 0 || startsServer(req.Args) {
			return adminResponse{Stderr: []byte("ledger: the admin socket runs CLI commands other than serve and demo\n"), Exit: exitUsage}, true
		}
		s.log.Info("admin command", "args", redactArgs(req.Args))
		resp = s.exec(req.Args, req.Stdin)
	default:
		resp = adminResponse{Stderr: []byte("ledger: unknown admin request\n"), Exit: exitUsage}
	}
	return resp, true
}

// startsServer reports whether args, resolved as cobra will resolve them
// (global flags may come first), run serve or demo: each would start a
// second server inside this one. It resolves them on one command tree,
// built at the first request (adminGuard), not on a tree per request.
func startsServer(args []string) bool {
	g := &adminGuard
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.root == nil {
		g.root = newRootCommand(&deps{})
	}
	c, _, err := g.root.Find(args)
	if err != nil || c == nil {
		return false // cobra refuses it the same way when it runs
	}
	for c.HasParent() && c.Parent() != g.root {
		c = c.Parent()
	}
	return c != g.root && (c.Name() == "serve" || c.Name() == "demo")
}

// adminGuard is the command tree the admin socket resolves invocations on.
// It is never executed, only searched; mu serialises the searches because
// cobra's Find merges flag sets lazily, which is not safe concurrently.
var adminGuard struct {
	mu   sync.Mutex
	root *cobra.Command
}

// Close stops accepting, waits for the commands in flight (or ctx) and
// removes the socket file.
func (s *adminServer) Close(ctx context.Context) error {
	err := s.ln.Close()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return err
}

// redactArgs keeps only the command words and flag names of an invocation
// for the log; other values (emails, paths, passwords) are replaced by "…".
func redactArgs(args []string) []string {
	out := make([]string, 0, len(args))
	words := 0
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "-"):
			if i := strings.IndexByte(a, '='); i > 0 {
				a = a[:i] + "=…"
			}
		case words < 2 && isCommandWord(a):
			words++
		default:
			a = "…"
		}
		out = append(out, a)
	}
	return out
}

func isCommandWord(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return s != ""
}

// sameUser is the uid a peer must have: the server's own.
var sameUser = uint32(syscall.Getuid())
