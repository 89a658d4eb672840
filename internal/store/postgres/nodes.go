package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// nodeRoleDispatcher is the role a heartbeating dispatcher records; only
// dispatchers share webhook limits, so only they are counted.
const nodeRoleDispatcher = "dispatcher"

// A node is dead when its heartbeat_at is at or before now - ttl; it is
// live after it. Every statement below says so with $dead = now - ttl.

// joinSQL takes node $1 for incarnation $4, unless another incarnation
// holds it and is not dead ($5 = now - ttl). One statement, so that of two
// processes joining with one id at once, only one takes it.
const joinSQL = `INSERT INTO nodes (id, role, heartbeat_at, incarnation) VALUES ($1, $2, $3, $4)
	ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, heartbeat_at = EXCLUDED.heartbeat_at, incarnation = EXCLUDED.incarnation
	WHERE nodes.incarnation = EXCLUDED.incarnation OR nodes.heartbeat_at <= $5
	RETURNING 1`

// releaseSQL releases every lease of the nodes $1; their renewals, fenced
// by the lease's expiry, fail from then on.
const releaseSQL = `UPDATE deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ANY($1::text[])`

// Join makes incarnation the live holder of nodeID and releases the leases
// its dead predecessor held; ECONFLICT while another incarnation lives.
func (s *Store) Join(ctx context.Context, nodeID, incarnation string, now time.Time, ttl time.Duration) error {
	if s.closed.Load() {
		return errClosed
	}
	released := int64(0)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, joinSQL, nodeID, nodeRoleDispatcher, now, incarnation, now.Add(-ttl)).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.ECONFLICT, "node id %q is held by another process that is still alive", nodeID)
		}
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, releaseSQL, []string{nodeID})
		released = tag.RowsAffected()
		return err
	})
	if err != nil {
		return mapErr("join", err)
	}
	if released > 0 {
		s.log.Info("postgres: took back the leases of this node's previous process", "node", nodeID, "deliveries", released)
		s.notifier.poke()
	}
	return nil
}

// Heartbeat records that incarnation of nodeID is alive at now, declares
// dead the nodes silent for longer than ttl (releasing their leases) and
// returns how many dispatchers are live. Clocks of the nodes are assumed
// roughly in sync: it compares their own timestamps.
func (s *Store) Heartbeat(ctx context.Context, nodeID, incarnation string, now time.Time, ttl time.Duration) (liveDispatchers int, err error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	dead := now.Add(-ttl)
	var gone []string
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE nodes SET role = $2, heartbeat_at = $3 WHERE id = $1 AND incarnation = $4`,
			nodeID, nodeRoleDispatcher, now, incarnation)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.ENOTFOUND, "node %q is no longer held by this process: it was declared dead or taken over", nodeID)
		}
		// SKIP LOCKED: a row locked right now is being refreshed (its node
		// is alive after all) or reaped by another node.
		rows, err := tx.Query(ctx, `DELETE FROM nodes WHERE id IN (
				SELECT id FROM nodes WHERE heartbeat_at <= $1 FOR UPDATE SKIP LOCKED)
			RETURNING id`, dead)
		if err != nil {
			return err
		}
		if gone, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		if len(gone) > 0 {
			if _, err := tx.Exec(ctx, releaseSQL, gone); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM nodes WHERE role = $1 AND heartbeat_at > $2`,
			nodeRoleDispatcher, dead).Scan(&liveDispatchers)
	})
	if err != nil {
		return 0, mapErr("heartbeat", err)
	}
	if len(gone) > 0 {
		s.log.Warn("postgres: released the leases of dead nodes", "nodes", gone, "silent_for_more_than", ttl)
		s.notifier.poke()
	}
	return max(liveDispatchers, 1), nil
}
