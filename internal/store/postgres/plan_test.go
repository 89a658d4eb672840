package postgres

import (
	"context"
	"strings"
	"testing"
)

// The lease release of a graceful stop reads the index of leased
// deliveries, not the whole table (on SQLite it did not, and a stop took
// minutes on a large database). The planner is told to avoid sequential
// scans, which it prefers on tables this small: the check is that the
// statement can use the index at all.
func TestReleaseLeasesIsIndexed(t *testing.T) {
	s := openTest(t, Options{MaxConns: 1})
	ctx := context.Background()
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, "EXPLAIN "+releaseLeasesSQL, "node-a")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "lease_owner") {
		t.Fatalf("release plan:\n%s\nwant index scans of the lease_owner index", plan)
	}
}
