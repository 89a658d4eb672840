package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
)

// checkURL refuses a request whose path or query holds a NUL character
// or bytes that are not UTF-8 (%00, %ff): ids and filters are compared in
// the database, and PostgreSQL refuses such text, which would otherwise
// make a typo a 500.
func checkURL(r *http.Request) error {
	if !domain.ValidText(r.URL.Path) {
		return domain.Errorf(domain.EMALFORMED, "the URL path must be UTF-8 text without NUL characters")
	}
	for name, values := range r.URL.Query() {
		if !domain.ValidText(name) {
			return domain.Errorf(domain.EMALFORMED, "a query parameter name is not UTF-8 text without NUL characters")
		}
		for _, v := range values {
			if !domain.ValidText(v) {
				return domain.FieldErrorf(name, "must be UTF-8 text without NUL characters")
			}
		}
	}
	return nil
}

// pageParams reads the "cursor" and "limit" query parameters of a list
// whose ids start with idPrefix ("" for any).
func pageParams(r *http.Request, idPrefix string) (store.Page, error) {
	q := r.URL.Query()
	return service.ParsePage(q.Get("cursor"), q.Get("limit"), idPrefix)
}

// timeParam reads an optional RFC 3339 query parameter; zero when absent.
func timeParam(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	return service.ParseTime(name, s)
}

// boolParam reads an optional true/false query parameter.
func boolParam(r *http.Request, name string) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, domain.FieldErrorf(name, "must be true or false")
	}
	return b, nil
}
