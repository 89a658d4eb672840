package postgres

import (
	"context"
	"time"
)

// nodeRoleDispatcher is the role a heartbeating dispatcher records; only
// dispatchers share webhook limits, so only they are counted.
const nodeRoleDispatcher = "dispatcher"

// deadNodeAge is how many ttls a node's row outlives its last heartbeat
// before it is deleted, so that the table holds only recent nodes while a
// node that merely paused is not churned.
const deadNodeAge = 10

// Heartbeat records that dispatcher nodeID is alive at now and returns how
// many dispatchers (this one included) heartbeat within ttl of now. Rows
// silent for much longer than ttl are deleted. Clocks of the nodes are
// assumed roughly in sync: the count compares their own timestamps.
func (s *Store) Heartbeat(ctx context.Context, nodeID string, now time.Time, ttl time.Duration) (liveDispatchers int, err error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	// One round trip. Data-modifying CTEs always run, but the outer
	// SELECT's snapshot sees neither the upsert nor the purge, so it counts
	// the other fresh dispatchers and adds this one.
	err = s.pool.QueryRow(ctx, `
		WITH beat AS (
			INSERT INTO nodes (id, role, heartbeat_at) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, heartbeat_at = EXCLUDED.heartbeat_at
		), purge AS (
			DELETE FROM nodes WHERE id <> $1 AND heartbeat_at < $5
		)
		SELECT 1 + count(*) FROM nodes
		WHERE id <> $1 AND role = $2 AND heartbeat_at > $4`,
		nodeID, nodeRoleDispatcher, now, now.Add(-ttl), now.Add(-deadNodeAge*ttl)).Scan(&liveDispatchers)
	if err != nil {
		return 0, mapErr("heartbeat", err)
	}
	return liveDispatchers, nil
}
