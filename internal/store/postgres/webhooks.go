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

const webhookColumns = `id, tenant_id, name, description, url, event_types, enabled, disabled_reason,
	format, basic_auth_username, basic_auth_password, secret, previous_secret, previous_secret_expires_at,
	headers, timeout_ns, retry_policy, retry_waits_ns, success_min, success_max, rate_limit,
	max_concurrency, created_at, updated_at, filter, format_options, secret_headers, ordering, ordering_failure`

// webhookSelect is what scanWebhook reads: the written columns and
// failing_since, which only RecordAttempts writes.
const webhookSelect = webhookColumns + `, failing_since`

// webhookArgs returns w's values in webhookColumns order.
func webhookArgs(w *domain.Webhook) ([]any, error) {
	var user, pass *string
	if w.BasicAuth != nil {
		user, pass = &w.BasicAuth.Username, &w.BasicAuth.Password
	}
	headers, err := headersJSON(w.Headers)
	if err != nil {
		return nil, err
	}
	var waits []int64
	if w.RetryWaits != nil {
		waits = make([]int64, len(w.RetryWaits))
		for i, d := range w.RetryWaits {
			waits[i] = int64(d)
		}
	}
	return []any{w.ID, w.TenantID, w.Name, w.Description, w.URL, w.EventTypes, w.Enabled, w.DisabledReason,
		w.Format, user, pass, w.Secret, w.PreviousSecret, nullTime(w.PreviousSecretExpiresAt),
		headers, int64(w.Timeout), w.RetryPolicy, waits, w.SuccessRule.Min, w.SuccessRule.Max, w.RateLimit,
		w.MaxConcurrency, w.CreatedAt, w.UpdatedAt, w.Filter, string(w.FormatOptions), w.SecretHeaders,
		string(w.Ordering), string(w.OrderingFailure)}, nil
}

func scanWebhook(row pgx.Row) (domain.Webhook, error) {
	var (
		w          domain.Webhook
		user, pass *string
		prevExp    *time.Time
		headers    []byte
		timeout    int64
		waits      []int64
		formatOpts string
		failing    *time.Time
		ordering   string
		failure    string
	)
	err := row.Scan(&w.ID, &w.TenantID, &w.Name, &w.Description, &w.URL, &w.EventTypes, &w.Enabled, &w.DisabledReason,
		&w.Format, &user, &pass, &w.Secret, &w.PreviousSecret, &prevExp,
		&headers, &timeout, &w.RetryPolicy, &waits, &w.SuccessRule.Min, &w.SuccessRule.Max, &w.RateLimit,
		&w.MaxConcurrency, &w.CreatedAt, &w.UpdatedAt, &w.Filter, &formatOpts, &w.SecretHeaders, &ordering, &failure, &failing)
	if err != nil {
		return w, err
	}
	w.Ordering, w.OrderingFailure = domain.Ordering(ordering), domain.OrderingFailure(failure)
	if formatOpts != "" {
		w.FormatOptions = []byte(formatOpts)
	}
	if user != nil {
		w.BasicAuth = &domain.BasicAuth{Username: *user}
		if pass != nil {
			w.BasicAuth.Password = *pass
		}
	}
	w.PreviousSecretExpiresAt = fromNullTime(prevExp)
	w.FailingSince = fromNullTime(failing)
	if headers != nil {
		if err := json.Unmarshal(headers, &w.Headers); err != nil {
			return w, fmt.Errorf("decode webhook %s headers: %w", w.ID, err)
		}
	}
	w.Timeout = time.Duration(timeout)
	if waits != nil {
		w.RetryWaits = make([]time.Duration, len(waits))
		for i, n := range waits {
			w.RetryWaits[i] = time.Duration(n)
		}
	}
	w.CreatedAt, w.UpdatedAt = utc(w.CreatedAt), utc(w.UpdatedAt)
	return w, nil
}

func collectWebhooks(rows pgx.Rows) ([]domain.Webhook, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Webhook, error) { return scanWebhook(r) })
}

// CreateWebhook stores w. ENOTFOUND if the tenant is absent; ECONFLICT if
// the tenant is at its MaxWebhooks or the id is taken.
func (s *Store) CreateWebhook(ctx context.Context, w *domain.Webhook) error {
	if err := store.RequireID("webhook", w.ID); err != nil {
		return err
	}
	args, err := webhookArgs(w)
	if err != nil {
		return fmt.Errorf("postgres: create webhook: %w", err)
	}
	return s.inTx(ctx, "create webhook", func(tx pgx.Tx) error {
		// Locking the tenant row serialises concurrent creations, so the
		// cap cannot be overrun by two at once.
		var max int
		err := tx.QueryRow(ctx, `SELECT max_webhooks FROM tenants WHERE id = $1 FOR UPDATE`, w.TenantID).Scan(&max)
		if err != nil {
			return notFoundIfNoRows(err, "tenant", w.TenantID)
		}
		if max > 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM webhooks WHERE tenant_id = $1`, w.TenantID).Scan(&n); err != nil {
				return err
			}
			if n >= max {
				return domain.Errorf(domain.ECONFLICT, "tenant %q already has its maximum of %d webhooks", w.TenantID, max)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO webhooks (`+webhookColumns+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)`, args...)
		if code, _ := pgCode(err); code == codeUniqueViolation {
			return domain.Errorf(domain.ECONFLICT, "webhook %q already exists", w.ID)
		}
		return err
	})
}

// GetWebhook returns one of a tenant's webhooks. ENOTFOUND if absent.
func (s *Store) GetWebhook(ctx context.Context, tenantID, webhookID string) (*domain.Webhook, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	w, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookSelect+` FROM webhooks WHERE id = $1 AND tenant_id = $2`, webhookID, tenantID))
	if err != nil {
		return nil, mapErr("get webhook", notFoundIfNoRows(err, "webhook", webhookID))
	}
	return &w, nil
}

// WebhookByID returns a webhook whatever its tenant. ENOTFOUND if absent.
func (s *Store) WebhookByID(ctx context.Context, webhookID string) (*domain.Webhook, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	w, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookSelect+` FROM webhooks WHERE id = $1`, webhookID))
	if err != nil {
		return nil, mapErr("webhook by id", notFoundIfNoRows(err, "webhook", webhookID))
	}
	return &w, nil
}

// UpdateWebhook replaces w's mutable fields (everything but its id, tenant
// and creation time). If w is disabled, its scheduled deliveries become
// canceled in the same transaction and their count is returned. ENOTFOUND
// if absent.
func (s *Store) UpdateWebhook(ctx context.Context, w *domain.Webhook, now time.Time) (int, error) {
	args, err := webhookArgs(w)
	if err != nil {
		return 0, fmt.Errorf("postgres: update webhook: %w", err)
	}
	var canceled int
	err = s.inTx(ctx, "update webhook", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE webhooks SET name = $3, description = $4, url = $5, event_types = $6,
			enabled = $7, disabled_reason = $8, format = $9, basic_auth_username = $10, basic_auth_password = $11,
			secret = $12, previous_secret = $13, previous_secret_expires_at = $14, headers = $15, timeout_ns = $16,
			retry_policy = $17, retry_waits_ns = $18, success_min = $19, success_max = $20, rate_limit = $21,
			max_concurrency = $22, updated_at = $23, filter = $24, format_options = $25, secret_headers = $26,
			ordering = $27, ordering_failure = $28, failing_since = CASE WHEN $29 THEN NULL ELSE failing_since END
			WHERE id = $1 AND tenant_id = $2`, append(args[:22:22], args[23], args[24], args[25], args[26], args[27], args[28],
			w.FailingSince.IsZero())...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.NotFound("webhook", w.ID)
		}
		if !w.Enabled {
			canceled, err = cancelScheduled(ctx, tx, w.ID, now)
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return canceled, nil
}

// DeleteWebhook removes a webhook and cancels its scheduled deliveries,
// which stay for the audit. ENOTFOUND if absent.
func (s *Store) DeleteWebhook(ctx context.Context, tenantID, webhookID string, now time.Time) error {
	return s.inTx(ctx, "delete webhook", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = $1 AND tenant_id = $2`, webhookID, tenantID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.NotFound("webhook", webhookID)
		}
		_, err = cancelScheduled(ctx, tx, webhookID, now)
		return err
	})
}

// ListWebhooks lists a tenant's webhooks, newest first.
func (s *Store) ListWebhooks(ctx context.Context, tenantID string, p store.Page) ([]domain.Webhook, string, error) {
	if s.closed.Load() {
		return nil, "", errClosed
	}
	limit := pageLimit(p)
	rows, err := s.pool.Query(ctx, `SELECT `+webhookSelect+` FROM webhooks
		WHERE tenant_id = $1 AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3`, tenantID, p.Cursor, limit+1)
	if err != nil {
		return nil, "", mapErr("list webhooks", err)
	}
	hooks, err := collectWebhooks(rows)
	if err != nil {
		return nil, "", mapErr("list webhooks", err)
	}
	hooks, next := trimPage(hooks, limit, func(w *domain.Webhook) string { return w.ID })
	return hooks, next, nil
}

// DisableWebhook disables a webhook on lmshooks' own decision, recording
// the reason and canceling its scheduled deliveries. ENOTFOUND if absent.
func (s *Store) DisableWebhook(ctx context.Context, webhookID, reason string, now time.Time) error {
	return s.inTx(ctx, "disable webhook", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE webhooks SET enabled = false, disabled_reason = $2, updated_at = $3 WHERE id = $1`,
			webhookID, reason, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.NotFound("webhook", webhookID)
		}
		_, err = cancelScheduled(ctx, tx, webhookID, now)
		return err
	})
}

// cancelScheduled cancels a webhook's scheduled deliveries. A lease is
// kept: the attempt in flight, if any, still gets recorded (RecordAttempts
// logs it without reviving the delivery), and Resend refuses until then.
func cancelScheduled(ctx context.Context, tx pgx.Tx, webhookID string, now time.Time) (int, error) {
	tag, err := tx.Exec(ctx, `UPDATE deliveries SET state = 'canceled', next_attempt_at = NULL, updated_at = $2, holds_key = false
		WHERE webhook_id = $1 AND state = 'scheduled'`, webhookID, now)
	if err != nil {
		return 0, fmt.Errorf("cancel deliveries: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// SwapWebhookSecrets stores to as the webhook's secret fields if they are
// still from.
func (s *Store) SwapWebhookSecrets(ctx context.Context, id string, from, to store.WebhookSecrets) (bool, error) {
	fromHeaders, err := headersJSON(from.Headers)
	if err != nil {
		return false, err
	}
	toHeaders, err := headersJSON(to.Headers)
	if err != nil {
		return false, err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE webhooks SET secret = $2, previous_secret = $3,
		basic_auth_password = CASE WHEN basic_auth_password IS NULL THEN NULL ELSE $4 END, headers = $5::jsonb
		WHERE id = $1 AND secret = $6 AND previous_secret = $7 AND coalesce(basic_auth_password, '') = $8
			AND headers IS NOT DISTINCT FROM $9::jsonb`,
		id, to.Secret, to.PreviousSecret, to.BasicAuthPassword, toHeaders,
		from.Secret, from.PreviousSecret, from.BasicAuthPassword, fromHeaders)
	if err != nil {
		return false, mapErr("swap webhook secrets", err)
	}
	return tag.RowsAffected() == 1, nil
}

// headersJSON encodes a webhook's headers as webhookArgs does: NULL for
// none.
func headersJSON(h map[string]string) ([]byte, error) {
	if h == nil {
		return nil, nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode headers: %w", err)
	}
	return b, nil
}
