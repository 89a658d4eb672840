package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

const webhookCols = `id, tenant_id, name, description, url, event_types, enabled, disabled_reason, format,
	basic_auth_username, basic_auth_password, secret, previous_secret, previous_secret_expires_at, headers,
	timeout_ns, retry_policy, retry_waits_ns, success_min, success_max, rate_limit, max_concurrency,
	created_at, updated_at, filter, format_options, secret_headers, ordering, ordering_failure`

// webhookSelect is what scanWebhook reads: the written columns and
// failing_since, which only RecordAttempts writes.
const webhookSelect = webhookCols + `, failing_since`

// webhookArgs returns w's columns in webhookCols order.
func webhookArgs(w *domain.Webhook) ([]any, error) {
	types, err := encodeJSON(w.EventTypes, len(w.EventTypes) == 0)
	if err != nil {
		return nil, err
	}
	headers, err := encodeJSON(w.Headers, len(w.Headers) == 0)
	if err != nil {
		return nil, err
	}
	secretHeaders, err := encodeJSON(w.SecretHeaders, len(w.SecretHeaders) == 0)
	if err != nil {
		return nil, err
	}
	waits, err := durationsJSON(w.RetryWaits)
	if err != nil {
		return nil, err
	}
	var user, pass string
	if w.BasicAuth != nil {
		user, pass = w.BasicAuth.Username, w.BasicAuth.Password
	}
	return []any{w.ID, w.TenantID, w.Name, w.Description, w.URL, types, boolInt(w.Enabled), w.DisabledReason, w.Format,
		user, pass, w.Secret, w.PreviousSecret, micros(w.PreviousSecretExpiresAt), headers,
		int64(w.Timeout), w.RetryPolicy, waits, w.SuccessRule.Min, w.SuccessRule.Max, w.RateLimit, w.MaxConcurrency,
		micros(w.CreatedAt), micros(w.UpdatedAt), w.Filter, string(w.FormatOptions), secretHeaders,
		string(w.Ordering), string(w.OrderingFailure)}, nil
}

func scanWebhook(sc interface{ Scan(...any) error }) (domain.Webhook, error) {
	var (
		w                                  domain.Webhook
		types, headers, waits, secrets     string
		user, pass                         string
		enabled                            int
		prevExp, timeout, created, updated int64
		formatOptions                      string
		failing                            sql.NullInt64
		ordering, failure                  string
	)
	if err := sc.Scan(&w.ID, &w.TenantID, &w.Name, &w.Description, &w.URL, &types, &enabled, &w.DisabledReason, &w.Format,
		&user, &pass, &w.Secret, &w.PreviousSecret, &prevExp, &headers,
		&timeout, &w.RetryPolicy, &waits, &w.SuccessRule.Min, &w.SuccessRule.Max, &w.RateLimit, &w.MaxConcurrency,
		&created, &updated, &w.Filter, &formatOptions, &secrets, &ordering, &failure, &failing); err != nil {
		return w, err
	}
	w.Enabled = enabled != 0
	w.Ordering, w.OrderingFailure = domain.Ordering(ordering), domain.OrderingFailure(failure)
	w.FailingSince = fromMicros(failing.Int64)
	if formatOptions != "" {
		w.FormatOptions = []byte(formatOptions)
	}
	if user != "" {
		w.BasicAuth = &domain.BasicAuth{Username: user, Password: pass}
	}
	w.PreviousSecretExpiresAt = fromMicros(prevExp)
	w.Timeout = time.Duration(timeout)
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := decodeJSON(types, &w.EventTypes); err != nil {
		return w, err
	}
	if err := decodeJSON(headers, &w.Headers); err != nil {
		return w, err
	}
	if err := decodeJSON(secrets, &w.SecretHeaders); err != nil {
		return w, err
	}
	var err error
	w.RetryWaits, err = parseDurations(waits)
	return w, err
}

// CreateWebhook stores w. ENOTFOUND if the tenant is absent; ECONFLICT if
// the tenant is at its MaxWebhooks.
func (s *Store) CreateWebhook(ctx context.Context, w *domain.Webhook) error {
	if err := store.RequireID("webhook", w.ID); err != nil {
		return err
	}
	args, err := webhookArgs(w)
	if err != nil {
		return err
	}
	return s.write(ctx, "create webhook", func(tx *wtx) error {
		tx.invalidate()
		var max, count int
		err := tx.queryRow(`SELECT max_webhooks, (SELECT COUNT(*) FROM webhooks WHERE tenant_id = t.id)
			FROM tenants t WHERE id = ?`, w.TenantID).Scan(&max, &count)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("tenant", w.TenantID)
		}
		if err != nil {
			return err
		}
		if max > 0 && count >= max {
			return domain.Errorf(domain.ECONFLICT, "tenant %q already has %d webhooks, its maximum", w.TenantID, max)
		}
		_, err = tx.exec(`INSERT INTO webhooks (`+webhookCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		if isUnique(err) {
			return domain.Errorf(domain.ECONFLICT, "webhook %q already exists", w.ID)
		}
		return err
	})
}

// GetWebhook returns one of a tenant's webhooks. ENOTFOUND if absent.
func (s *Store) GetWebhook(ctx context.Context, tenantID, webhookID string) (*domain.Webhook, error) {
	w, err := scanWebhook(s.rdb.QueryRowContext(ctx, `SELECT `+webhookSelect+` FROM webhooks WHERE id = ? AND tenant_id = ?`, webhookID, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("webhook", webhookID)
	}
	if err != nil {
		return nil, mapErr("get webhook", err)
	}
	return &w, nil
}

// WebhookByID returns a webhook whatever its tenant. ENOTFOUND if absent.
func (s *Store) WebhookByID(ctx context.Context, webhookID string) (*domain.Webhook, error) {
	w, err := scanWebhook(s.rdb.QueryRowContext(ctx, `SELECT `+webhookSelect+` FROM webhooks WHERE id = ?`, webhookID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("webhook", webhookID)
	}
	if err != nil {
		return nil, mapErr("webhook by id", err)
	}
	return &w, nil
}

// UpdateWebhook replaces every field of w but its id, tenant and creation
// time. If w is disabled, its scheduled deliveries are canceled in the same
// transaction and counted. ENOTFOUND if absent.
func (s *Store) UpdateWebhook(ctx context.Context, w *domain.Webhook, now time.Time) (int, error) {
	args, err := webhookArgs(w)
	if err != nil {
		return 0, err
	}
	var canceled int64
	err = s.write(ctx, "update webhook", func(tx *wtx) error {
		tx.invalidate()
		// args[0] and args[1] are id and tenant_id: they select the row.
		n, err := tx.exec(`UPDATE webhooks SET name = ?, description = ?, url = ?, event_types = ?, enabled = ?,
			disabled_reason = ?, format = ?, basic_auth_username = ?, basic_auth_password = ?, secret = ?,
			previous_secret = ?, previous_secret_expires_at = ?, headers = ?, timeout_ns = ?, retry_policy = ?,
			retry_waits_ns = ?, success_min = ?, success_max = ?, rate_limit = ?, max_concurrency = ?, updated_at = ?,
			filter = ?, format_options = ?, secret_headers = ?, ordering = ?, ordering_failure = ?,
			failing_since = CASE WHEN ? THEN NULL ELSE failing_since END
			WHERE id = ? AND tenant_id = ?`, append(append([]any{}, args[2:22]...), args[23], args[24], args[25], args[26], args[27], args[28],
			w.FailingSince.IsZero(), w.ID, w.TenantID)...)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("webhook", w.ID)
		}
		if !w.Enabled {
			canceled, err = cancelScheduled(tx, w.ID, now)
		}
		return err
	})
	return int(canceled), err
}

// cancelScheduled cancels a webhook's scheduled deliveries. A lease is
// kept: the attempt in flight, if any, still gets recorded (and Resend
// still refuses while it runs).
func cancelScheduled(tx *wtx, webhookID string, now time.Time) (int64, error) {
	return tx.exec(`UPDATE deliveries SET state = 'canceled', next_attempt_at = 0, due_at = 0, updated_at = ?, holds_key = 0
		WHERE webhook_id = ? AND state = 'scheduled'`, micros(now), webhookID)
}

// DeleteWebhook removes a webhook and cancels its scheduled deliveries,
// which stay in the audit. ENOTFOUND if absent.
func (s *Store) DeleteWebhook(ctx context.Context, tenantID, webhookID string, now time.Time) error {
	return s.write(ctx, "delete webhook", func(tx *wtx) error {
		tx.invalidate()
		n, err := tx.exec(`DELETE FROM webhooks WHERE id = ? AND tenant_id = ?`, webhookID, tenantID)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("webhook", webhookID)
		}
		_, err = cancelScheduled(tx, webhookID, now)
		return err
	})
}

// ListWebhooks lists a tenant's webhooks, newest first.
func (s *Store) ListWebhooks(ctx context.Context, tenantID string, p store.Page) ([]domain.Webhook, string, error) {
	limit := pageLimit(p.Limit)
	q := `SELECT ` + webhookSelect + ` FROM webhooks WHERE tenant_id = ? ORDER BY id DESC LIMIT ?`
	args := []any{tenantID, limit + 1}
	if p.Cursor != "" {
		q = `SELECT ` + webhookSelect + ` FROM webhooks WHERE tenant_id = ? AND id < ? ORDER BY id DESC LIMIT ?`
		args = []any{tenantID, p.Cursor, limit + 1}
	}
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", mapErr("list webhooks", err)
	}
	defer rows.Close()
	var out []domain.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, "", mapErr("list webhooks", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapErr("list webhooks", err)
	}
	out, next := paginate(out, limit, func(w domain.Webhook) string { return w.ID })
	return out, next, nil
}

// DisableWebhook disables a webhook on lmshooks' own decision, recording
// the reason and canceling its scheduled deliveries. ENOTFOUND if absent.
func (s *Store) DisableWebhook(ctx context.Context, webhookID, reason string, now time.Time) error {
	return s.write(ctx, "disable webhook", func(tx *wtx) error {
		tx.invalidate()
		n, err := tx.exec(`UPDATE webhooks SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?`,
			reason, micros(now), webhookID)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("webhook", webhookID)
		}
		_, err = cancelScheduled(tx, webhookID, now)
		return err
	})
}

// FailingWebhooks returns the enabled webhooks in a failing streak, oldest
// first, with their tenant's auto-disable period.
func (s *Store) FailingWebhooks(ctx context.Context) ([]store.FailingWebhook, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT w.id, w.tenant_id, w.failing_since, t.auto_disable_after_hours
		FROM webhooks w JOIN tenants t ON t.id = w.tenant_id
		WHERE w.failing_since IS NOT NULL AND w.enabled = 1 ORDER BY w.failing_since, w.id`)
	if err != nil {
		return nil, mapErr("failing webhooks", err)
	}
	defer rows.Close()
	var out []store.FailingWebhook
	for rows.Next() {
		var f store.FailingWebhook
		var since int64
		if err := rows.Scan(&f.WebhookID, &f.TenantID, &since, &f.TenantAutoDisableAfterHours); err != nil {
			return nil, mapErr("failing webhooks", err)
		}
		f.FailingSince = fromMicros(since)
		out = append(out, f)
	}
	return out, mapErr("failing webhooks", rows.Err())
}

// SwapWebhookSecrets stores to as the webhook's secret fields if they are
// still from.
func (s *Store) SwapWebhookSecrets(ctx context.Context, id string, from, to store.WebhookSecrets) (bool, error) {
	fromHeaders, err := encodeJSON(from.Headers, len(from.Headers) == 0)
	if err != nil {
		return false, err
	}
	toHeaders, err := encodeJSON(to.Headers, len(to.Headers) == 0)
	if err != nil {
		return false, err
	}
	var swapped bool
	err = s.write(ctx, "swap webhook secrets", func(tx *wtx) error {
		tx.invalidate()
		n, err := tx.exec(`UPDATE webhooks SET secret = ?, previous_secret = ?, basic_auth_password = ?, headers = ?
			WHERE id = ? AND secret = ? AND previous_secret = ? AND basic_auth_password = ? AND headers = ?`,
			to.Secret, to.PreviousSecret, to.BasicAuthPassword, toHeaders,
			id, from.Secret, from.PreviousSecret, from.BasicAuthPassword, fromHeaders)
		swapped = n == 1
		return err
	})
	return swapped, err
}
