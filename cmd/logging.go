package cmd

import (
	"io"
	"log/slog"
	"strings"
)

// parseLevel reads --log-level.
func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, usageErrorf("--log-level must be debug, info, warn or error, not %q", s)
}

// newLogger builds the slog logger: text on a terminal, else JSON, unless
// --log-format says which. Every record passes redactHandler first, so a
// URL secret inside an HTTP client's error never reaches the log.
func newLogger(w io.Writer, format string, terminal bool, level slog.Level) *slog.Logger {
	if format == "" {
		format = "json"
		if terminal {
			format = "text"
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(redactHandler{slog.NewTextHandler(w, opts)})
	}
	return slog.New(redactHandler{slog.NewJSONHandler(w, opts)})
}
