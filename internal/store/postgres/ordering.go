package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Ordered delivery on a shared database. The claim's turn check (turnSQL)
// reads the table as of the claim statement's snapshot, which does not
// show what concurrent, uncommitted transactions do. Two claims with
// different snapshots could then both find a delivery of one key to be
// its turn if, between their snapshots, a delivery earlier than the one
// the first claim takes became a holder of the key. Only two things make
// that happen, and both are serialized against claims:
//
//   - A publish of ordered deliveries: positions come from a sequence at
//     insert, so a publish could take an earlier position than another
//     yet commit after it. Publishes with ordered deliveries take an
//     exclusive transaction lock first (lockOrderedPublish), so they
//     commit in the order of their positions.
//   - A resend or a recover giving an older delivery its place back:
//     these take the turn lock exclusively (holdKeys), while every claim
//     takes it shared, before its snapshot (claimTurnLock). So a resend
//     waits for the claims running, and the claims after it see it and
//     every lease taken before it.
//
// Every other change (a record, a skip, a cancel, a lease running out)
// only lets a key's next delivery go after the current one, which row
// locks and the turn check already order.

// turnSQL is the claim's turn check on a candidate d (see store.Store's
// ClaimDue): an unordered delivery always has its turn; an ordered one
// when no delivery of its webhook and key that holds the key comes before
// it, and no other one is in flight (leased past the claim's now, $3).
// Each half reads a partial index that holds ordered deliveries only.
const turnSQL = `(NOT d.ordered OR (
		NOT EXISTS (SELECT 1 FROM deliveries o
			WHERE o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key AND o.holds_key
			AND o.ordering_seq < d.ordering_seq)
		AND NOT EXISTS (SELECT 1 FROM deliveries o
			WHERE o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key AND o.ordered
			AND o.lease_owner IS NOT NULL AND o.lease_until > $3 AND o.id <> d.id)))`

// lockKey names one of the ordering locks of this schema.
func (s *Store) lockKey(name string) int64 {
	return advisoryKey("lmshooks:ordering:" + name + ":" + s.schema)
}

// claimTurnLock queues, first in a claim's transaction, the shared turn
// lock (see the comment at the top of this file).
func (s *Store) claimTurnLock(b *pgx.Batch) {
	b.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, s.lockKey("turn"))
}

// holdKeys takes the turn lock exclusively for the rest of tx: tx is
// about to make older deliveries hold their keys again.
func (s *Store) holdKeys(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lockKey("turn"))
	return err
}

// lockOrderedPublish queues, first in a publish's transaction, the lock
// that makes publishes of ordered deliveries commit one at a time, in the
// order of their positions. First, so that it is never waited for while
// holding an idempotency key another publish waits for.
func (s *Store) lockOrderedPublish(b *pgx.Batch) {
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, s.lockKey("publish"))
}

// blockedBySQL finds what a scheduled ordered delivery ($1) waits for: an
// earlier delivery of its key that holds it, or else one of the key in
// flight.
const blockedBySQL = `SELECT o.id FROM deliveries d JOIN deliveries o
		ON o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key AND o.ordered AND o.id <> d.id
	WHERE d.id = $1 AND ((o.holds_key AND o.ordering_seq < d.ordering_seq) OR o.lease_owner IS NOT NULL)
	ORDER BY (o.holds_key AND o.ordering_seq < d.ordering_seq) DESC, o.ordering_seq LIMIT 1`

// blockedBy returns the delivery that the scheduled ordered delivery id
// waits for, or "" when it is its key's turn.
func (s *Store) blockedBy(ctx context.Context, id string) (string, error) {
	var other string
	err := s.pool.QueryRow(ctx, blockedBySQL, id).Scan(&other)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return other, err
}

// SkipDelivery releases the key an ordered delivery holds and sets its
// SkippedAt; a scheduled one is canceled. ENOTFOUND if absent; ECONFLICT
// if it does not hold its key or an attempt of it is in flight.
func (s *Store) SkipDelivery(ctx context.Context, tenantID, id string, now time.Time) (*domain.Delivery, error) {
	var d domain.Delivery
	err := s.inTx(ctx, "skip delivery", func(tx pgx.Tx) error {
		var holds, inFlight bool
		err := tx.QueryRow(ctx, `SELECT holds_key, lease_owner IS NOT NULL AND lease_until > $3 FROM deliveries
			WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, id, tenantID, now).Scan(&holds, &inFlight)
		if err != nil {
			return notFoundIfNoRows(err, "delivery", id)
		}
		if !holds {
			return domain.Errorf(domain.ECONFLICT, "delivery %q does not hold its ordering key: nothing waits for it", id)
		}
		if inFlight {
			return domain.Errorf(domain.ECONFLICT, "delivery %q has an attempt in flight; try again when it ends", id)
		}
		d, err = scanDelivery(tx.QueryRow(ctx, `UPDATE deliveries SET holds_key = false, skipped_at = $2, updated_at = $2,
			state = CASE WHEN state = 'scheduled' THEN 'canceled' ELSE state END,
			next_attempt_at = CASE WHEN state = 'scheduled' THEN NULL ELSE next_attempt_at END,
			lease_owner = NULL, lease_until = NULL
			WHERE id = $1 RETURNING `+deliveryColumns, id, now))
		return err
	})
	if err != nil {
		return nil, err
	}
	// The key's next delivery may be due.
	s.notifier.poke()
	return &d, nil
}

// blockedKeysSQL lists the failed deliveries that hold their key with no
// earlier holder (the heads of blocked keys), and how many scheduled ones
// wait behind each.
var blockedKeysSQL = `SELECT ` + qualified("h", deliveryColumns) + `, (SELECT count(*) FROM deliveries w
			WHERE w.webhook_id = h.webhook_id AND w.ordering_key = h.ordering_key AND w.holds_key
			AND w.ordering_seq > h.ordering_seq AND w.state = 'scheduled')
	FROM deliveries h
	WHERE h.holds_key AND h.state = 'failed' AND h.tenant_id = $1 AND ($2 = '' OR h.webhook_id = $2)
		AND NOT EXISTS (SELECT 1 FROM deliveries o
			WHERE o.webhook_id = h.webhook_id AND o.ordering_key = h.ordering_key AND o.holds_key
			AND o.ordering_seq < h.ordering_seq)
	ORDER BY h.ordering_seq LIMIT $3`

// BlockedKeys lists a tenant's keys whose earliest holding delivery
// failed, of one webhook when webhookID is set, oldest head first.
func (s *Store) BlockedKeys(ctx context.Context, tenantID, webhookID string, limit int) ([]domain.BlockedKey, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	if limit <= 0 || limit > store.MaxListLimit {
		limit = store.MaxListLimit
	}
	rows, err := s.pool.Query(ctx, blockedKeysSQL, tenantID, webhookID, limit)
	if err != nil {
		return nil, mapErr("blocked keys", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.BlockedKey, error) {
		var k domain.BlockedKey
		var waiting int64
		dest, finish := deliveryDest(&k.Head)
		err := r.Scan(append(dest, &waiting)...)
		finish()
		k.WebhookID, k.Key, k.Waiting = k.Head.WebhookID, k.Head.OrderingKey, int(waiting)
		return k, err
	})
	if err != nil {
		return nil, mapErr("blocked keys", err)
	}
	return keys, nil
}
