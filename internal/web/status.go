// Package web holds what the two HTTP surfaces, the JSON API and the
// console, share about HTTP itself: the map from a domain error code to its
// HTTP status, so that the same error is the same status wherever it is
// shown, and the public URL the links they hand out are made on.
package web

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// statuses maps each domain error code to its one HTTP status.
var statuses = map[string]int{
	domain.EINVALID:      http.StatusUnprocessableEntity,
	domain.EMALFORMED:    http.StatusBadRequest,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	domain.ETOOMANY:      http.StatusTooManyRequests,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	domain.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status of a domain error code. An unknown code
// is treated as EINTERNAL: only a bug makes one.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Code returns err's domain error code and its HTTP status. A code that no
// status is known for is reported as EINTERNAL, so that an internal
// error's text is never shown as if it were safe.
func Code(err error) (code string, status int) {
	code = domain.ErrorCode(err)
	if s, ok := statuses[code]; ok {
		return code, s
	}
	return domain.EINTERNAL, http.StatusInternalServerError
}
