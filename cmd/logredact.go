package cmd

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
)

// Every logger ledger builds (newLogger) writes through redactHandler. An
// error from net/http or x/oauth2 quotes the request URL (`Get
// "https://…/oauth/xero/start?state=…": EOF`), and oauth2 flattens it into
// its own message, so no client can be trusted to drop it everywhere: the
// log itself keeps the scheme, host and path of any URL it is given and
// replaces query values, userinfo and fragments by "REDACTED".

const redacted = "REDACTED"

// urlRE finds absolute URLs and relative request URIs with a query.
var urlRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+|/[^\s"'<>?]*\?[^\s"'<>]+`)

// redactText returns s with every URL's query values, userinfo and
// fragment replaced.
func redactText(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(s, "?") {
		return s // the common case: nothing to look at
	}
	return urlRE.ReplaceAllStringFunc(s, redactURL)
}

func redactURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			rest = redacted + rest[at:]
		}
		u = u[:i+3] + rest
	}
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i+1] + redacted
	}
	q := strings.IndexByte(u, '?')
	if q < 0 {
		return u
	}
	frag := ""
	if i := strings.IndexByte(u, '#'); i > q {
		u, frag = u[:i], u[i:]
	}
	pairs := strings.Split(u[q+1:], "&")
	for i, p := range pairs {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		pairs[i] = k + "=" + redacted
	}
	return u[:q+1] + strings.Join(pairs, "&") + frag
}

// redactHandler is a slog.Handler that redacts the message and every
// string, error and Stringer attribute before h sees them.
type redactHandler struct{ h slog.Handler }

func (r redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, redactText(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return redactHandler{r.h.WithAttrs(red)}
}

func (r redactHandler) WithGroup(name string) slog.Handler { return redactHandler{r.h.WithGroup(name)} }

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redactText(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, ga := range g {
			red[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, redactText(x.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, redactText(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// redactedError is err with the URLs in its message redacted; it still
// unwraps to err, so kinds and typed errors survive.
type redactedError struct{ err error }

func (e redactedError) Error() string { return redactText(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// redactErr strips URL secrets from err's message at the source, for an
// error from an HTTP client that is wrapped into a domain.Error.
func redactErr(err error) error {
	if err == nil {
		return nil
	}
	var already redactedError
	if errors.As(err, &already) {
		return err
	}
	return redactedError{err}
}
