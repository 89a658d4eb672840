package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// claimSQL leases due deliveries. SKIP LOCKED lets concurrent claimers (on
// this node or others) take disjoint sets without waiting on each other;
// the lease condition is re-checked on the locked row, so a delivery
// claimed and committed meanwhile is not taken twice.
var claimSQL = `WITH claimed AS (
		UPDATE deliveries SET lease_owner = $1, lease_until = $2
		WHERE id IN (
			SELECT id FROM deliveries
			WHERE state = 'scheduled' AND next_attempt_at <= $3
				AND (lease_until IS NULL OR lease_until <= $3)
				AND NOT (webhook_id = ANY($5::text[]))
			ORDER BY next_attempt_at
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
	rows, err := s.pool.Query(ctx, claimSQL, p.Owner, p.LeaseUntil, p.Now, p.Limit, exclude)
	if err != nil {
		return nil, mapErr("claim due", err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Job, error) {
		var j domain.Job
		var data []byte
		dest, finish := deliveryDest(&j.Delivery)
		e := &j.Event
		dest = append(dest, &e.ID, &e.TenantID, &e.Type, &e.OccurredAt, &e.ReceivedAt, &data, &e.IdempotencyKey)
		err := r.Scan(dest...)
		finish()
		e.Data = data
		e.OccurredAt, e.ReceivedAt = utc(e.OccurredAt), utc(e.ReceivedAt)
		return j, err
	})
	if err != nil {
		return nil, mapErr("claim due", err)
	}
	return jobs, nil
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

// recordSQL appends attempts and moves their deliveries in one statement:
// the attempts are inserted from arrays ($1-$17, skipping ids already
// recorded so that a retried call is harmless), and each delivery that got
// a new attempt takes its next state from the per-delivery arrays
// ($18-$23) — unless it is no longer scheduled (canceled meanwhile), in
// which case it keeps its state but still counts the attempt. Each attempt
// notes the node that holds its delivery's lease. The attempts table is
// partitioned and has no foreign key to deliveries, so the statement checks
// the deliveries itself: if any is missing it writes nothing and answers
// how many are. The deliveries are locked first, in id order, so that two
// batches touching the same deliveries (a delivery attempted by two nodes
// after a lease ran out, or a cancel racing a record) wait for each other
// instead of deadlocking.
const recordSQL = `WITH input AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
			$8::timestamptz[], $9::bigint[], $10::text[], $11::text[], $12::bytea[], $13::int[], $14::text[],
			$15::bytea[], $16::text[], $17::bool[])
			AS a (id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at,
			duration_ns, request_url, request_headers, request_body, status_code, response_headers,
			response_body, error, success)
	), locked AS MATERIALIZED (
		SELECT id, lease_owner FROM deliveries WHERE id = ANY($18::text[]) ORDER BY id FOR UPDATE
	), owners AS (
		SELECT i.delivery_id, d.id IS NOT NULL AS found, d.lease_owner
		FROM (SELECT DISTINCT delivery_id FROM input) i
		LEFT JOIN locked d ON d.id = i.delivery_id
	), missing AS (
		SELECT count(*) AS n FROM owners WHERE NOT found
	), inserted AS (
		INSERT INTO attempts (id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at,
			duration_ns, request_url, request_headers, request_body, status_code, response_headers,
			response_body, error, success, node)
		SELECT a.id, a.delivery_id, a.tenant_id, a.webhook_id, a.event_id, a.number, a.trigger, a.started_at,
			a.duration_ns, a.request_url, a.request_headers::jsonb, a.request_body, a.status_code,
			a.response_headers::jsonb, a.response_body, a.error, a.success, o.lease_owner
		FROM input a JOIN owners o ON o.delivery_id = a.delivery_id
		WHERE (SELECT n FROM missing) = 0
		ON CONFLICT (delivery_id, id) DO NOTHING
		RETURNING delivery_id
	), counted AS (
		SELECT delivery_id, count(*) AS n FROM inserted GROUP BY delivery_id
	), updated AS (
		UPDATE deliveries d SET
			attempts = d.attempts + c.n,
			state = CASE WHEN d.state = 'scheduled' THEN v.state ELSE d.state END,
			next_attempt_at = CASE WHEN d.state = 'scheduled' THEN v.next_attempt_at ELSE d.next_attempt_at END,
			last_status = v.status,
			last_error = v.error,
			lease_owner = NULL,
			lease_until = NULL,
			updated_at = v.finished_at
		FROM counted c
		JOIN unnest($18::text[], $19::text[], $20::timestamptz[], $21::int[], $22::text[], $23::timestamptz[])
			AS v (delivery_id, state, next_attempt_at, status, error, finished_at)
			ON v.delivery_id = c.delivery_id
		WHERE d.id = c.delivery_id
		RETURNING 1
	)
	SELECT (SELECT n FROM missing), (SELECT count(*) FROM updated)`

// RecordAttempts appends attempts and moves their deliveries to their
// next state, all in one transaction (one statement). When a delivery
// appears more than once, its last record decides its state.
func (s *Store) RecordAttempts(ctx context.Context, records []store.AttemptRecord) error {
	if s.closed.Load() {
		return errClosed
	}
	if len(records) == 0 {
		return nil
	}
	var a struct {
		ids, deliveryIDs, tenantIDs, webhookIDs, eventIDs, triggers, urls, errors []string
		numbers, statuses                                                         []int32
		started                                                                   []time.Time
		durations                                                                 []int64
		reqHeaders, respHeaders                                                   []*string
		reqBodies, respBodies                                                     [][]byte
		success                                                                   []bool
	}
	last := map[string]int{} // delivery id → index of its last record
	for i := range records {
		at := &records[i].Attempt
		if err := store.RequireID("attempt", at.ID); err != nil {
			return err
		}
		reqH, err := jsonOrNull(at.RequestHeaders)
		if err != nil {
			return fmt.Errorf("postgres: record attempts: request headers: %w", err)
		}
		respH, err := jsonOrNull(at.ResponseHeaders)
		if err != nil {
			return fmt.Errorf("postgres: record attempts: response headers: %w", err)
		}
		a.ids = append(a.ids, at.ID)
		a.deliveryIDs = append(a.deliveryIDs, at.DeliveryID)
		a.tenantIDs = append(a.tenantIDs, at.TenantID)
		a.webhookIDs = append(a.webhookIDs, at.WebhookID)
		a.eventIDs = append(a.eventIDs, at.EventID)
		a.numbers = append(a.numbers, int32(at.Number))
		a.triggers = append(a.triggers, string(at.Trigger))
		a.started = append(a.started, at.StartedAt)
		a.durations = append(a.durations, int64(at.Duration))
		a.urls = append(a.urls, at.RequestURL)
		a.reqHeaders = append(a.reqHeaders, reqH)
		a.reqBodies = append(a.reqBodies, at.RequestBody)
		a.statuses = append(a.statuses, int32(at.StatusCode))
		a.respHeaders = append(a.respHeaders, respH)
		a.respBodies = append(a.respBodies, at.ResponseBody)
		a.errors = append(a.errors, at.Error)
		a.success = append(a.success, at.Success)
		last[at.DeliveryID] = i
	}
	var v struct {
		deliveryIDs, states, errors []string
		next                        []*time.Time
		finished                    []time.Time
		statuses                    []int32
	}
	for i := range records {
		r := &records[i]
		if last[r.Attempt.DeliveryID] != i {
			continue
		}
		var next *time.Time
		if r.State == domain.Scheduled {
			next = nullTime(r.NextAttemptAt)
		}
		v.deliveryIDs = append(v.deliveryIDs, r.Attempt.DeliveryID)
		v.states = append(v.states, string(r.State))
		v.next = append(v.next, next)
		v.statuses = append(v.statuses, int32(r.Attempt.StatusCode))
		v.errors = append(v.errors, r.Attempt.Error)
		v.finished = append(v.finished, r.Attempt.StartedAt.Add(r.Attempt.Duration))
	}
	var missing, updated int64
	err := s.pool.QueryRow(ctx, recordSQL,
		a.ids, a.deliveryIDs, a.tenantIDs, a.webhookIDs, a.eventIDs, a.numbers, a.triggers,
		a.started, a.durations, a.urls, a.reqHeaders, a.reqBodies, a.statuses, a.respHeaders,
		a.respBodies, a.errors, a.success,
		v.deliveryIDs, v.states, v.next, v.statuses, v.errors, v.finished).Scan(&missing, &updated)
	if err != nil {
		return mapErr("record attempts", err)
	}
	if missing > 0 {
		return domain.Errorf(domain.ENOTFOUND, "%d attempted deliveries do not exist", missing)
	}
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
