package postgres

import (
	"context"
	"strings"
	"testing"
)

// Many callers share the pool, so it must not fall back to pgxpool's small
// default; a DSN or an option that sets a size still wins.
func TestPoolSize(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, tc := range []struct {
		name string
		dsn  string
		opt  int32
		want int32
	}{
		{"default", dsn, 0, DefaultMaxConns()},
		{"from the DSN", dsn + sep + "pool_max_conns=3", 0, 3},
		{"from Options", dsn, 5, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.dsn, Options{Schema: schema, MaxConns: tc.opt, Logger: discardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.pool.Config().MaxConns; got != tc.want {
				t.Fatalf("MaxConns = %d, want %d", got, tc.want)
			}
		})
	}
	if DefaultMaxConns() < 8 {
		t.Fatalf("DefaultMaxConns() = %d, want at least 8", DefaultMaxConns())
	}
}
