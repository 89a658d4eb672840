package client

import (
	"context"
	"iter"
	"net/http"
)

// CreateWebhook creates a webhook; the answer holds its signing secret.
func (c *Client) CreateWebhook(ctx context.Context, tenant string, req WebhookRequest) (*WebhookWithSecret, error) {
	return call[WebhookWithSecret](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "webhooks"), req)
}

// ListWebhooks answers one page of a tenant's webhooks.
func (c *Client) ListWebhooks(ctx context.Context, tenant string, p ListParams) (*Page[Webhook], error) {
	return call[Page[Webhook]](ctx, c, apiPath(http.MethodGet, "tenants", tenant, "webhooks").withQuery(p), nil)
}

// AllWebhooks iterates over every webhook of a tenant from p's cursor on.
func (c *Client) AllWebhooks(ctx context.Context, tenant string, p ListParams) iter.Seq2[Webhook, error] {
	return all(p.Cursor, func(cursor string) (*Page[Webhook], error) {
		p.Cursor = cursor
		return c.ListWebhooks(ctx, tenant, p)
	})
}

// GetWebhook reads a webhook (without its secret).
func (c *Client) GetWebhook(ctx context.Context, tenant, id string) (*Webhook, error) {
	return call[Webhook](ctx, c, apiPath(http.MethodGet, "tenants", tenant, "webhooks", id), nil)
}

// UpdateWebhook changes the fields of req that are set. Disabling a
// webhook cancels its scheduled deliveries.
func (c *Client) UpdateWebhook(ctx context.Context, tenant, id string, req WebhookUpdate) (*UpdatedWebhook, error) {
	return call[UpdatedWebhook](ctx, c, apiPath(http.MethodPatch, "tenants", tenant, "webhooks", id), req)
}

// DeleteWebhook deletes a webhook; its scheduled deliveries are canceled
// and its audit log kept.
func (c *Client) DeleteWebhook(ctx context.Context, tenant, id string) error {
	_, err := c.do(ctx, apiPath(http.MethodDelete, "tenants", tenant, "webhooks", id), nil, nil)
	return err
}

// RevealSecret reads a webhook's current signing secret.
func (c *Client) RevealSecret(ctx context.Context, tenant, id string) (*WebhookSecret, error) {
	return call[WebhookSecret](ctx, c, apiPath(http.MethodGet, "tenants", tenant, "webhooks", id, "secret"), nil)
}

// RotateSecret gives a webhook a new secret; the old one keeps signing for
// the overlap.
func (c *Client) RotateSecret(ctx context.Context, tenant, id string, req RotateSecretRequest) (*WebhookWithSecret, error) {
	return call[WebhookWithSecret](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "webhooks", id, "rotate-secret"), req)
}

// TestWebhook sends an example event to a webhook now, outside the audit
// log, and answers what happened, whether the receiver accepted it or not.
func (c *Client) TestWebhook(ctx context.Context, tenant, id string, req TestRequest) (*TestResult, error) {
	return call[TestResult](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "webhooks", id, "test"), req)
}

// TestUnsavedWebhook validates a webhook as for a create and sends it an
// example event, storing nothing.
func (c *Client) TestUnsavedWebhook(ctx context.Context, tenant string, req UnsavedTestRequest) (*TestResult, error) {
	return call[TestResult](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "webhooks", "test"), req)
}

// RecoverWebhook schedules again the webhook's failed and canceled
// deliveries created in the range, and answers how many.
func (c *Client) RecoverWebhook(ctx context.Context, tenant, id string, req RecoverRequest) (int, error) {
	var out Recovered
	if _, err := c.do(ctx, apiPath(http.MethodPost, "tenants", tenant, "webhooks", id, "recover"), req, &out); err != nil {
		return 0, err
	}
	return out.Recovered, nil
}

// CheckFilter compiles a filter, runs the save-time checks of an event
// type and evaluates it on data. A filter problem is a FilterCheck with
// Valid false; an unknown event type is an *Error.
func (c *Client) CheckFilter(ctx context.Context, tenant string, req FilterCheckRequest) (*FilterCheck, error) {
	return call[FilterCheck](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "filters", "check"), req)
}
