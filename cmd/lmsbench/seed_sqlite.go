package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"modernc.org/sqlite" // the driver lmshooks' SQLite store uses
)

// seedSQLite writes plan into the SQLite database at path in one
// transaction. The big tables' secondary indexes are dropped first and
// made again at the end (sorting once is cheaper than updating them row by
// row); each table is filled by one INSERT … SELECT over a recursive
// series of event numbers joined with the pattern (CROSS JOIN keeps the
// series the outer loop: SQLite would otherwise index it). Ids and
// request headers are spelled by Go functions the statements call
// (registerSQLiteFuncs): in SQL they cost several times more. While it
// runs the database has no journal and no fsync (a failed seed leaves a
// file to delete, not a history) and foreign keys are not checked (the
// rows are consistent by construction); the WAL mode the store uses is
// restored, and the statistics the store's PRAGMA optimize keeps are
// taken, at the end.
func seedSQLite(ctx context.Context, path string, plan seedPlan) (seedStats, error) {
	var st seedStats
	if err := registerSQLiteFuncs(); err != nil {
		return st, err
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return st, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return st, err
	}
	defer conn.Close()
	if err := sqliteExec(ctx, conn, "PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA foreign_keys = OFF",
		"PRAGMA cache_size = -1048576", "PRAGMA temp_store = MEMORY", "PRAGMA threads = 2"); err != nil {
		return st, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer func() { _ = tx.Rollback() }()
	// The server that created the tenants rolled up the last day, empty
	// then: start the roll-ups afresh, so that the server's first pass
	// rolls the whole history up from its oldest attempt.
	if err := sqliteExec(ctx, tx, "DELETE FROM attempt_rollups", "DELETE FROM maintenance_state"); err != nil {
		return st, err
	}
	if err := loadPattern(ctx, tx, plan.rows(), sqliteQ); err != nil {
		return st, err
	}
	indexes, err := dropIndexes(ctx, tx)
	if err != nil {
		return st, err
	}
	for _, ins := range []struct {
		n    *int64
		what string
		sql  string
	}{
		{&st.Events, "events", sqliteSeedEvents}, {&st.Deliveries, "deliveries", sqliteSeedDeliveries}, {&st.Attempts, "attempts", sqliteSeedAttempts},
	} {
		start := time.Now()
		res, err := tx.ExecContext(ctx, ins.sql, plan.events, plan.start.UnixMilli(), plan.end.Sub(plan.start).Milliseconds(), historySlots)
		if err != nil {
			return st, fmt.Errorf("seed sqlite: %s: %w", ins.what, err)
		}
		*ins.n, _ = res.RowsAffected()
		st.step(ins.what, start)
	}
	start := time.Now()
	if err := sqliteExec(ctx, tx, indexes...); err != nil {
		return st, err
	}
	st.step("indexes", start)
	start = time.Now()
	if err := tx.Commit(); err != nil {
		return st, err
	}
	st.step("commit", start)
	start = time.Now()
	if err := sqliteExec(ctx, conn, "PRAGMA journal_mode = WAL", "PRAGMA optimize"); err != nil {
		return st, err
	}
	st.step("optimize", start)
	return st, nil
}

// sqliteExec runs statements.
func sqliteExec(ctx context.Context, db execer, stmts ...string) error {
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("seed sqlite: %s: %w", q, err)
		}
	}
	return nil
}

// dropIndexes drops the secondary indexes of the big tables (those of
// their primary keys cannot be) and returns the statements that make them
// again, as the schema has them.
func dropIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'deliveries', 'attempts')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var drops, creates []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			return nil, err
		}
		drops, creates = append(drops, `DROP INDEX "`+name+`"`), append(creates, create)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return creates, sqliteExec(ctx, tx, drops...)
}

// sqliteQ numbers placeholders as SQLite does: ?1, ?2…
func sqliteQ(i int) string { return fmt.Sprintf("?%d", i) }

// sqliteSeries numbers the events 0…?1-1 and gives each its time in
// milliseconds (spread evenly from ?2 over ?3 ms) and its slot (?4 slots).
const sqliteSeries = `WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?1),
	ev(n, ms, slot) AS (SELECT n, ?2 + n * ?3 / ?1, n % ?4 FROM seq) `

// registerSQLiteFuncs registers, once, the functions the seeding
// statements call: hist_id(prefix, ms, unique) (historyID) and
// hist_headers(ms, unique, signature, sent ms) (historyHeaders).
var registerSQLiteFuncs = sync.OnceValue(func() error {
	for _, f := range []struct {
		name string
		n    int32
		fn   func(args []driver.Value) driver.Value
	}{
		{"hist_id", 3, func(a []driver.Value) driver.Value {
			return historyID(a[0].(string), a[1].(int64), a[2].(int64))
		}},
		{"hist_headers", 4, func(a []driver.Value) driver.Value {
			return historyHeaders(a[0].(int64), a[1].(int64), a[2].(string), a[3].(int64))
		}},
	} {
		err := sqlite.RegisterDeterministicScalarFunction(f.name, f.n, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return f.fn(args), nil
		})
		if err != nil {
			return fmt.Errorf("seed sqlite: register %s: %w", f.name, err)
		}
	}
	return nil
})

// A delivery's id is unique by n*8+k (its event's number and its rank in
// the slot), an attempt's by that *8+number: a slot has fewer than 8
// deliveries, a delivery fewer than 8 attempts.
const (
	sqliteEventID    = "hist_id('evt_', ev.ms, ev.n)"
	sqliteDeliveryID = "hist_id('dlv_', ev.ms, ev.n * 8 + d.k)"
	sqliteAttemptID  = "hist_id('att_', ev.ms + a.offset_ms, (ev.n * 8 + d.k) * 8 + a.number)"
)

// The event occurred in the LMS 250 ms before lmshooks received it.
const sqliteSeedEvents = sqliteSeries + `
INSERT INTO events (id, tenant_id, type, occurred_at, received_at, data, idempotency_key)
SELECT ` + sqliteEventID + `, s.tenant_id, s.type, (ev.ms - 250) * 1000, ev.ms * 1000, CAST(t.data AS BLOB), ''
FROM ev CROSS JOIN temp.hist_slot s CROSS JOIN temp.hist_type t
WHERE s.slot = ev.slot AND t.type = s.type`

const sqliteSeedDeliveries = sqliteSeries + `
INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, state, attempts, retry_from, next_attempt_at,
	last_status, last_error, created_at, updated_at, lease_owner, lease_until, due_at)
SELECT ` + sqliteDeliveryID + `, s.tenant_id, ` + sqliteEventID + `, d.webhook_id, s.type, d.state, d.attempts, 0, 0,
	d.last_status, d.last_error, ev.ms * 1000, (ev.ms + d.done_ms) * 1000, '', 0, 0
FROM ev CROSS JOIN temp.hist_slot s CROSS JOIN temp.hist_delivery d
WHERE s.slot = ev.slot AND d.slot = ev.slot`

// An attempt's request headers are the standard format's (signature and
// timestamp included); its body, the event's data in an envelope, is left
// out (NULL): it would double the history's size and seeding time, and
// neither the dashboard nor the audit log's lists read it (a seeded
// attempt shows no request body).
const sqliteSeedAttempts = sqliteSeries + `
INSERT INTO attempts (id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at, duration_ns,
	request_url, request_headers, request_body, status_code, response_headers, response_body, error, success)
SELECT ` + sqliteAttemptID + `, ` + sqliteDeliveryID + `, s.tenant_id, d.webhook_id, ` + sqliteEventID + `, a.number, 'scheduled',
	(ev.ms + a.offset_ms) * 1000, a.duration_ns, d.url,
	hist_headers(ev.ms, ev.n * 8 + d.k, a.sig, ev.ms + a.offset_ms), NULL,
	a.status, a.response_headers, CASE WHEN a.status = 0 THEN NULL ELSE CAST(a.response_body AS BLOB) END, a.error, a.success
FROM ev CROSS JOIN temp.hist_slot s CROSS JOIN temp.hist_delivery d CROSS JOIN temp.hist_attempt a
WHERE s.slot = ev.slot AND d.slot = ev.slot AND a.slot = ev.slot AND a.k = d.k`
