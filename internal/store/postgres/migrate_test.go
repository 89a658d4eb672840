package postgres

import (
	"context"
	"net/url"
	"sync"
	"testing"
)

// Nodes starting at once on a new schema: the advisory lock lets one
// migrate while the others wait, and each migration is recorded once.
func TestMigrateConcurrentOpens(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(context.Background(), dsn, Options{Schema: schema, MaxConns: 2, Logger: discardLogger()})
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Open: %v", err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	s := openTest(t, Options{Schema: schema})
	var n, distinct int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || distinct != len(ms) {
		t.Fatalf("schema_migrations has %d rows (%d versions), want %d", n, distinct, len(ms))
	}
}

// A search_path in the DSN chooses the schema when Options.Schema is empty.
func TestSchemaFromDSN(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := Open(context.Background(), u.String(), Options{Logger: discardLogger()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	seed(t, s, 1)
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = $1 AND table_name IN ('tenants', 'webhooks', 'events', 'deliveries', 'attempts')`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("found %d of the 5 tables in schema %s", n, schema)
	}
}

func TestLoadMigrationsNumbered(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("migrations = %v, want a first one numbered 1", ms)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].version <= ms[i-1].version {
			t.Fatalf("migrations out of order: %s after %s", ms[i].name, ms[i-1].name)
		}
	}
}
