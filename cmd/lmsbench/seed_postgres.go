package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store/postgres"
)

// seedPostgres writes plan into the PostgreSQL database of dsn as a week
// of service would have left it: the days' partitions exist (made by the
// store, as its maintenance does); each table is filled by one INSERT …
// SELECT over generate_series joined with the pattern, several at once
// (inserts); the week's attempts are rolled up by the store's own
// roll-up (as its maintenance leader does every hour), and the tables'
// partitions are vacuumed and analyzed (as autovacuum would have). Its
// CPU is PostgreSQL's: that of every postgres process of the machine.
func seedPostgres(ctx context.Context, dsn string, plan seedPlan) (stats seedStats, err error) {
	cpu0 := postgresCPU("/proc")
	quiet := slog.New(slog.DiscardHandler)
	st, err := postgres.Open(ctx, dsn, postgres.Options{Logger: quiet})
	if err != nil {
		return stats, err
	}
	s := &pgSeeder{dsn: dsn}
	defer func() {
		// Read before the connections end: an ended backend's CPU is lost.
		stats.CPU = postgresCPU("/proc").since(cpu0)
		s.close(ctx)
		st.Close()
	}()
	start := time.Now()
	if err := st.EnsurePartitions(ctx, plan.start, plan.end); err != nil {
		return stats, err
	}
	// The server that created the tenants rolled up the last day, empty
	// then: start the roll-ups afresh (the database holds nothing else).
	if err := s.exec(ctx, "DELETE FROM attempt_rollups", "DELETE FROM maintenance_state"); err != nil {
		return stats, err
	}
	stats.step("partitions", start)

	start = time.Now()
	if err := s.inserts(ctx, plan, &stats); err != nil {
		return stats, err
	}
	stats.step("inserts", start)

	// Roll the week up from its start: the first roll-up covers the day
	// before the "now" it is given, later ones catch up a day at a time
	// to the real now.
	start = time.Now()
	first := plan.start.UTC().Truncate(time.Hour).Add(24*time.Hour + 30*time.Minute)
	if _, err := st.RollUpAttempts(ctx, first); err != nil {
		return stats, err
	}
	for {
		n, err := st.RollUpAttempts(ctx, time.Now())
		if err != nil {
			return stats, err
		}
		if n == 0 {
			break
		}
	}
	stats.step("roll-ups", start)

	start = time.Now()
	if err := s.vacuum(ctx); err != nil {
		return stats, err
	}
	stats.step("vacuum and analyze", start)
	return stats, nil
}

// pgSeeder opens the seeding's connections and keeps them until close, so
// that the CPU of their backends can be read before they end.
type pgSeeder struct {
	dsn   string
	mu    sync.Mutex
	conns []*pgx.Conn
}

func (s *pgSeeder) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	s.mu.Unlock()
	return conn, nil
}

func (s *pgSeeder) close(ctx context.Context) {
	for _, c := range s.conns {
		c.Close(context.WithoutCancel(ctx))
	}
}

// pgWorkers is how many connections insert at once: the three tables
// have no foreign keys between them, and each is cut in pgChunks ranges
// of events, so that both cores stay busy to the end.
const (
	pgWorkers = 3
	pgChunks  = 4
)

// inserts fills the three tables, each range of events of each in a
// transaction of its own.
func (s *pgSeeder) inserts(ctx context.Context, plan seedPlan, stats *seedStats) error {
	type job struct {
		n      *int64
		sql    string
		lo, hi int64
	}
	// A worker that fails stops the others, and the jobs' producer.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	jobs := make(chan job)
	go func() {
		defer close(jobs)
		for _, t := range []struct {
			n   *int64
			sql string
		}{{&stats.Deliveries, pgSeedDeliveries}, {&stats.Attempts, pgSeedAttempts}, {&stats.Events, pgSeedEvents}} {
			for c := range int64(pgChunks) {
				select {
				case jobs <- job{t.n, t.sql, plan.events * c / pgChunks, plan.events * (c + 1) / pgChunks}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	rows := plan.rows()
	workers := make([]func() error, pgWorkers)
	for i := range workers {
		workers[i] = func() error {
			conn, err := s.patternConn(ctx, rows)
			if err != nil {
				cancel()
				return err
			}
			for j := range jobs {
				tag, err := conn.Exec(ctx, j.sql, plan.events, plan.start.UnixMilli(), plan.end.Sub(plan.start).Milliseconds(), historySlots, j.lo, j.hi)
				if err != nil {
					cancel()
					return fmt.Errorf("seed postgres: %w", err)
				}
				mu.Lock()
				*j.n += tag.RowsAffected()
				mu.Unlock()
			}
			return nil
		}
	}
	return parallel(workers...)
}

// patternConn opens a connection holding the pattern's temporary tables.
func (s *pgSeeder) patternConn(ctx context.Context, rows patternRows) (*pgx.Conn, error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	return conn, pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := loadPattern(ctx, pgxExecer{tx}, rows, pgQ); err != nil {
			return err
		}
		// Typed once here rather than cast in every row.
		for _, q := range []string{
			"ALTER TABLE hist_type ALTER COLUMN data TYPE json USING data::json",
			"ALTER TABLE hist_attempt ALTER COLUMN response_headers TYPE jsonb USING NULLIF(response_headers, '')::jsonb",
			"ALTER TABLE hist_attempt ALTER COLUMN response_body TYPE bytea USING convert_to(response_body, 'UTF8')",
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("seed postgres: %s: %w", q, err)
			}
		}
		return nil
	})
}

// vacuum vacuums and analyzes what autovacuum would have by now: each
// partition of the big tables, and the roll-ups (autovacuum leaves the
// partitioned tables themselves alone), two connections at a time.
func (s *pgSeeder) vacuum(ctx context.Context) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	rows, err := conn.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent IN ('events'::regclass, 'deliveries'::regclass, 'attempts'::regclass) ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("seed postgres: list partitions: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("seed postgres: list partitions: %w", err)
	}
	tables = append(tables, "attempt_rollups")
	var stmts [2][]string
	for i, t := range tables {
		stmts[i%2] = append(stmts[i%2], "VACUUM (ANALYZE) "+pgx.Identifier{t}.Sanitize())
	}
	return parallel(func() error { return s.exec(ctx, stmts[0]...) }, func() error { return s.exec(ctx, stmts[1]...) })
}

// exec runs statements, each in a transaction of its own, on a connection
// of their own.
func (s *pgSeeder) exec(ctx context.Context, stmts ...string) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("seed postgres: %s: %w", q, err)
		}
	}
	return nil
}

// pgQ numbers placeholders as PostgreSQL does: $1, $2…
func pgQ(i int) string { return fmt.Sprintf("$%d", i) }

// pgxExecer lets loadPattern fill the pattern tables through pgx.
type pgxExecer struct{ tx pgx.Tx }

func (e pgxExecer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tag, err := e.tx.Exec(ctx, query, args...)
	return pgResult{tag}, err
}

type pgResult struct{ tag pgconn.CommandTag }

func (r pgResult) LastInsertId() (int64, error) { return 0, io.EOF }
func (r pgResult) RowsAffected() (int64, error) { return r.tag.RowsAffected(), nil }

// pgSeries numbers the events $5…$6-1 of $1 and gives each its time in
// milliseconds (spread evenly from $2 over $3 ms), its slot ($4 slots) and
// its time as ids spell it (OFFSET 0 keeps the planner from copying that
// expression into every place that uses it).
var pgSeries = `WITH ev AS (SELECT g.n, x.ms, x.slot, x.t10 FROM generate_series($5::bigint, $6::bigint - 1) AS g(n),
	LATERAL (SELECT m.ms, (g.n % $4::bigint)::int AS slot, ` + pgTime10("m.ms") + ` AS t10
		FROM (SELECT $2::bigint + g.n * $3::bigint / $1::bigint AS ms) m OFFSET 0) x) `

// pgTime10 spells the milliseconds ms as internal/id does: 10 characters
// of its alphabet, 5 bits each.
func pgTime10(ms string) string {
	parts := make([]string, 10)
	for i := range parts {
		parts[i] = fmt.Sprintf("substr('%s', (((%s) >> %d) & 31)::int + 1, 1)", id.Alphabet, ms, 5*(9-i))
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// Ids are spelled as internal/id does, with 16 hex digits (base32 digits
// too) of a number unique to the row for their randomness.
const (
	pgEventID    = "('evt_' || ev.t10 || lpad(to_hex(ev.n), 16, '0'))"
	pgDeliveryID = "('dlv_' || ev.t10 || lpad(to_hex(ev.n * 8 + d.k), 16, '0'))"
)

var pgAttemptID = "('att_' || " + pgTime10("ev.ms + a.offset_ms") + " || lpad(to_hex((ev.n * 8 + d.k) * 8 + a.number), 16, '0'))"

func pgTime(ms string) string { return "to_timestamp((" + ms + ") / 1000.0)" }

var pgSeedEvents = pgSeries + `
INSERT INTO events (id, tenant_id, type, occurred_at, received_at, data, idempotency_key)
SELECT ` + pgEventID + `, s.tenant_id, s.type, ` + pgTime("ev.ms - 250") + `, ` + pgTime("ev.ms") + `, t.data, ''
FROM ev JOIN hist_slot s ON s.slot = ev.slot JOIN hist_type t ON t.type = s.type`

var pgSeedDeliveries = pgSeries + `
INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, state, attempts, retry_from, next_attempt_at,
	last_status, last_error, lease_owner, lease_until, created_at, updated_at)
SELECT ` + pgDeliveryID + `, s.tenant_id, ` + pgEventID + `, d.webhook_id, s.type, d.state, d.attempts, 0, NULL,
	d.last_status, d.last_error, NULL, NULL, ` + pgTime("ev.ms") + `, ` + pgTime("ev.ms + d.done_ms") + `
FROM ev JOIN hist_slot s ON s.slot = ev.slot JOIN hist_delivery d ON d.slot = ev.slot`

// An attempt's request body is left out, as in seedSQLite.
var pgSeedAttempts = pgSeries + `
INSERT INTO attempts (id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at, duration_ns,
	request_url, request_headers, request_body, status_code, response_headers, response_body, error, success, node)
SELECT ` + pgAttemptID + `, ` + pgDeliveryID + `, s.tenant_id, d.webhook_id, ` + pgEventID + `, a.number, 'scheduled',
	` + pgTime("ev.ms + a.offset_ms") + `, a.duration_ns, d.url,
	` + sqlTemplate(historyHeadersJSON, pgDeliveryID, "a.sig", "((ev.ms + a.offset_ms) / 1000)::text") + `::jsonb, NULL,
	a.status, a.response_headers, CASE WHEN a.status = 0 THEN NULL ELSE a.response_body END, a.error, a.success, 'lmshooks-1'
FROM ev JOIN hist_slot s ON s.slot = ev.slot JOIN hist_delivery d ON d.slot = ev.slot
	JOIN hist_attempt a ON a.slot = ev.slot AND a.k = d.k`
