package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// seedPlan is one history to write: its tenants (with their webhooks'
// ids), the pattern, the event count and the window.
type seedPlan struct {
	tenants    []historyTenant
	pattern    []historySlot
	data       []string // each history type's event data
	events     int64
	attempts   int64 // what events make
	start, end time.Time
}

// newSeedPlan plans a history of about attempts attempts (at least that
// many) over the days before now, for tenants already created.
func newSeedPlan(tenants []historyTenant, attempts int64, now time.Time) (seedPlan, error) {
	data, err := historyData()
	if err != nil {
		return seedPlan{}, err
	}
	p := seedPlan{tenants: tenants, pattern: historyPattern(tenants), data: data}
	p.events, p.attempts = historyEvents(p.pattern, attempts)
	p.start, p.end = historySpan(now)
	return p, nil
}

// patternRows are the pattern as rows of the seeders' temporary tables.
type patternRows struct {
	slots      [][]any // slot, tenant_id, type
	types      [][]any // type, data
	deliveries [][]any // slot, k, webhook_id, url, state, attempts, last_status, last_error, done_ms
	attempts   [][]any // slot, k, number, offset_ms, duration_ns, status, error, success, sig, response_headers, response_body
}

// rows spells the plan's pattern as rows.
func (p seedPlan) rows() patternRows {
	var r patternRows
	for i, t := range historyTypes {
		r.types = append(r.types, []any{t.name, p.data[i]})
	}
	for si, s := range p.pattern {
		t := p.tenants[s.tenant]
		r.slots = append(r.slots, []any{si, t.id, historyTypes[s.typ].name})
		for k, d := range s.deliveries {
			h := t.hooks[d.hook]
			last := d.attempts[len(d.attempts)-1]
			done := last.offset + last.duration
			r.deliveries = append(r.deliveries, []any{si, k, h.id, h.url(t.id), d.state, len(d.attempts), last.status, last.err, done.Milliseconds()})
			for n, a := range d.attempts {
				r.attempts = append(r.attempts, []any{si, k, n + 1, a.offset.Milliseconds(), a.duration.Nanoseconds(),
					a.status, a.err, a.success(), a.sig, a.responseHeaders(), a.responseBody()})
			}
		}
	}
	return r
}

// patternTables create the pattern's temporary tables; the seeding
// statements join each event number n with its slot n % historySlots.
var patternTables = []struct {
	name, cols string
	rows       func(patternRows) [][]any
}{
	{"hist_slot", "slot INTEGER PRIMARY KEY, tenant_id TEXT, type TEXT", func(r patternRows) [][]any { return r.slots }},
	{"hist_type", "type TEXT PRIMARY KEY, data TEXT", func(r patternRows) [][]any { return r.types }},
	{"hist_delivery", "slot INTEGER, k INTEGER, webhook_id TEXT, url TEXT, state TEXT, attempts INTEGER, last_status INTEGER, last_error TEXT, done_ms BIGINT, PRIMARY KEY (slot, k)",
		func(r patternRows) [][]any { return r.deliveries }},
	{"hist_attempt", "slot INTEGER, k INTEGER, number INTEGER, offset_ms BIGINT, duration_ns BIGINT, status INTEGER, error TEXT, success BOOLEAN, sig TEXT, response_headers TEXT, response_body TEXT, PRIMARY KEY (slot, k, number)",
		func(r patternRows) [][]any { return r.attempts }},
}

// execer is what loadPattern needs of a transaction (database/sql's, or
// pgx's through an adapter).
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// loadPattern creates the pattern's temporary tables and fills them; q
// spells the i-th placeholder.
func loadPattern(ctx context.Context, tx execer, r patternRows, q func(int) string) error {
	for _, t := range patternTables {
		if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE "+t.name+" ("+t.cols+")"); err != nil {
			return fmt.Errorf("seed: create %s: %w", t.name, err)
		}
		for _, row := range t.rows(r) {
			ph := make([]string, len(row))
			for i := range row {
				ph[i] = q(i + 1)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+t.name+" VALUES ("+strings.Join(ph, ", ")+")", row...); err != nil {
				return fmt.Errorf("seed: fill %s: %w", t.name, err)
			}
		}
	}
	return nil
}

// seedStats is what a seeding did.
type seedStats struct {
	Events, Deliveries, Attempts int64
	Took                         time.Duration
	// CPU is what lmsbench and (seeding PostgreSQL) every PostgreSQL
	// process of the machine used meanwhile: unlike Took, it hardly
	// grows when other work shares the machine.
	CPU time.Duration
	// Steps say how long each step took, in order.
	Steps []string
}

// step notes that what took since start.
func (s *seedStats) step(what string, start time.Time) {
	s.Steps = append(s.Steps, fmt.Sprintf("%s %.1f s", what, time.Since(start).Seconds()))
}

// seed writes plan into the database db (a -db value), which must hold
// its tenants and webhooks and no server may be writing to.
func seed(ctx context.Context, db string, plan seedPlan) (seedStats, error) {
	kind, dsn, err := storeKind(db)
	if err != nil {
		return seedStats{}, err
	}
	start := time.Now()
	self0, _ := procCPU(os.Getpid())
	var st seedStats
	if kind == "postgres" {
		st, err = seedPostgres(ctx, dsn, plan)
	} else {
		st, err = seedSQLite(ctx, dsn, plan)
	}
	st.Took = time.Since(start)
	self1, _ := procCPU(os.Getpid())
	st.CPU += self1 - self0
	return st, err
}

// countAttempts counts the attempts the database db holds.
func countAttempts(ctx context.Context, db string) (int64, error) {
	kind, dsn, err := storeKind(db)
	if err != nil {
		return 0, err
	}
	const q = "SELECT count(*) FROM attempts"
	var n int64
	if kind == "postgres" {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return 0, err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		return n, conn.QueryRow(ctx, q).Scan(&n)
	}
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, err
	}
	defer sdb.Close()
	return n, sdb.QueryRowContext(ctx, q).Scan(&n)
}

// parallel runs fns at once and returns the first of their errors.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = fn() }()
	}
	wg.Wait()
	return errors.Join(errs...)
}
