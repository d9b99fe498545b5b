package domain

import (
	"errors"
	"fmt"
)

// ErrorKind classifies an Error so that adapters can map it to an HTTP status,
// an exit code or a retry decision without looking at its text.
type ErrorKind string

const (
	EInvalid      ErrorKind = "invalid"      // the caller sent something wrong; fix the input
	ENotFound     ErrorKind = "not_found"    // no such object (or not visible to the caller)
	EConflict     ErrorKind = "conflict"     // the object exists or is in a state that forbids this
	EUnauthorized ErrorKind = "unauthorized" // bad or missing credentials
	EUnavailable  ErrorKind = "unavailable"  // transient: try again later (database busy, shutting down, upstream down)
	EInternal     ErrorKind = "internal"     // a bug or an unexpected failure
)

// Error is ledger's error. Message is safe to show to a user (one sentence that
// says what was wrong and what to do); Err carries internals for the log only.
// Code is an optional stable machine-readable code such as "not_in_reference".
type Error struct {
	Kind    ErrorKind
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given kind with a user-safe formatted message.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error that shows the user-safe message and keeps err for logs.
func Wrap(kind ErrorKind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// WithCode returns a copy of e carrying the stable code.
func (e *Error) WithCode(code string) *Error {
	c := *e
	c.Code = code
	return &c
}

// KindOf returns the kind of the first *Error in err's chain, or EInternal.
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Kind != "" {
		return e.Kind
	}
	return EInternal
}

// CodeOf returns the code of the first *Error in err's chain that has one.
func CodeOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Code != "" {
			return e.Code
		}
		err = e.Err
	}
	return ""
}

// MessageOf returns the user-safe message of err: the message of the first
// *Error in its chain, or a generic sentence for anything else (internals never
// reach a user).
func MessageOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "Something went wrong inside ledger; the details are in the server log."
}

// IsKind reports whether err is a domain error of the given kind.
func IsKind(err error, kind ErrorKind) bool { return err != nil && KindOf(err) == kind }
