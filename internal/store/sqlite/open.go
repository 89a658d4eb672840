package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/lmshooks/lmshooks/internal/store"
)

var _ store.Store = (*Store)(nil)

// Options tunes a Store. The zero value is fine.
type Options struct {
	// Logger receives warnings (rolled-back batches). Default: discard.
	Logger *slog.Logger
	// Readers is the size of the pool of read connections. Default 4.
	Readers int
	// MaxBatch caps how many write operations share one transaction.
	// Default 512.
	MaxBatch int
	// BusyTimeout is how long a connection waits for a lock before
	// failing with EUNAVAILABLE. Default 5s.
	BusyTimeout time.Duration
}

// Store is the SQLite implementation of store.Store.
type Store struct {
	path     string
	log      *slog.Logger
	lock     *fileLock
	wdb      *sql.DB // exactly one connection, owned by the writer goroutine
	rdb      *sql.DB // readers
	wtx      *wtx
	maxBatch int
	// retentionBatch bounds one retention chunk (defaultRetentionBatch;
	// tests make it small).
	retentionBatch int

	reqs       chan *writeReq
	closing    chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error

	// commits counts committed batches (for tests and metrics).
	commits atomic.Int64
	// outcomes keeps how the last batch that tested the database's
	// ability to commit ended, for readiness (LastWrite).
	outcomes store.WriteOutcomes
	// renderConfigs caches the render configs known to be stored.
	renderConfigs store.RenderConfigs
}

// Open opens (creating if needed) the database at path, applies pending
// migrations, clears every lease and starts the writer. It fails if another
// process holds the database (see the package doc).
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Readers <= 0 {
		opts.Readers = 4
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if path == "" || strings.ContainsAny(path, "?#") || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: database path %q must be a plain file path without '?' or '#'", path)
	}

	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	s := &Store{
		path: path, log: opts.Logger, lock: lock, maxBatch: opts.MaxBatch,
		retentionBatch: defaultRetentionBatch,
		reqs:           make(chan *writeReq, 2*opts.MaxBatch),
		closing:        make(chan struct{}),
		writerDone:     make(chan struct{}),
	}
	if err := s.open(ctx, opts); err != nil {
		s.closeDBs()
		_ = lock.release()
		return nil, err
	}
	go s.writeLoop()
	return s, nil
}

// Migrate brings the database at path to the latest schema and closes it.
// Open migrates too; this is for `lmshooks migrate`, which wants the schema
// ready without starting a server. It takes the same lock as Open, so it
// refuses to run beside a live server.
func Migrate(ctx context.Context, path string) error {
	s, err := Open(ctx, path, Options{Readers: 1})
	if err != nil {
		return err
	}
	return s.Close()
}

// dsn returns the connection string shared by every connection. Each
// setting is chosen on purpose:
//   - journal_mode=WAL: readers never block the writer nor the writer the
//     readers, and a commit appends to one file instead of rewriting pages.
//   - synchronous=FULL: every commit fsyncs the WAL before COMMIT returns.
//     lmshooks answers 2xx to a publisher only after its events are
//     committed, and promises that a kill -9 or a power loss right after
//     loses nothing; NORMAL would lose the last commits on power loss. Group
//     commit (see writeLoop) pays that fsync once per batch.
//   - foreign_keys=ON: SQLite leaves them off by default; the schema's
//     cascades and tenant references rely on them.
//   - temp_store=MEMORY: the statement and savepoint journals (copies of
//     the pages an operation changes, kept so that it can be undone) stay
//     in memory instead of a temporary file written page by page. They hold
//     one batch's pages at most.
//   - busy_timeout: checkpoints and the rare lock contention with readers
//     wait instead of failing at once.
func dsn(path string, busy time.Duration, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		// A reader must never write by mistake: the writer goroutine is
		// the only way to change the database.
		q.Add("_pragma", "query_only(ON)")
	}
	return path + "?" + q.Encode()
}

func (s *Store) open(ctx context.Context, opts Options) error {
	var err error
	// One writer connection: SQLite has one writer at a time anyway, and
	// keeping it in one goroutine lets writes be batched into group
	// commits instead of queueing on the database lock.
	s.wdb, err = sql.Open("sqlite", dsn(s.path, opts.BusyTimeout, false))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return mapErr("open "+s.path, err)
	}
	s.wtx = newWTX(conn)

	if err := migrate(ctx, conn); err != nil {
		return err
	}
	// No other process can hold a lease (we hold the lock file), so every
	// lease in the database belongs to a previous run of this process that
	// died: clear them so that its work is claimable at once.
	if _, err := conn.ExecContext(ctx, clearLeasesSQL); err != nil {
		return mapErr("clear leases", err)
	}
	// The planner's statistics: refreshed here and after each retention
	// pass, never at Close, where a full ANALYZE of a large, cold database
	// held a graceful stop for minutes. analysis_limit makes ANALYZE look
	// at a few hundred rows per index, so it takes milliseconds whatever
	// the size; 0x10002 is SQLite's advice for a connection just opened
	// (every table, not only those this connection has used).
	for _, q := range []string{"PRAGMA analysis_limit = " + analysisLimit, "PRAGMA optimize = 0x10002"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return mapErr("optimize", err)
		}
	}

	// Readers get their own pool: WAL lets them read the last committed
	// state while the writer works.
	s.rdb, err = sql.Open("sqlite", dsn(s.path, opts.BusyTimeout, true))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	s.rdb.SetMaxOpenConns(opts.Readers)
	s.rdb.SetMaxIdleConns(opts.Readers)
	s.rdb.SetConnMaxIdleTime(0)
	if err := s.rdb.PingContext(ctx); err != nil {
		return mapErr("open "+s.path, err)
	}
	return nil
}

// analysisLimit bounds the rows ANALYZE reads per index (PRAGMA
// analysis_limit); SQLite advises 100 to 1000 for PRAGMA optimize.
const analysisLimit = "400"

// optimize refreshes the planner's statistics where they are stale,
// through the writer; bounded by analysisLimit, it takes milliseconds.
func (s *Store) optimize(ctx context.Context) error {
	return s.write(ctx, "optimize", func(tx *wtx) error { return tx.execRaw("PRAGMA optimize") })
}

// clearLeasesSQL drops every lease. Its WHERE is the partial index's own,
// so it reads only the leased deliveries.
const clearLeasesSQL = `UPDATE deliveries SET lease_owner = '', lease_until = 0,
	due_at = CASE WHEN state = 'scheduled' THEN next_attempt_at ELSE 0 END WHERE lease_owner <> ''`

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	select {
	case <-s.closing:
		return errClosed
	default:
	}
	return mapErr("ping", s.rdb.PingContext(ctx))
}

// Close stops the writer after its current batch, closes the connections
// and releases the lock file. Calls after the first return its result. It
// does no work of its own (no ANALYZE): a stop must not depend on the
// database's size.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.writerDone
		s.closeErr = errors.Join(s.closeDBs(), s.lock.release())
	})
	return s.closeErr
}

// closeDBs closes whatever open managed to open.
func (s *Store) closeDBs() error {
	var errs []error
	if s.wtx != nil {
		s.wtx.close()
		errs = append(errs, s.wtx.conn.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	return errors.Join(errs...)
}
