package retours

import (
	"errors"
	"fmt"
	"maps"
)

// Error codes. Transports map each code to one status.
const (
	EINVALID      = "invalid"      // the input breaks a rule; Message and Fields say which
	ENOTFOUND     = "not_found"    // the event, session or item does not exist
	ECONFLICT     = "conflict"     // the item already exists
	EUNAUTHORIZED = "unauthorized" // no credentials were presented
	EFORBIDDEN    = "forbidden"    // the credentials do not grant access
	ECLOSED       = "closed"       // answers are not accepted at this time
	EUNAVAILABLE  = "unavailable"  // a dependency is overloaded; the caller may retry
	EINTERNAL     = "internal"     // anything unexpected; details stay in the logs
)

// Error is the domain error. Message is meant for a person and may be shown
// to them; Fields maps input field names to messages.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("retours: %s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("retours: %s: %s (%d fields)", e.Code, e.Message, len(e.Fields))
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors collects per-field validation messages.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when f is empty, else an EINVALID *Error carrying f.
func (f FieldErrors) Err(message string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: message, Fields: maps.Clone(map[string]string(f))}
}

// ErrorCode returns the code of err when it is or wraps an *Error, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the person-readable message of err when it is or wraps
// an *Error, and a generic message otherwise, so internal details never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the field messages of err when it is or wraps an *Error.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
