package domain

import (
	"errors"
	"fmt"
)

// Error codes. They are part of the public API: the JSON error body carries
// them in "code", and the HTTP layer maps each to exactly one status.
const (
	EINVALID      = "invalid"           // a field is missing or has a bad value (422)
	EMALFORMED    = "malformed"         // the request body cannot be parsed (400)
	ENOTFOUND     = "not_found"         // the resource does not exist or is not visible (404)
	ECONFLICT     = "conflict"          // the resource exists or is in the wrong state (409)
	EUNAUTHORIZED = "unauthorized"      // missing or wrong credentials (401)
	EFORBIDDEN    = "forbidden"         // authenticated but not allowed (403)
	ETOOLARGE     = "too_large"         // the request body is over the limit (413)
	ETOOMANY      = "too_many_requests" // too many attempts; wait before trying again (429)
	EUNAVAILABLE  = "unavailable"       // a dependency (the database) is down (503)
	EINTERNAL     = "internal_error"    // a bug or an unexpected failure (500)
)

// Error is an error a user can act on. Message is safe to show; Field, when
// set, names the offending input (a JSON field name or path).
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (field %s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodedFieldErrorf returns an *Error with any code about one field.
func CodedFieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error about one field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the *Error's message,
// or a generic text for internal errors so that details never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field of the first *Error in err's chain, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// NotFound returns an ENOTFOUND error for the named kind of thing.
func NotFound(kind, id string) *Error {
	return Errorf(ENOTFOUND, "%s %q not found", kind, id)
}
