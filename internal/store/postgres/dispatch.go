package postgres

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// claimSQL leases due deliveries. SKIP LOCKED lets concurrent claimers (on
// this node or others) take disjoint sets without waiting on each other;
// the lease condition is re-checked on the locked row, so a delivery
// claimed and committed meanwhile is not taken twice. The turn check of
// ordered deliveries (turnSQL) is evaluated on the statement's snapshot,
// so a claim takes at most one delivery of a key; ordering.go explains
// why concurrent claims cannot take two either.
var claimSQL = `WITH claimed AS (
		UPDATE deliveries SET lease_owner = $1, lease_until = $2
		WHERE id IN (
			SELECT d.id FROM deliveries d
			WHERE d.state = 'scheduled' AND d.next_attempt_at <= $3
				AND (d.lease_until IS NULL OR d.lease_until <= $3)
				AND NOT (d.webhook_id = ANY($5::text[]))
				AND ` + turnSQL + `
			ORDER BY d.next_attempt_at
			LIMIT $4
			FOR UPDATE SKIP LOCKED)
		RETURNING ` + deliveryColumns + `
	)
	SELECT ` + qualified("c", deliveryColumns) + `, ` + qualified("e", eventColumns) + `
	FROM claimed c JOIN events e ON e.id = c.event_id
	ORDER BY c.next_attempt_at, c.id`

// ClaimDue leases up to p.Limit due, unleased (or expired-lease) scheduled
// deliveries to p.Owner until p.LeaseUntil, oldest due first, and returns
// them with their events.
func (s *Store) ClaimDue(ctx context.Context, p store.ClaimParams) ([]domain.Job, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	if p.Limit <= 0 {
		return nil, nil
	}
	exclude := p.ExcludeWebhooks
	if exclude == nil {
		exclude = []string{}
	}
	// One round trip: BEGIN, the turn lock (see claimTurnLock), the
	// claim, COMMIT.
	var jobs []domain.Job
	err := s.withPipeTx(ctx, "claim due", func(pt *pipeTx) error {
		b := &pgx.Batch{}
		s.claimTurnLock(b)
		b.Queue(claimSQL, p.Owner, p.LeaseUntil, p.Now, p.Limit, exclude).Query(func(rows pgx.Rows) error {
			var err error
			jobs, err = pgx.CollectRows(rows, scanJob)
			return err
		})
		return pt.send(ctx, b, true)
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// scanJob reads a row of claimSQL.
func scanJob(r pgx.CollectableRow) (domain.Job, error) {
	var j domain.Job
	var data []byte
	dest, finish := deliveryDest(&j.Delivery)
	e := &j.Event
	dest = append(dest, &e.ID, &e.TenantID, &e.Type, &e.OccurredAt, &e.ReceivedAt, &data, &e.IdempotencyKey, &e.OrderingKey)
	err := r.Scan(dest...)
	finish()
	e.Data = data
	e.OccurredAt, e.ReceivedAt = utc(e.OccurredAt), utc(e.ReceivedAt)
	return j, err
}

// RenewLeases extends to until each of leases that owner still holds with
// the same expiry, if it has not expired at now, and returns those extended.
func (s *Store) RenewLeases(ctx context.Context, owner string, leases []store.Lease, now, until time.Time) ([]store.Lease, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	if len(leases) == 0 {
		return nil, nil
	}
	// In chunks: each statement holds its row locks only briefly, so the
	// recorder (which must wait for them) is never held up for long.
	var renewed []store.Lease
	for chunk := range slices.Chunk(leases, renewChunk) {
		ids := make([]string, len(chunk))
		untils := make([]time.Time, len(chunk))
		for i, l := range chunk {
			ids[i], untils[i] = l.DeliveryID, l.Until
		}
		rows, err := s.pool.Query(ctx, renewSQL, owner, until, ids, untils, now)
		if err != nil {
			return renewed, mapErr("renew leases", err)
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Lease, error) {
			var l store.Lease
			err := r.Scan(&l.DeliveryID, &l.Until)
			l.Until = utc(l.Until)
			return l, err
		})
		if err != nil {
			return renewed, mapErr("renew leases", err)
		}
		renewed = append(renewed, got...)
	}
	return renewed, nil
}

// renewChunk is the most leases renewed by one statement.
const renewChunk = 1000

// renewSQL extends the leases ($3 ids with $4 expiries) that $1 still
// holds and that have not expired at $5 to $2. SKIP LOCKED: a row locked
// right now is being recorded (its lease is about to be cleared) or claimed
// by a node that saw it expired; waiting for it would only hold up the
// renewal of the others.
const renewSQL = `WITH l AS (
		SELECT * FROM unnest($3::text[], $4::timestamptz[]) AS l (id, until)
	), mine AS (
		SELECT d.id, l.until FROM deliveries d JOIN l ON d.id = l.id
		WHERE d.lease_owner = $1 AND d.lease_until = l.until AND d.lease_until > $5
		FOR UPDATE OF d SKIP LOCKED
	)
	UPDATE deliveries d SET lease_until = $2 FROM mine WHERE d.id = mine.id
	RETURNING d.id, mine.until`

// releaseLeasesSQL drops the leases of one owner; "lease_owner = $1"
// implies the partial index's "lease_owner IS NOT NULL", so it reads the
// index of leased deliveries only, never the whole table.
const releaseLeasesSQL = `UPDATE deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`

// ReleaseLeases drops every lease held by owner so that other nodes may
// claim that work at once.
func (s *Store) ReleaseLeases(ctx context.Context, owner string) error {
	if s.closed.Load() {
		return errClosed
	}
	_, err := s.pool.Exec(ctx, releaseLeasesSQL, owner)
	if err != nil {
		return mapErr("release leases", err)
	}
	s.notifier.poke()
	return nil
}

// jsonOrNull encodes headers as JSON text, or NULL for a nil map.
func jsonOrNull(h map[string][]string) (*string, error) {
	if h == nil {
		return nil, nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}
