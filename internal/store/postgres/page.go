package postgres

import (
	"time"

	"github.com/lmshooks/lmshooks/internal/store"
)

// pageLimit returns the page size to use for p, within
// [1, store.MaxListLimit].
func pageLimit(p store.Page) int {
	switch {
	case p.Limit <= 0:
		return store.DefaultListLimit
	case p.Limit > store.MaxListLimit:
		return store.MaxListLimit
	}
	return p.Limit
}

// trimPage cuts a list fetched with limit+1 rows down to limit and returns
// the cursor of the next page: the last id shown, or "" when nothing
// follows. Ids sort by age, so "older than the cursor" is "id < cursor".
func trimPage[T any](items []T, limit int, id func(*T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, id(&items[limit-1])
}

// utc normalises a time read from the database; pgx returns local times.
func utc(t time.Time) time.Time { return t.UTC() }

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fromNullTime maps SQL NULL to the zero time.
func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
