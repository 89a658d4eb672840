// Package postgres implements store.Store on PostgreSQL with pgx, for
// deployments where several lmshooks nodes share one database.
//
// Work is shared between nodes with leases taken by ClaimDue (SELECT … FOR
// UPDATE SKIP LOCKED, so claimers never wait on each other); Publish sends
// NOTIFY lmshooks_work after its commit (coalesced, at most one per 10 ms)
// so that idle nodes (see Listen) pick up new work at once instead of at
// their next poll.
//
// Migrations run at Open under a session advisory lock and Listen holds a
// session, so the DSN must reach PostgreSQL directly or through a pooler in
// session mode, not transaction mode.
package postgres

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lmshooks/lmshooks/internal/store"
)

var _ store.Store = (*Store)(nil)

// Options tunes Open. The zero value is fine.
type Options struct {
	// Schema, when set, is created if absent and becomes the connections'
	// search_path, overriding any search_path in the DSN. Tests use one
	// schema each; deployments may use it to share a database.
	Schema string
	// MaxConns caps the pool; 0 keeps the DSN's pool_max_conns, or
	// DefaultMaxConns when the DSN sets none.
	MaxConns int32
	// Logger receives the few things worth logging (migrations applied,
	// lost LISTEN connections). Defaults to slog.Default().
	Logger *slog.Logger
}

// Store is the PostgreSQL store. Make one with Open; it is safe for
// concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	schema string // the schema lmshooks' tables live in, "" for the default
	log    *slog.Logger

	closed    atomic.Bool
	closeOnce sync.Once
	notifier  *notifier
	// publishes and records commit the writes of Publish and
	// RecordAttempts in groups, and hookReads groups the reads of
	// EnabledWebhooks (see grouper).
	publishes *grouper[*publishOp]
	records   *grouper[*recordOp]
	hookReads *grouper[*hooksOp]
	// outcomes keeps how the last write transaction that tested the
	// database's ability to commit ended, for readiness (LastWrite).
	outcomes store.WriteOutcomes
	// renderConfigs caches the render configs known to be stored.
	renderConfigs store.RenderConfigs
}

// DefaultMaxConns is the pool size when neither Options nor the DSN's
// pool_max_conns sets one: the larger of 8 and twice the CPU count. A
// publish takes no connection of its own (its read and its write each run
// in a group, one connection per group in flight), but the dispatcher's
// claims, renewals and heartbeats, the recorder and the API's and
// console's reads share the pool; pgxpool's own default (the larger of 4
// and the CPU count) left callers queueing for connections on a 2-core
// node (docs/PERFORMANCE.md).
func DefaultMaxConns() int32 { return int32(max(8, 2*runtime.NumCPU())) }

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string), applies any pending migrations and returns the store.
// The database must be reachable: an unreachable one gives EUNAVAILABLE.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parse error may quote the DSN, password included: never pass
		// it on.
		return nil, errors.New("postgres: invalid database URL")
	}
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = opts.MaxConns
	case !strings.Contains(dsn, "pool_max_conns"):
		cfg.MaxConns = DefaultMaxConns()
	}
	schema := opts.Schema
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = quoteIdent(schema)
	} else if sp := cfg.ConnConfig.RuntimeParams["search_path"]; sp != "" {
		schema = firstSchema(sp)
	}
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		// lmshooks' queries are short; on partitioned tables the planner's
		// row estimates can pass jit_above_cost, and compiling then costs
		// a second per claim. Off unless the DSN says otherwise.
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapErr("open", err)
	}
	s := &Store{pool: pool, schema: schema, log: opts.Logger}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.notifier = startNotifier(s)
	s.publishes = startGrouper("publish", publishWorkers, publishMaxRows, s.writePublishes)
	s.records = startGrouper("record attempts", recordWorkers, recordMaxRows, s.writeRecords)
	s.hookReads = startGrouper("enabled webhooks", hookReadWorkers, hookReadMaxTenants, s.readHooks)
	return s, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return mapErr("ping", s.pool.Ping(ctx))
}

// Close lets the writers finish the groups they hold (failing the writes
// still queued), stops the background notifier and closes the pool. Calls
// after the first do nothing; methods called after Close fail with
// EUNAVAILABLE.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.publishes.stop()
		s.records.stop()
		s.hookReads.stop()
		s.notifier.stop()
		s.pool.Close()
	})
	return nil
}

// inTx runs fn in a transaction and commits it, rolling back when fn or
// the commit fails. Errors come back mapped (see mapErr), and the outcome
// is noted for readiness.
func (s *Store) inTx(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	if s.closed.Load() {
		return errClosed
	}
	err := mapErr(op, s.runTx(ctx, fn))
	s.noteWrite(ctx, err)
	return err
}

func (s *Store) runTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	// Rollback after a successful commit is a no-op.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	// A commit that fails for a lost connection may or may not have taken
	// effect; mapErr makes it EUNAVAILABLE, so callers never claim success.
	return tx.Commit(ctx)
}

// quoteIdent quotes a SQL identifier.
func quoteIdent(s string) string {
	return pgx.Identifier{s}.Sanitize()
}

// firstSchema returns the first schema of a search_path value, unquoted;
// "" for "$user" or an empty path.
func firstSchema(searchPath string) string {
	first, _, _ := strings.Cut(searchPath, ",")
	first = strings.TrimSpace(first)
	if strings.HasPrefix(first, `"`) && strings.HasSuffix(first, `"`) && len(first) >= 2 {
		first = strings.ReplaceAll(first[1:len(first)-1], `""`, `"`)
	}
	if first == "$user" {
		return ""
	}
	return first
}

// dbtx is what both the pool and a transaction can do.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
