package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
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

// pageParams reads the "cursor" and "limit" query parameters. A cursor is
// the id of the last item of the previous page, so it must start with
// idPrefix ("wh_", "dlv_"); "" accepts any cursor (tenant ids are free).
func pageParams(r *http.Request, idPrefix string) (store.Page, error) {
	q := r.URL.Query()
	p := store.Page{Cursor: q.Get("cursor"), Limit: store.DefaultListLimit}
	if p.Cursor != "" && !strings.HasPrefix(p.Cursor, idPrefix) {
		return p, domain.FieldErrorf("cursor", "%q is not a cursor of this list: pass the next_cursor of the previous page", p.Cursor)
	}
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
