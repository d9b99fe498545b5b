package cmd

import (
	"errors"
	"io"
	"time"

	"github.com/spf13/cobra"

	"ledger/domain"
	"ledger/store"
)

// forward says how a command is sent to a running server: the arguments
// (default: the invocation as typed), stdin content, and how long it may take.
type forward struct {
	args    []string
	stdin   []byte
	timeout time.Duration
}

// access is what a command does to the database.
type access int

const (
	readOnly access = iota
	readWrite
)

// withDB runs fn against the database, wherever it is open:
//   - inside `ledger serve` (a forwarded command): the server's own handle;
//   - a server answers on <data-dir>/ledger.sock: the whole invocation is
//     forwarded to it and its output and exit status are replayed here;
//   - otherwise: the file is opened directly (read-only commands leave it
//     byte-identical) and closed again.
//
// When the command was forwarded, withDB returns an *exitCodeError (also
// for exit status 0): the output is printed and the caller must return it
// as is. Every path answers or fails within about 2 s (except the long commands,
// which the server bounds itself).
func (d *deps) withDB(c *cobra.Command, mode access, fwd *forward, fn func(db *store.DB) error) error {
	if d.app != nil {
		return fn(d.app.DB)
	}
	if fwd == nil {
		fwd = &forward{}
	}
	if fwd.args == nil {
		fwd.args = d.args
	}
	if fwd.timeout == 0 {
		fwd.timeout = commandTimeout
	}
	sock := d.cfg.SocketPath()
	if pingServer(sock) {
		return d.forwardTo(c, sock, fwd)
	}
	db, err := openDatabase(&d.cfg, d.getenv, mode == readOnly, d.log)
	if err != nil {
		return err
	}
	ferr := fn(db)
	if cerr := db.Close(); cerr != nil && ferr == nil {
		ferr = domain.Wrap(domain.EInternal, cerr, "could not close the database cleanly; run `ledger backup` and check the log")
	}
	return ferr
}

// pingServer reports whether a live server answers on the socket within
// pingTimeout. A missing or stale socket (connection refused) is false.
func pingServer(sock string) bool {
	resp, err := roundTrip(sock, adminRequest{Op: "ping"}, pingTimeout)
	return err == nil && resp.Exit == 0
}

// forwardTo runs the command inside the server and replays its output.
func (d *deps) forwardTo(c *cobra.Command, sock string, fwd *forward) error {
	resp, err := roundTrip(sock, adminRequest{Op: "run", Args: fwd.args, Stdin: fwd.stdin}, fwd.timeout)
	if err != nil {
		d.log.Debug("forwarding to the server failed", "socket", sock, "err", err.Error())
		if errors.Is(err, io.EOF) {
			return domain.Wrap(domain.EUnavailable, err, "the running ledger server closed the connection without an answer; check its log")
		}
		return domain.Wrap(domain.EUnavailable, err, "the running ledger server did not answer in time; check its log and try again")
	}
	_, _ = c.OutOrStdout().Write(resp.Stdout)
	_, _ = c.ErrOrStderr().Write(resp.Stderr)
	// Even on success the command is done: its output has been printed.
	return &exitCodeError{code: resp.Exit}
}
