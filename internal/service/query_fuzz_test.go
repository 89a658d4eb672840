package service

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// FuzzParsePage parses arbitrary cursors and limits as the lists' query
// parameters carry them. Nothing may panic. What is accepted is a cursor of
// the list's own ids, kept as given, and a limit from 1 to the maximum (the
// default when absent); what is refused is EINVALID on the field at fault.
// A cursor that is an id of the list (a next_cursor) is always accepted.
func FuzzParsePage(f *testing.F) {
	for _, c := range []struct{ cursor, limit string }{
		{"", ""}, {"wh_01j8z3k4m5n6p7q8r9s0t1v2w3", "10"}, {"dlv_x", "1000"}, {"evt_", "1001"}, {"tnt_acme", "0"},
		{"key_1", "-1"}, {"wh_1", "1e3"}, {"wh_1", " 5"}, {"wh_1", "9223372036854775808"}, {"WH_1", "+7"}, {"\x00", "07"},
	} {
		f.Add(c.cursor, c.limit, int64(1714564800000))
	}
	prefixes := []string{id.Webhook, id.Delivery, id.Event, id.APIKey}
	f.Fuzz(func(t *testing.T, cursor, limit string, ms int64) {
		for _, prefix := range prefixes {
			p, err := ParsePage(cursor, limit, prefix)
			if err != nil {
				field := domain.ErrorField(err)
				if domain.ErrorCode(err) != domain.EINVALID || (field != "cursor" && field != "limit") {
					t.Fatalf("ParsePage(%q, %q, %q) = %v, want EINVALID on cursor or limit", cursor, limit, prefix, err)
				}
				if field == "limit" {
					if n, aerr := strconv.Atoi(limit); limit == "" || aerr == nil && n >= 1 && n <= store.MaxListLimit {
						t.Fatalf("ParsePage(%q, %q, %q) refuses a good limit: %v", cursor, limit, prefix, err)
					}
				}
				continue
			}
			if p.Cursor != cursor || cursor != "" && !strings.HasPrefix(cursor, prefix) {
				t.Fatalf("ParsePage(%q, %q, %q) accepted cursor %q", cursor, limit, prefix, p.Cursor)
			}
			want := store.DefaultListLimit
			if limit != "" {
				n, aerr := strconv.Atoi(limit)
				if aerr != nil {
					t.Fatalf("ParsePage(%q, %q, %q) accepted a limit that is no number", cursor, limit, prefix)
				}
				want = n
			}
			if p.Limit != want || p.Limit < 1 || p.Limit > store.MaxListLimit {
				t.Fatalf("ParsePage(%q, %q, %q) limit = %d", cursor, limit, prefix, p.Limit)
			}
		}
		// A next_cursor is an id of the list: always a good cursor.
		if ms < 0 || ms > 1<<45 {
			return
		}
		for _, prefix := range prefixes {
			next := id.NewGenerator(nil).NewAt(prefix, time.UnixMilli(ms))
			if _, err := ParsePage(next, "", prefix); err != nil {
				t.Fatalf("ParsePage(%q) of a %s id: %v", next, prefix, err)
			}
		}
	})
}
