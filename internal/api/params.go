package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// pageParams reads the "cursor" and "limit" query parameters.
func pageParams(r *http.Request) (store.Page, error) {
	q := r.URL.Query()
	p := store.Page{Cursor: q.Get("cursor"), Limit: store.DefaultListLimit}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxListLimit {
			return p, domain.FieldErrorf("limit", "must be a whole number from 1 to %d", store.MaxListLimit)
		}
		p.Limit = n
	}
	return p, nil
}

// timeParam reads an optional RFC 3339 query parameter; zero when absent.
func timeParam(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(name, s)
}

// parseTime parses an RFC 3339 time given in field name.
func parseTime(name, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, domain.FieldErrorf(name, "%q is not an RFC 3339 time like \"2024-05-01T12:00:00Z\"", s)
	}
	return t.UTC(), nil
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
