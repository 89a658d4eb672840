package postgres

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Attempt records share transactions too: RecordAttempts queues its
// records for the record writer (see grouper), which writes every call
// waiting at that moment with one statement. A node's dispatcher records
// through one recorder that batches already; calls meet when several
// dispatchers share a process, and a group then costs them one commit.

// recordWorkers is how many groups of records may be in flight at once:
// one, so that a group's row locks are all taken by one statement, in id
// order.
const recordWorkers = 1

// recordMaxRows caps the attempts of a group.
const recordMaxRows = 5000

// recordOp is one RecordAttempts call waiting for its group.
type recordOp struct {
	records []store.AttemptRecord
	headers []encodedHeaders // by record
}

func (o *recordOp) rows() int { return len(o.records) }

// recordSQL appends attempts and moves their deliveries in one statement.
// The attempts are inserted from arrays ($1-$17, skipping ids already
// recorded so that a retried call is harmless), and each delivery that got
// a new attempt takes its next state from its last record ($18-$20) —
// unless it is no longer scheduled (canceled meanwhile), in which case it
// keeps its state but still counts the attempt. Recording clears the
// delivery's lease; each attempt notes the node that held it. The attempts
// table is partitioned and has no foreign key to deliveries: an attempt
// whose delivery is gone (its tenant deleted while it was in flight) is
// dropped here. The deliveries ($21) are locked first, in id order, so
// that two statements touching the same deliveries (a delivery attempted
// by two nodes after a lease ran out, a cancel or a renewal racing a
// record) wait for each other instead of deadlocking. An ordered delivery
// moves (and its HoldsKey with it, $24) only if its lease is still the
// one its last record was made under ($25): otherwise its lease ran out
// and another claim took it, and the attempt is history only.
const recordSQL = `WITH input AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
			$8::timestamptz[], $9::bigint[], $10::text[], $11::text[], $12::bytea[], $13::int[], $14::text[],
			$15::bytea[], $16::text[], $17::bool[], $18::text[], $19::timestamptz[], $20::timestamptz[],
			$22::bytea[], $23::bytea[], $24::bool[], $25::timestamptz[])
			WITH ORDINALITY AS a (id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at,
			duration_ns, request_url, request_headers, request_body, status_code, response_headers,
			response_body, error, success, next_state, next_attempt_at, finished_at, render_config,
			request_body_sha, holds_key, lease_token, ord)
	), locked AS MATERIALIZED (
		SELECT id, lease_owner FROM deliveries WHERE id = ANY($21::text[]) ORDER BY id FOR UPDATE
	), accepted AS (
		SELECT a.*, d.lease_owner FROM input a JOIN locked d ON d.id = a.delivery_id
	), inserted AS (
		INSERT INTO attempts (id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at,
			duration_ns, request_url, request_headers, request_body, status_code, response_headers,
			response_body, error, success, node, render_config, request_body_sha)
		SELECT id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at,
			duration_ns, request_url, request_headers::jsonb, request_body, status_code,
			response_headers::jsonb, response_body, error, success, lease_owner, render_config,
			request_body_sha
		FROM accepted
		ON CONFLICT (delivery_id, id) DO NOTHING
		RETURNING delivery_id
	), counted AS (
		SELECT delivery_id, count(*) AS n FROM inserted GROUP BY delivery_id
	), last AS (
		SELECT DISTINCT ON (delivery_id) delivery_id, next_state, next_attempt_at, status_code, error, finished_at,
			holds_key, lease_token
		FROM accepted ORDER BY delivery_id, ord DESC
	)
	UPDATE deliveries d SET
		attempts = d.attempts + c.n,
		state = CASE WHEN d.state = 'scheduled' THEN v.next_state ELSE d.state END,
		next_attempt_at = CASE WHEN d.state = 'scheduled' THEN v.next_attempt_at ELSE d.next_attempt_at END,
		holds_key = CASE WHEN d.state = 'scheduled' THEN v.holds_key ELSE d.holds_key END,
		last_status = v.status_code,
		last_error = v.error,
		lease_owner = NULL,
		lease_until = NULL,
		updated_at = v.finished_at
	FROM counted c JOIN last v ON v.delivery_id = c.delivery_id
	WHERE d.id = ANY($21::text[]) AND d.id = c.delivery_id
		AND (NOT d.ordered OR d.lease_until = v.lease_token)`

// RecordAttempts appends attempts and moves their deliveries to their
// next state, in one transaction shared with the calls of other callers
// waiting at the same moment, and returns once it has committed. When a
// delivery appears more than once, its last record decides its state. An
// attempt whose delivery no longer exists is dropped.
func (s *Store) RecordAttempts(ctx context.Context, records []store.AttemptRecord) error {
	if s.closed.Load() {
		return errClosed
	}
	if len(records) == 0 {
		return nil
	}
	// Checked and encoded here, not in the writer: the callers may be many.
	op := &recordOp{records: records, headers: make([]encodedHeaders, len(records))}
	for i := range records {
		at := &records[i].Attempt
		if err := store.RequireID("attempt", at.ID); err != nil {
			return err
		}
		h, err := encodeHeaders(at)
		if err != nil {
			return mapErr("record attempts", err)
		}
		op.headers[i] = h
	}
	return s.records.do(ctx, op)
}

// writeRecords writes a group of RecordAttempts calls in one statement,
// which is its own transaction. Of records of one delivery, the last
// call's last decides its state.
func (s *Store) writeRecords(ctx context.Context, ops []*pending[*recordOp]) error {
	var (
		a      attemptArrays
		states []string
		next   []*time.Time
		ended  []time.Time
		ids    []string
		holds  []bool
		tokens []*time.Time
	)
	seen := map[string]bool{}
	for _, p := range ops {
		for i := range p.op.records {
			r := &p.op.records[i]
			at := &r.Attempt
			a.add(at, p.op.headers[i])
			states = append(states, string(r.State))
			var n *time.Time
			if r.State == domain.Scheduled {
				n = nullTime(r.NextAttemptAt)
			}
			next = append(next, n)
			ended = append(ended, at.StartedAt.Add(at.Duration))
			holds = append(holds, r.HoldsKey)
			tokens = append(tokens, nullTime(r.LeaseUntil))
			if !seen[at.DeliveryID] {
				seen[at.DeliveryID] = true
				ids = append(ids, at.DeliveryID)
			}
		}
	}
	var all []store.AttemptRecord
	for _, p := range ops {
		all = append(all, p.op.records...)
	}
	// Configs first, committed before any attempt refers to them.
	configs := s.renderConfigs.Missing(all)
	if err := s.insertRenderConfigs(ctx, configs); err != nil {
		return mapErr("record attempts", err)
	}
	_, err := s.pool.Exec(ctx, recordSQL,
		a.ids, a.deliveryIDs, a.tenantIDs, a.webhookIDs, a.eventIDs, a.numbers, a.triggers,
		a.started, a.durations, a.urls, a.reqHeaders, a.reqBodies, a.statuses, a.respHeaders,
		a.respBodies, a.errors, a.success, states, next, ended, ids, a.refKeys, a.refDigests, holds, tokens)
	s.noteWrite(ctx, err)
	if err != nil {
		return mapErr("record attempts", err)
	}
	// The webhooks' failing streaks follow the attempts of the whole group,
	// in call order (see store.FailingChanges).
	return s.recordFailing(ctx, store.FailingChanges(all))
}

// attemptArrays holds attempts as parallel arrays, one per column.
type attemptArrays struct {
	ids, deliveryIDs, tenantIDs, webhookIDs, eventIDs, triggers, urls, errors []string
	numbers, statuses                                                         []int32
	started                                                                   []time.Time
	durations                                                                 []int64
	reqHeaders, respHeaders                                                   []*string
	reqBodies, respBodies, refKeys, refDigests                                [][]byte
	success                                                                   []bool
}

func (a *attemptArrays) add(at *domain.Attempt, h encodedHeaders) {
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
	a.reqHeaders = append(a.reqHeaders, h.req)
	// A body rendering the event again gives back is kept as a reference
	// (see domain.BodyRef).
	if ref := at.RequestBodyRef; ref != nil {
		a.reqBodies = append(a.reqBodies, nil)
		a.refKeys = append(a.refKeys, ref.Config.Key())
		a.refDigests = append(a.refDigests, ref.Digest)
	} else {
		a.reqBodies = append(a.reqBodies, at.RequestBody)
		a.refKeys = append(a.refKeys, nil)
		a.refDigests = append(a.refDigests, nil)
	}
	a.statuses = append(a.statuses, int32(at.StatusCode))
	a.respHeaders = append(a.respHeaders, h.resp)
	a.respBodies = append(a.respBodies, at.ResponseBody)
	a.errors = append(a.errors, at.Error)
	a.success = append(a.success, at.Success)
}
