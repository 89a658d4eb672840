package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// testDSN returns the test server's DSN, skipping the test when
// LMSHOOKS_TEST_POSTGRES is unset.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("LMSHOOKS_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("LMSHOOKS_TEST_POSTGRES is not set")
	}
	return dsn
}

// newSchemaName returns a fresh schema name and drops that schema (with
// everything in it) when the test ends.
func newSchemaName(t testing.TB, dsn string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+quoteIdent(schema)+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

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
	return s
}

func TestConformance(t *testing.T) {
	testDSN(t)
	storetest.Exercise(t, func(t *testing.T) store.Store { return openTest(t, Options{}) })
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
