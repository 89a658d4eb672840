package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipeTx is a transaction whose BEGIN and COMMIT travel in the same round
// trips as its first and last statements, so that a publish costs two
// round trips instead of four. That matters: on a small machine the
// database's per-message work, not the wire, bounds publish throughput.
type pipeTx struct {
	conn      *pgxpool.Conn
	begun     bool
	committed bool
}

// withPipeTx runs fn with a pipelined transaction on a pooled connection.
// fn must end with a send(…, commit=true); any error rolls back.
func (s *Store) withPipeTx(ctx context.Context, op string, fn func(pt *pipeTx) error) error {
	if s.closed.Load() {
		return errClosed
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return mapErr(op, err)
	}
	pt := &pipeTx{conn: conn}
	err = fn(pt)
	if err == nil && !pt.committed {
		err = errors.New("transaction ended without a commit")
	}
	if conn.Conn().PgConn().TxStatus() != 'I' {
		// If the rollback fails too, the connection is still in a
		// transaction and Release destroys it instead of reusing it.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	conn.Release()
	err = mapErr(op, err)
	s.noteWrite(ctx, err)
	return err
}

// send runs b's statements in one round trip, after BEGIN if the
// transaction has not begun and followed by COMMIT if commit is set. A
// failing statement makes the server skip the rest, COMMIT included.
func (pt *pipeTx) send(ctx context.Context, b *pgx.Batch, commit bool) error {
	full := &pgx.Batch{}
	if !pt.begun {
		full.Queue("BEGIN")
		pt.begun = true
	}
	full.QueuedQueries = append(full.QueuedQueries, b.QueuedQueries...)
	if commit {
		full.Queue("COMMIT").Exec(func(tag pgconn.CommandTag) error {
			// COMMIT of an aborted transaction answers ROLLBACK, not an
			// error.
			if tag.String() != "COMMIT" {
				return errors.New("transaction rolled back at commit")
			}
			pt.committed = true
			return nil
		})
	}
	return pt.conn.SendBatch(ctx, full).Close()
}
