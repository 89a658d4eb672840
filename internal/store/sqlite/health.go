package sqlite

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/store"
)

// LastWrite reports how the writer's last batch that tested the database's
// ability to commit ended (see runBatch).
func (s *Store) LastWrite() store.WriteOutcome { return s.outcomes.Last() }

// ProbeWrite commits one row through the writer, like any other write:
// nothing short of a commit (its WAL append and fsync) proves that the
// database takes one, which a transaction rolled back would not.
func (s *Store) ProbeWrite(ctx context.Context, node string, now time.Time) error {
	return s.write(ctx, "write probe", func(tx *wtx) error {
		if _, err := tx.exec(`INSERT INTO write_probes (node_id, probed_at) VALUES (?, ?)
			ON CONFLICT (node_id) DO UPDATE SET probed_at = excluded.probed_at`, node, micros(now)); err != nil {
			return err
		}
		_, err := tx.exec(`DELETE FROM write_probes WHERE node_id <> ? AND probed_at < ?`, node, micros(now.Add(-store.ProbeRetention)))
		return err
	})
}
