package domain

import (
	"errors"
	"fmt"
)

// The closed set of error kinds. Every error that crosses a port or leaves a
// use case matches exactly one of them with errors.Is.
var (
	ErrInvalid         = errors.New("invalid input")
	ErrNotFound        = errors.New("not found")
	ErrExists          = errors.New("already exists")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrForbidden       = errors.New("forbidden")
	ErrTooLarge        = errors.New("too large")
	ErrUnsupportedType = errors.New("unsupported content type")
	ErrUnavailable     = errors.New("unavailable")
)

// CodeConcurrentUpdate is the code of the ErrExists a repository returns
// when an optimistic update or delete lost to a concurrent change: the
// caller may read the record again and retry.
const CodeConcurrentUpdate = "concurrent_update"

// CodeDatabaseUnavailable is the code of the ErrUnavailable a repository
// returns when the database cannot be reached or did not answer in time.
const CodeDatabaseUnavailable = "database_unavailable"

// IsDatabaseUnavailable reports whether err is the database's failure: a
// repository's CodeDatabaseUnavailable, or an audit event that could not
// be written (audit_unavailable), which is the database's too.
func IsDatabaseUnavailable(err error) bool {
	var de *Error
	if !errors.As(err, &de) || !errors.Is(de.Kind, ErrUnavailable) {
		return false
	}
	return de.Code == CodeDatabaseUnavailable || de.Code == "audit_unavailable"
}

// Error is a domain error with a stable machine code and a human message that
// is safe to show to the caller. It matches its Kind with errors.Is.
type Error struct {
	Kind    error  // one of the Err* kinds above
	Code    string // snake_case, stable, e.g. "invalid_path"
	Message string // a sentence for humans; never contains secrets or internals
	cause   error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return e.Message + ": " + e.cause.Error()
	}
	return e.Message
}

// Unwrap lets errors.Is match both the kind and the underlying cause.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Kind, e.cause}
	}
	return []error{e.Kind}
}

// Errorf builds a domain error of the given kind and code.
func Errorf(kind error, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds a domain error of the given kind around an underlying cause
// (typically a vendor error). The cause is kept for logs and errors.Is but is
// never part of Message.
func Wrap(kind error, code, message string, cause error) *Error {
	return &Error{Kind: kind, Code: code, Message: message, cause: cause}
}

// KindOf returns the kind an error matches, or nil when it matches none
// (an unexpected, internal error).
func KindOf(err error) error {
	for _, k := range []error{ErrInvalid, ErrNotFound, ErrExists, ErrUnauthenticated,
		ErrForbidden, ErrTooLarge, ErrUnsupportedType, ErrUnavailable} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// PublicMessage returns the message and code safe to show to a caller for
// err: the domain error's own when it is one, a generic one otherwise.
func PublicMessage(err error) (code, message string) {
	var de *Error
	if errors.As(err, &de) {
		return de.Code, de.Message
	}
	switch KindOf(err) {
	case ErrInvalid:
		return "invalid_request", "The request is not valid."
	case ErrNotFound:
		return "not_found", "No such file."
	case ErrExists:
		return "already_exists", "A file already exists at this path."
	case ErrUnauthenticated:
		return "token_invalid", "The access token is missing or not valid."
	case ErrForbidden:
		return "forbidden", "Your role does not allow this operation."
	case ErrTooLarge:
		return "too_large", "The file is larger than allowed."
	case ErrUnsupportedType:
		return "unsupported_type", "The file's content type is not allowed here."
	case ErrUnavailable:
		return "unavailable", "The storage backend is unavailable; try again later."
	}
	return "internal", "An internal error occurred."
}
