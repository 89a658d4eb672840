package client

import (
	"context"
	"net/http"
)

// ListEventTypes answers the builtin catalog (any valid key), sorted,
// without schemas and examples.
func (c *Client) ListEventTypes(ctx context.Context, p EventTypeParams) ([]EventTypeSummary, error) {
	return c.listTypes(ctx, apiPath(http.MethodGet, "event-types").withQuery(p))
}

// GetEventType reads a builtin type with its schema and example.
func (c *Client) GetEventType(ctx context.Context, typ string) (*EventType, error) {
	return c.getType(ctx, apiPath(http.MethodGet, "event-types", typ))
}

// ListTenantEventTypes answers the builtin types and the tenant's own
// (Custom true).
func (c *Client) ListTenantEventTypes(ctx context.Context, tenant string, p EventTypeParams) ([]EventTypeSummary, error) {
	return c.listTypes(ctx, apiPath(http.MethodGet, "tenants", tenant, "event-types").withQuery(p))
}

// GetTenantEventType reads a type as the tenant sees it: builtin or its
// own.
func (c *Client) GetTenantEventType(ctx context.Context, tenant, typ string) (*EventType, error) {
	return c.getType(ctx, apiPath(http.MethodGet, "tenants", tenant, "event-types", typ))
}

// PutEventType registers or replaces one of the tenant's own types;
// created says which.
func (c *Client) PutEventType(ctx context.Context, tenant, typ string, req EventTypeRequest) (et *EventType, created bool, err error) {
	var out EventType
	status, err := c.do(ctx, apiPath(http.MethodPut, "tenants", tenant, "event-types", typ), req, &out)
	if err != nil {
		return nil, false, err
	}
	return &out, status == http.StatusCreated, nil
}

// DeleteEventType deletes one of the tenant's own types.
func (c *Client) DeleteEventType(ctx context.Context, tenant, typ string) error {
	_, err := c.do(ctx, apiPath(http.MethodDelete, "tenants", tenant, "event-types", typ), nil, nil)
	return err
}

// listTypes reads a list of event types; the API answers it whole, as one
// page.
func (c *Client) listTypes(ctx context.Context, r route) ([]EventTypeSummary, error) {
	var out Page[EventTypeSummary]
	if _, err := c.do(ctx, r, nil, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

func (c *Client) getType(ctx context.Context, r route) (*EventType, error) {
	return call[EventType](ctx, c, r, nil)
}
