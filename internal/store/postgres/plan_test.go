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

// The claim reads the due index as before, and the turn check of ordered
// deliveries searches the two small ordering indexes, never the table.
func TestClaimTurnCheckIsIndexed(t *testing.T) {
	s := openTest(t, Options{MaxConns: 1})
	plan := explainPlan(t, s, claimSQL, "node-a", testNow, testNow, 10, []string{"wh_x"})
	// Partitions name their indexes after the columns.
	for _, want := range []string{
		"next_attempt_at_idx",
		"webhook_id_ordering_key_ordering_seq_idx",
		"(ordering_seq < d_1.ordering_seq))",
		"webhook_id_ordering_key_idx",
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("claim plan:\n%s\nwant %q", plan, want)
		}
	}
	if strings.Contains(plan, "Seq Scan") {
		t.Errorf("claim plan:\n%s\nwant no sequential scan", plan)
	}
}

// explainPlan returns the plan of q with sequential scans discouraged
// (the planner prefers them on tables this small).
func explainPlan(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, "EXPLAIN "+q, args...)
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
	return strings.Join(lines, "\n")
}
