package retours

import (
	"errors"
	"fmt"
	"maps"
)

// Error codes. Transports map each code to one status.
const (
	EINVALID      = "invalid"      // the input breaks a rule; Key and Fields say which
	ENOTFOUND     = "not_found"    // the event, session or item does not exist
	ECONFLICT     = "conflict"     // the item already exists
	EUNAUTHORIZED = "unauthorized" // no credentials were presented
	EFORBIDDEN    = "forbidden"    // the credentials do not grant access
	ECLOSED       = "closed"       // answers are not accepted at this time
	EUNAVAILABLE  = "unavailable"  // a dependency is overloaded; the caller may retry
	ESTALE        = "stale"        // a change was made from a version that is no longer the current one
	EVERSION      = "version"      // a change does not say which version it was made from
	ETOOLARGE     = "too_large"    // the input is larger than allowed
	ETOOMANY      = "too_many"     // the client asked too often; Fields["retry_after"] says in how many seconds it may again
	EINTERNAL     = "internal"     // anything unexpected; details stay in the logs
)

// Error is the domain error. Key names its message in the domain's
// catalogue (messages.go), filled by Args, so that each reader gets it in
// their language (ErrorMessage); Fields maps input field names to field
// problems (Field*), or, for ECLOSED, "opens_at" or "closes_at" to an
// RFC 3339 instant.
type Error struct {
	Code   string
	Key    string
	Args   []any
	Fields map[string]string
}

// Error returns the code and the key, never a text: logs need no language.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("retours: %s: %s", e.Code, e.Key)
	}
	return fmt.Sprintf("retours: %s: %s (%d fields)", e.Code, e.Key, len(e.Fields))
}

// NewError returns an *Error with the given code and message key, whose
// text's verbs args fill.
func NewError(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// FieldErrors collects per-field problems (Field*).
type FieldErrors map[string]string

// Add records problem for field unless the field already has one.
func (f FieldErrors) Add(field, problem string) {
	if _, ok := f[field]; !ok {
		f[field] = problem
	}
}

// Err returns nil when f is empty, else an EINVALID *Error with the message
// key and f's problems.
func (f FieldErrors) Err(key string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Key: key, Fields: maps.Clone(map[string]string(f))}
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

// ErrorFields returns the field messages of err when it is or wraps an *Error.
func ErrorFields(err error) map[string]string {
	if e := asError(err); e != nil {
		return e.Fields
	}
	return nil
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
