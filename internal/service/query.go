package service

import (
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// ParseTime parses an RFC 3339 time given in field, as the API's query
// parameters and bodies and the console's range fields carry it, so that
// both surfaces refuse the same text with the same message.
func ParseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, domain.FieldErrorf(field, "%q is not an RFC 3339 time like \"2024-05-01T12:00:00Z\"", s)
	}
	return t.UTC(), nil
}

// ParsePage reads a list's cursor and limit as given in a query ("" for
// absent). A cursor is the id of the last item of the previous page, so it
// must start with idPrefix ("wh_", "dlv_"); "" leaves the cursor to the
// list (Tenants.List checks its own).
func ParsePage(cursor, limit, idPrefix string) (store.Page, error) {
	p := store.Page{Cursor: cursor, Limit: store.DefaultListLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil {
			return p, errLimit()
		}
		p.Limit = n
	}
	return p, checkPage(p, idPrefix)
}

// checkPage holds the rules of a page: a cursor of the list's own ids and
// a limit from 1 to store.MaxListLimit.
func checkPage(p store.Page, idPrefix string) error {
	if p.Cursor != "" && !strings.HasPrefix(p.Cursor, idPrefix) {
		return errCursor(p.Cursor)
	}
	if p.Limit < 1 || p.Limit > store.MaxListLimit {
		return errLimit()
	}
	return nil
}

// errCursor refuses a cursor that no page of the list handed out.
func errCursor(cursor string) error {
	return domain.FieldErrorf("cursor", "%q is not a cursor of this list: pass the next_cursor of the previous page", cursor)
}

func errLimit() error {
	return domain.FieldErrorf("limit", "must be a whole number from 1 to %d", store.MaxListLimit)
}

// checkRange refuses a time range whose end is not after its start; a
// zero bound is open.
func checkRange(since, until time.Time) error {
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return domain.FieldErrorf("until", "must be after since")
	}
	return nil
}
