package postgres

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// LastWrite reports how the last write transaction that tested the
// database's ability to commit ended (see noteWrite).
func (s *Store) LastWrite() store.WriteOutcome { return s.outcomes.Last() }

// ProbeWrite commits one row naming node, and drops the rows of nodes not
// probed for store.ProbeRetention, in one statement: its commit waits for
// the server's WAL flush like a publish's, and fails where a publish would
// (a read-only server after a failover, a full disk, a lost connection).
func (s *Store) ProbeWrite(ctx context.Context, node string, now time.Time) error {
	if s.closed.Load() {
		return errClosed
	}
	_, err := s.pool.Exec(ctx, `
		WITH probe AS (
			INSERT INTO write_probes (node_id, probed_at) VALUES ($1, $2)
			ON CONFLICT (node_id) DO UPDATE SET probed_at = EXCLUDED.probed_at
		)
		DELETE FROM write_probes WHERE node_id <> $1 AND probed_at < $3`,
		node, now, now.Add(-store.ProbeRetention))
	err = mapErr("write probe", err)
	s.noteWrite(ctx, err)
	return err
}

// noteWrite records the outcome of a write transaction for readiness: a
// commit, or a failure that says the database cannot take one. A write
// refused for its content, or given up by its caller, says neither.
func (s *Store) noteWrite(ctx context.Context, err error) {
	switch {
	case err == nil:
		s.outcomes.Committed()
	case ctx.Err() == nil && domain.ErrorCode(err) == domain.EUNAVAILABLE:
		s.outcomes.Failed(err)
	}
}
