package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// A full database (SQLite's own SQLITE_FULL, at the page limit the writer
// connection is given) fails the publishes, and LastWrite says so; once
// there is room, a probe commits and LastWrite is clean again.
func TestLastWriteReportsAFullDatabase(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "full.db"))
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := seed(t, s, now)
	publish := func() error {
		events := make([]domain.Event, 50)
		for i := range events {
			events[i] = testEvent(tn, now, "")
			events[i].Data = json.RawMessage(fmt.Sprintf(`{"pad":%q}`, strings.Repeat("x", 2000)))
		}
		_, err := storetest.Seed{TenantID: tn, Now: now, Events: events}.Publish(ctx, s)
		return err
	}
	if err := publish(); err != nil {
		t.Fatal(err)
	}
	if got := s.LastWrite(); got.Err != nil || got.Seq == 0 {
		t.Fatalf("LastWrite after a commit = %+v, want a clean outcome", got)
	}

	pageLimit := func(n string) {
		t.Helper()
		if err := s.write(ctx, "page limit", func(tx *wtx) error {
			return tx.execRaw("PRAGMA max_page_count = " + n)
		}); err != nil {
			t.Fatal(err)
		}
	}
	var pages int
	if err := s.rdb.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	pageLimit(fmt.Sprint(pages)) // no page more: the database is full
	err := publish()
	if domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("publish into a full database = %v, want EUNAVAILABLE", err)
	}
	failed := s.LastWrite()
	if failed.Err == nil || sqliteCode(failed.Err) == 0 {
		t.Fatalf("LastWrite after a full database = %+v, want its SQLite error", failed)
	}

	pageLimit("1073741823")
	if err := s.ProbeWrite(ctx, "node-a", now); err != nil {
		t.Fatalf("ProbeWrite once there is room: %v", err)
	}
	if got := s.LastWrite(); got.Err != nil || got.Seq <= failed.Seq {
		t.Fatalf("LastWrite after the probe = %+v, want a newer clean outcome than %+v", got, failed)
	}
}
