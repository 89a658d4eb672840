package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
)

// writeFunc is one write operation. It runs on the writer's connection inside
// the batch's transaction, isolated by a savepoint: when it returns an error,
// everything it did is rolled back and the other operations of the batch
// still commit.
type writeFunc func(tx *wtx) error

// writeReq is a writeFunc waiting for the writer.
type writeReq struct {
	ctx  context.Context
	fn   writeFunc
	done chan error // buffered: the writer never blocks on a caller
}

// write runs fn through the group-commit writer and returns once the batch
// holding it has committed durably (or fn failed). The caller's ctx only
// decides whether fn starts: once the writer has begun it, it runs to the
// end of its batch with the writer's own context, so that a caller going away
// can never leave a batch half-done. A caller whose ctx ends while waiting
// gets ctx's error; its operation may still commit.
func (s *Store) write(ctx context.Context, op string, fn writeFunc) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		return mapErr(op, ctx.Err())
	case <-s.closing:
		return errClosed
	}
	select {
	case err := <-req.done:
		return mapErr(op, err)
	case <-ctx.Done():
		return mapErr(op, ctx.Err())
	case <-s.writerDone:
		// The writer answers every request it took before it stops.
		select {
		case err := <-req.done:
			return mapErr(op, err)
		default:
			return errClosed
		}
	}
}

// writeLoop is the single writer goroutine. It takes every request queued
// at that moment (up to maxBatch) and commits them in one transaction: one
// fsync for the lot. While it commits, new requests queue up and form the
// next batch, so the batch size grows with the load by itself.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*writeReq, 0, s.maxBatch)
	errs := make([]error, 0, s.maxBatch)
	for {
		select {
		case r := <-s.reqs:
			batch = append(batch[:0], r)
		case <-s.closing:
			s.drain()
			return
		}
	fill:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		errs = s.runBatch(batch, errs[:0])
		for i, r := range batch {
			r.done <- errs[i]
			batch[i] = nil
		}
	}
}

// drain answers the requests still queued at Close.
func (s *Store) drain() {
	for {
		select {
		case r := <-s.reqs:
			r.done <- errClosed
		default:
			return
		}
	}
}

// runBatch runs batch in one transaction and returns each request's error.
//
// It first runs the batch as it comes, without savepoints: an operation
// rarely fails, and a savepoint per operation costs two statements and a
// copy of every page it touches. If an operation does fail, the whole
// transaction is rolled back and the batch runs again with each operation
// isolated by a savepoint, so that only the failing one is lost. Operations
// may thus run twice; each sets its results afresh when it runs.
func (s *Store) runBatch(batch []*writeReq, errs []error) []error {
	if len(batch) > 1 {
		if out, ok := s.runTogether(batch, errs); ok {
			return out
		}
	}
	return s.runIsolated(batch, errs[:0])
}

// runTogether runs batch in one transaction without savepoints. It reports
// false, with everything rolled back, when an operation failed.
func (s *Store) runTogether(batch []*writeReq, errs []error) ([]error, bool) {
	tx := s.wtx
	if err := tx.execRaw("BEGIN IMMEDIATE"); err != nil {
		s.noteFailure(err)
		return failAll(batch, errs, fmt.Errorf("begin: %w", err)), true
	}
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := tx.run(r.fn); err != nil {
			_ = tx.execRaw("ROLLBACK")
			tx.settle()
			return nil, false
		}
		errs = append(errs, nil)
	}
	if err := tx.execRaw("COMMIT"); err != nil {
		return s.abort(tx, func(err error) []error { return failAll(batch, errs, err) }, fmt.Errorf("commit: %w", err)), true
	}
	tx.settle()
	s.commits.Add(1)
	s.outcomes.Committed()
	return errs, true
}

// failAll answers every request of batch with err.
func failAll(batch []*writeReq, errs []error, err error) []error {
	errs = errs[:0]
	for range batch {
		errs = append(errs, err)
	}
	return errs
}

// runIsolated runs batch in one transaction, each operation (when there
// are several) inside its own savepoint.
func (s *Store) runIsolated(batch []*writeReq, errs []error) []error {
	tx := s.wtx
	fail := func(err error) []error { return failAll(batch, errs, err) }
	if err := tx.execRaw("BEGIN IMMEDIATE"); err != nil {
		s.noteFailure(err)
		return fail(fmt.Errorf("begin: %w", err))
	}
	// A lone operation needs no savepoint: if it fails, the whole
	// transaction rolls back, which is cheaper than a savepoint.
	single := len(batch) == 1
	// cannotCommit is the first operation's error that says the database
	// cannot take writes (a full disk): the rest of the batch may still
	// commit, but readiness must hear of it.
	var cannotCommit error
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs = append(errs, err)
			continue
		}
		if !single {
			if err := tx.execRaw("SAVEPOINT op"); err != nil {
				return s.abort(tx, fail, fmt.Errorf("savepoint: %w", err))
			}
		}
		err := tx.run(r.fn)
		if err != nil && cannotCommit == nil && unavailable(err) {
			cannotCommit = err
		}
		if err != nil {
			// The operation's changes are undone; the rest of the batch
			// goes on.
			if single {
				return s.abort(tx, func(error) []error { return append(errs, err) }, err)
			}
			if rerr := tx.execRaw("ROLLBACK TO op"); rerr != nil {
				// SQLite rolled the whole transaction back by itself (a
				// full disk, an I/O error): every operation is lost.
				return s.abort(tx, fail, err)
			}
		}
		if !single {
			if rerr := tx.execRaw("RELEASE op"); rerr != nil {
				return s.abort(tx, fail, fmt.Errorf("release savepoint: %w", rerr))
			}
		}
		errs = append(errs, err)
	}
	if err := tx.execRaw("COMMIT"); err != nil {
		return s.abort(tx, fail, fmt.Errorf("commit: %w", err))
	}
	tx.settle()
	s.commits.Add(1)
	if cannotCommit != nil {
		s.outcomes.Failed(cannotCommit)
	} else {
		s.outcomes.Committed()
	}
	return errs
}

// noteFailure records err for readiness if it says that the database
// cannot take writes; other errors (a constraint) say nothing about it.
func (s *Store) noteFailure(err error) {
	if unavailable(err) {
		s.outcomes.Failed(err)
	}
}

// abort rolls the transaction back and answers with answer(err).
func (s *Store) abort(tx *wtx, answer func(error) []error, err error) []error {
	// A ROLLBACK error means no transaction is open, which is what we want.
	_ = tx.execRaw("ROLLBACK")
	tx.settle()
	s.noteFailure(err)
	if sqliteCode(err) != 0 {
		s.log.Warn("sqlite: write batch rolled back", slog.Any("error", err))
	}
	return answer(err)
}

// wtx is the writer's connection: a transaction spanning one batch, with
// statements prepared once and reused for the life of the store, and caches
// that live as long as nothing invalidates them.
type wtx struct {
	conn  *sql.Conn
	ctx   context.Context
	stmts map[string]*sql.Stmt
	// hooks caches each tenant's enabled webhooks for EnabledWebhooks
	// (see hookCache). Only the writer changes them, so the cache is exact
	// as long as every operation that changes a tenant or a webhook calls
	// invalidate.
	hooks *hookCache
	// dirty is set when an operation of the current batch invalidated
	// hooks: the batch invalidates it again once it has ended.
	dirty bool
	// orderingSeq is the last position given to an ordered delivery (see
	// nextOrderingSeq); 0 until read from the table.
	orderingSeq int64
}

// orderingSeqSQL reads the last position given, from the end of a small
// index (a MAX would scan the table).
const orderingSeqSQL = `SELECT ordering_seq FROM deliveries WHERE ordered = 1 ORDER BY ordering_seq DESC LIMIT 1`

// nextOrderingSeq returns the next position of an ordered delivery. Only
// the writer assigns them, and it commits in the order it assigns them,
// so positions follow commits. A batch rolled back leaves a gap, never a
// repeat.
func (tx *wtx) nextOrderingSeq() (int64, error) {
	if tx.orderingSeq == 0 {
		err := tx.queryRow(orderingSeqSQL).Scan(&tx.orderingSeq)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("read ordering position: %w", err)
		}
	}
	tx.orderingSeq++
	return tx.orderingSeq, nil
}

func newWTX(conn *sql.Conn) *wtx {
	return &wtx{conn: conn, ctx: context.Background(), stmts: map[string]*sql.Stmt{}, hooks: newHookCache()}
}

// run calls fn, turning a panic into an error so that one bad operation
// cannot kill the writer and with it the whole store.
func (tx *wtx) run(fn writeFunc) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in write operation: %v", p)
		}
	}()
	return fn(tx)
}

// invalidate drops cached state: the calling operation changes a tenant
// or its webhooks. The cache is invalidated again when the batch ends
// (settle), so that no load racing the commit keeps the old state.
func (tx *wtx) invalidate() {
	tx.hooks.invalidate()
	tx.dirty = true
}

// settle ends a batch: if an operation of it invalidated the cache, it is
// invalidated again now that the batch has committed or rolled back, before
// any caller hears of it.
func (tx *wtx) settle() {
	if tx.dirty {
		tx.hooks.invalidate()
		tx.dirty = false
	}
}

// stmt returns q prepared on the writer's connection.
func (tx *wtx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	st, err := tx.conn.PrepareContext(tx.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	tx.stmts[q] = st
	return st, nil
}

// execRaw runs a statement that is not worth preparing.
func (tx *wtx) execRaw(q string) error {
	st, err := tx.stmt(q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(tx.ctx)
	return err
}

// exec runs a prepared statement and returns the number of rows changed.
func (tx *wtx) exec(q string, args ...any) (int64, error) {
	st, err := tx.stmt(q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(tx.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// query runs a prepared query.
func (tx *wtx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(tx.ctx, args...)
}

// queryRow runs a prepared single-row query.
func (tx *wtx) queryRow(q string, args ...any) *sql.Row {
	st, err := tx.stmt(q)
	if err != nil {
		// sql.Row cannot carry an error built outside database/sql, so
		// fall back to an unprepared query that reports it.
		return tx.conn.QueryRowContext(tx.ctx, q, args...)
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// close releases the prepared statements.
func (tx *wtx) close() {
	for q, st := range tx.stmts {
		_ = st.Close()
		delete(tx.stmts, q)
	}
}
