package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// ClaimDue leases up to p.Limit due, unleased (or expired) scheduled
// deliveries to p.Owner until p.LeaseUntil, oldest due first, in one UPDATE
// … RETURNING through the writer, so two claims can never overlap.
func (s *Store) ClaimDue(ctx context.Context, p store.ClaimParams) ([]domain.Job, error) {
	if p.Limit <= 0 {
		return nil, nil
	}
	var jobs []domain.Job
	err := s.write(ctx, "claim due", func(tx *wtx) error {
		jobs = jobs[:0]
		until := micros(p.LeaseUntil)
		// due_at is next_attempt_at for unleased deliveries and
		// lease_until for leased ones, so "due and not leased, or lease
		// expired" is the single range due_at <= now on a partial index.
		now := micros(p.Now)
		args := []any{p.Owner, until, until, now}
		for _, w := range p.ExcludeWebhooks {
			args = append(args, w)
		}
		args = append(args, now, p.Limit)
		rows, err := tx.query(claimSQL(len(p.ExcludeWebhooks)), args...)
		if err != nil {
			return err
		}
		ds, err := scanDeliveries(rows)
		if err != nil {
			return err
		}
		// RETURNING has no defined order.
		slices.SortFunc(ds, func(a, b domain.Delivery) int {
			if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		events := make(map[string]domain.Event, len(ds))
		for _, d := range ds {
			e, ok := events[d.EventID]
			if !ok {
				e, err = scanEvent(tx.queryRow(`SELECT `+eventCols+` FROM events WHERE id = ?`, d.EventID))
				if err != nil {
					return err
				}
				events[d.EventID] = e
			}
			jobs = append(jobs, domain.Job{Delivery: d, Event: e})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// claimSQL is ClaimDue's statement leaving exclude webhooks alone; its
// arguments: owner, lease until (twice), now, the excluded webhooks, now,
// limit. The turn check is evaluated on the table as it is before the
// update, so a claim takes at most one delivery of a key: the one no
// other holder precedes.
func claimSQL(exclude int) string {
	not := ""
	if exclude > 0 {
		not = " AND d.webhook_id NOT IN (?" + strings.Repeat(",?", exclude-1) + ")"
	}
	return `UPDATE deliveries SET lease_owner = ?, lease_until = ?, due_at = ?
		WHERE id IN (SELECT d.id FROM deliveries d WHERE d.state = 'scheduled' AND d.due_at <= ?` + not + `
			AND ` + turnSQL + ` ORDER BY d.due_at, d.id LIMIT ?)
		RETURNING ` + deliveryCols
}

// RenewLeases extends to until each of leases that owner still holds with
// the same expiry, if it has not expired at now, and returns those extended.
func (s *Store) RenewLeases(ctx context.Context, owner string, leases []store.Lease, now, until time.Time) ([]store.Lease, error) {
	if len(leases) == 0 {
		return nil, nil
	}
	pairs := make([][2]any, len(leases))
	for i, l := range leases {
		pairs[i] = [2]any{l.DeliveryID, micros(l.Until)}
	}
	list, err := json.Marshal(pairs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: renew leases: %w", err)
	}
	var renewed []store.Lease
	err = s.write(ctx, "renew leases", func(tx *wtx) error {
		// The single writer makes the select and the update one atomic
		// step: the select finds the leases still held, the update extends
		// exactly those.
		renewed = renewed[:0]
		rows, err := tx.query(`SELECT d.id, d.lease_until FROM deliveries d
			JOIN (SELECT value ->> 0 AS id, value ->> 1 AS until FROM json_each(?)) AS l
				ON d.id = l.id AND d.lease_until = l.until
			WHERE d.lease_owner = ? AND d.lease_until > ?`, string(list), owner, micros(now))
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(leases))
		for rows.Next() {
			var id string
			var old int64
			if err := rows.Scan(&id, &old); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			renewed = append(renewed, store.Lease{DeliveryID: id, Until: fromMicros(old)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		idList, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		t := micros(until)
		_, err = tx.exec(`UPDATE deliveries SET lease_until = ?, due_at = ? WHERE id IN (SELECT value FROM json_each(?))`, t, t, string(idList))
		return err
	})
	if err != nil {
		return nil, err
	}
	return renewed, nil
}

// releaseLeasesSQL drops the leases of one owner. The deliveries_lease
// index holds only leased deliveries (a lease_owner that is not empty), and
// SQLite uses a partial index only when the WHERE implies the index's own,
// which "lease_owner = ?" alone cannot (the owner could be empty): without
// the second term, releasing scanned the whole table.
const releaseLeasesSQL = `UPDATE deliveries SET lease_owner = '', lease_until = 0, due_at = next_attempt_at
	WHERE lease_owner = ? AND lease_owner <> ''`

// ReleaseLeases drops every lease held by owner; the deliveries are due
// again at their next_attempt_at.
func (s *Store) ReleaseLeases(ctx context.Context, owner string) error {
	return s.write(ctx, "release leases", func(tx *wtx) error {
		_, err := tx.exec(releaseLeasesSQL, owner)
		return err
	})
}

// RecordAttempts appends attempts and moves their deliveries to their next
// state, all in one savepoint of a group commit. Only a scheduled delivery
// changes state: one canceled (or finished by another node) meanwhile keeps
// its state but gets the attempt. Every delivery's lease is cleared.
//
// Recording is idempotent per attempt id (a retried call after a lost answer
// changes nothing twice), and an attempt whose delivery no longer exists
// (its tenant was deleted meanwhile) is dropped.
func (s *Store) RecordAttempts(ctx context.Context, records []store.AttemptRecord) error {
	if len(records) == 0 {
		return nil
	}
	// Encode outside the writer: the writer is the bottleneck, the
	// callers are many.
	enc := make([]encodedAttempt, len(records))
	for i := range records {
		if err := store.RequireID("attempt", records[i].Attempt.ID); err != nil {
			return err
		}
		if err := enc[i].encode(&records[i]); err != nil {
			return err
		}
	}
	configs := s.renderConfigs.Missing(records)
	err := s.write(ctx, "record attempts", func(tx *wtx) error {
		if err := insertRenderConfigs(tx, configs); err != nil {
			return err
		}
		for i := range records {
			if err := recordAttempt(tx, &records[i], &enc[i]); err != nil {
				return err
			}
		}
		return recordFailing(tx, store.FailingChanges(records))
	})
	if err == nil {
		for _, c := range configs {
			s.renderConfigs.Put(c)
		}
	}
	return err
}

// recordFailing moves the webhooks' failing streaks; each statement
// changes a row only when the streak starts, restarts or ends, so the
// common case (another success, another failure) writes nothing.
func recordFailing(tx *wtx, changes []store.FailingChange) error {
	for _, c := range changes {
		var err error
		switch {
		case c.Since.IsZero():
			_, err = tx.exec(`UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, c.WebhookID)
		case c.Restart:
			_, err = tx.exec(`UPDATE webhooks SET failing_since = ? WHERE id = ?`, micros(c.Since), c.WebhookID)
		default:
			_, err = tx.exec(`UPDATE webhooks SET failing_since = ? WHERE id = ? AND failing_since IS NULL`, micros(c.Since), c.WebhookID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// encodedAttempt holds an attempt's JSON columns and its body as stored:
// the body, or a reference (see domain.BodyRef).
type encodedAttempt struct {
	reqHeaders, respHeaders string
	body, refKey, refDigest []byte
}

func (e *encodedAttempt) encode(r *store.AttemptRecord) error {
	var err error
	e.body = r.Attempt.RequestBody
	if ref := r.Attempt.RequestBodyRef; ref != nil {
		e.body, e.refKey, e.refDigest = nil, ref.Config.Key(), ref.Digest
	}
	if e.reqHeaders, err = headersJSON(r.Attempt.RequestHeaders); err != nil {
		return err
	}
	e.respHeaders, err = headersJSON(r.Attempt.ResponseHeaders)
	return err
}

func recordAttempt(tx *wtx, r *store.AttemptRecord, enc *encodedAttempt) error {
	a := &r.Attempt
	// The attempt takes its tenant, webhook and event from the delivery
	// row, so statistics and deletes by tenant can trust them. OR IGNORE
	// makes a second record of the same attempt id a no-op.
	n, err := tx.exec(`INSERT OR IGNORE INTO attempts (id, delivery_id, tenant_id, webhook_id, event_id, number, trigger,
		started_at, duration_ns, request_url, request_headers, request_body, status_code, response_headers,
		response_body, error, success, render_config, request_body_sha)
		SELECT ?, id, tenant_id, webhook_id, event_id, CASE WHEN ? > 0 THEN ? ELSE attempts + 1 END, ?,
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		FROM deliveries WHERE id = ?`,
		a.ID, a.Number, a.Number, string(a.Trigger),
		micros(a.StartedAt), int64(a.Duration), a.RequestURL, enc.reqHeaders, nullBytes(enc.body), a.StatusCode,
		enc.respHeaders, nullBytes(a.ResponseBody), a.Error, boolInt(a.Success), nullBytes(enc.refKey), nullBytes(enc.refDigest),
		a.DeliveryID)
	if err != nil || n == 0 {
		return err
	}
	var next int64
	if r.State == domain.Scheduled {
		next = micros(r.NextAttemptAt)
	}
	// An ordered delivery moves only under the lease the attempt was
	// made with: if that ran out and another claim took the delivery, the
	// attempt is history and the delivery is the other claim's.
	_, err = tx.exec(`UPDATE deliveries SET attempts = attempts + 1,
		state = CASE WHEN state = 'scheduled' THEN ? ELSE state END,
		next_attempt_at = CASE WHEN state = 'scheduled' THEN ? ELSE next_attempt_at END,
		due_at = CASE WHEN state = 'scheduled' THEN ? ELSE 0 END,
		holds_key = CASE WHEN state = 'scheduled' THEN ? ELSE holds_key END,
		last_status = ?, last_error = ?, updated_at = ?, lease_owner = '', lease_until = 0
		WHERE id = ? AND (ordered = 0 OR lease_until = ?)`,
		string(r.State), next, next, boolInt(r.HoldsKey), a.StatusCode, a.Error,
		micros(a.StartedAt.Add(a.Duration)), a.DeliveryID, micros(r.LeaseUntil))
	return err
}

const attemptCols = `id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at, duration_ns,
	request_url, request_headers, request_body, status_code, response_headers, response_body, error, success`

// scanAttempt reads attemptCols and the body's reference: refKey is the
// key of its render config, which the caller resolves; nil without one.
func scanAttempt(sc interface{ Scan(...any) error }) (a domain.Attempt, refKey []byte, err error) {
	var (
		trigger, reqH, respH  string
		started, dur, success int64
		digest                []byte
	)
	if err := sc.Scan(&a.ID, &a.DeliveryID, &a.TenantID, &a.WebhookID, &a.EventID, &a.Number, &trigger, &started, &dur,
		&a.RequestURL, &reqH, &a.RequestBody, &a.StatusCode, &respH, &a.ResponseBody, &a.Error, &success,
		&refKey, &digest); err != nil {
		return a, nil, err
	}
	if refKey != nil {
		a.RequestBodyRef = &domain.BodyRef{Digest: digest}
	}
	a.Trigger = domain.AttemptTrigger(trigger)
	a.StartedAt, a.Duration, a.Success = fromMicros(started), time.Duration(dur), success != 0
	if err := decodeJSON(reqH, &a.RequestHeaders); err != nil {
		return a, nil, err
	}
	return a, refKey, decodeJSON(respH, &a.ResponseHeaders)
}

// ListAttempts returns a delivery's attempts, oldest first; none for a
// delivery of another tenant.
func (s *Store) ListAttempts(ctx context.Context, tenantID, deliveryID string) ([]domain.Attempt, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+attemptCols+`, render_config, request_body_sha FROM attempts WHERE delivery_id = ? AND tenant_id = ?
		ORDER BY number, started_at, id`, deliveryID, tenantID)
	if err != nil {
		return nil, mapErr("list attempts", err)
	}
	defer rows.Close()
	var (
		out  []domain.Attempt
		keys [][]byte
	)
	for rows.Next() {
		a, key, err := scanAttempt(rows)
		if err != nil {
			return nil, mapErr("list attempts", err)
		}
		out, keys = append(out, a), append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list attempts", err)
	}
	rows.Close()
	for i, key := range keys {
		if key == nil {
			continue
		}
		if out[i].RequestBodyRef.Config, err = s.renderConfig(ctx, key); err != nil {
			return nil, mapErr("list attempts", err)
		}
	}
	return out, nil
}
