package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

const attemptColumns = `id, delivery_id, tenant_id, webhook_id, event_id, number, trigger, started_at, duration_ns,
	request_url, request_headers, request_body, status_code, response_headers, response_body, error, success`

// attemptRefColumns follow attemptColumns in ListAttempts: the body's
// reference, its render config joined (see domain.BodyRef).
const attemptRefColumns = `request_body_sha, rc_webhook_id, rc_tenant_id, rc_format, rc_format_options`

func scanAttempt(row pgx.Row) (domain.Attempt, error) {
	var (
		a                   domain.Attempt
		trigger             string
		duration            int64
		reqHeaders, respHdr []byte
		digest, opts        []byte
		rcWebhook, rcTenant *string
		rcFormat            *string
	)
	err := row.Scan(&a.ID, &a.DeliveryID, &a.TenantID, &a.WebhookID, &a.EventID, &a.Number, &trigger, &a.StartedAt,
		&duration, &a.RequestURL, &reqHeaders, &a.RequestBody, &a.StatusCode, &respHdr, &a.ResponseBody, &a.Error, &a.Success,
		&digest, &rcWebhook, &rcTenant, &rcFormat, &opts)
	if err != nil {
		return a, err
	}
	if rcFormat != nil {
		a.RequestBodyRef = &domain.BodyRef{Digest: digest, Config: domain.RenderConfig{
			WebhookID: *rcWebhook, TenantID: *rcTenant, Format: *rcFormat, FormatOptions: opts,
		}}
	}
	a.Trigger = domain.AttemptTrigger(trigger)
	a.StartedAt = utc(a.StartedAt)
	a.Duration = time.Duration(duration)
	if reqHeaders != nil {
		if err := json.Unmarshal(reqHeaders, &a.RequestHeaders); err != nil {
			return a, fmt.Errorf("decode attempt %s request headers: %w", a.ID, err)
		}
	}
	if respHdr != nil {
		if err := json.Unmarshal(respHdr, &a.ResponseHeaders); err != nil {
			return a, fmt.Errorf("decode attempt %s response headers: %w", a.ID, err)
		}
	}
	return a, nil
}

// ListAttempts returns a delivery's attempts, oldest first; none if the
// delivery is absent or another tenant's.
func (s *Store) ListAttempts(ctx context.Context, tenantID, deliveryID string) ([]domain.Attempt, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT `+attemptColumns+`, `+attemptRefColumns+`
		FROM (SELECT * FROM attempts WHERE delivery_id = $1 AND tenant_id = $2) a
		LEFT JOIN (SELECT key, webhook_id AS rc_webhook_id, tenant_id AS rc_tenant_id, format AS rc_format,
			format_options AS rc_format_options FROM render_configs) c ON c.key = a.render_config
		ORDER BY number, started_at, id`, deliveryID, tenantID)
	if err != nil {
		return nil, mapErr("list attempts", err)
	}
	as, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Attempt, error) { return scanAttempt(r) })
	if err != nil {
		return nil, mapErr("list attempts", err)
	}
	return as, nil
}

// AttemptSamples returns one sample per attempt of the tenant's webhooks
// started in [since, until).
func (s *Store) AttemptSamples(ctx context.Context, tenantID string, since, until time.Time) ([]store.AttemptSample, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT webhook_id, started_at, duration_ns, success FROM attempts
		WHERE tenant_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at`, tenantID, since, until)
	if err != nil {
		return nil, mapErr("attempt samples", err)
	}
	samples, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.AttemptSample, error) {
		var sm store.AttemptSample
		var d int64
		err := r.Scan(&sm.WebhookID, &sm.StartedAt, &d, &sm.Success)
		sm.StartedAt, sm.Duration = utc(sm.StartedAt), time.Duration(d)
		return sm, err
	})
	if err != nil {
		return nil, mapErr("attempt samples", err)
	}
	return samples, nil
}
