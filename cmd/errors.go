package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"ledger/domain"
)

// Exit statuses of interfaces.md §3.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError is a malformed invocation: an unknown command or flag, a missing
// or extra argument. It exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCodeError carries the exit status of a command that ran inside the
// server; its output has already been printed.
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// report prints err for a user on stderr and returns the exit status. The
// user sees one sentence (domain.MessageOf); internals go to the log.
func report(stderr io.Writer, log *slog.Logger, cmdPath string, err error) int {
	if err == nil {
		return exitOK
	}
	var (
		ue *usageError
		ee *exitCodeError
	)
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "ledger: %s\n", ue.msg)
		if cmdPath == "" {
			cmdPath = "ledger"
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmdPath)
		return exitUsage
	}
	if log != nil {
		level := slog.LevelDebug
		if domain.KindOf(err) == domain.EInternal {
			level = slog.LevelError
		}
		log.Log(context.Background(), level, "command failed", "command", cmdPath, "err", err.Error())
	}
	fmt.Fprintf(stderr, "ledger: %s\n", domain.MessageOf(err))
	return exitError
}
