package postgres

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
)

// testDSN returns the test server's DSN, skipping the test when
// LMSHOOKS_TEST_POSTGRES is unset.
func testDSN(t testing.TB) string { return pgtest.DSN(t) }

// newSchemaName returns a fresh schema name and drops that schema (with
// everything in it) when the test ends.
func newSchemaName(t testing.TB, dsn string) string { return pgtest.Schema(t, dsn, "test_") }

// openTest opens a store on a schema of its own, closed and dropped when
// the test ends.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	dsn := testDSN(t)
	if opts.Schema == "" {
		opts.Schema = newSchemaName(t, dsn)
	}
	if opts.Logger == nil {
		opts.Logger = discardLogger()
	}
	if opts.MaxConns == 0 {
		opts.MaxConns = 4
	}
	s, err := Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// Registered after the schema's cleanup, so it runs before it.
	t.Cleanup(func() { _ = s.Close() })
	// Today's partitions and the next days', as a starting node makes.
	now := time.Now()
	if err := s.EnsurePartitions(context.Background(), now, now.AddDate(0, 0, 2)); err != nil {
		t.Fatalf("EnsurePartitions: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	testDSN(t)
	storetest.Exercise(t, func(t *testing.T) store.Store { return openTest(t, Options{}) })
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
