package client

import (
	"context"
	"iter"
	"net/http"
)

// CreateTenant creates a tenant (operator key only). A taken id is a 409
// on field "id".
func (c *Client) CreateTenant(ctx context.Context, req TenantRequest) (*Tenant, error) {
	return call[Tenant](ctx, c, apiPath(http.MethodPost, "tenants"), req)
}

// ListTenants answers one page of the tenants (operator key only).
func (c *Client) ListTenants(ctx context.Context, p ListParams) (*Page[Tenant], error) {
	return call[Page[Tenant]](ctx, c, apiPath(http.MethodGet, "tenants").withQuery(p), nil)
}

// AllTenants iterates over every tenant from p's cursor on, p.Limit at a
// time.
func (c *Client) AllTenants(ctx context.Context, p ListParams) iter.Seq2[Tenant, error] {
	return all(p.Cursor, func(cursor string) (*Page[Tenant], error) {
		p.Cursor = cursor
		return c.ListTenants(ctx, p)
	})
}

// GetTenant reads a tenant.
func (c *Client) GetTenant(ctx context.Context, tenant string) (*Tenant, error) {
	return call[Tenant](ctx, c, apiPath(http.MethodGet, "tenants", tenant), nil)
}

// UpdateTenant changes the fields of req that are set.
func (c *Client) UpdateTenant(ctx context.Context, tenant string, req TenantUpdate) (*Tenant, error) {
	return call[Tenant](ctx, c, apiPath(http.MethodPatch, "tenants", tenant), req)
}

// DeleteTenant deletes a tenant with its keys, webhooks, events,
// deliveries and attempts (operator key only).
func (c *Client) DeleteTenant(ctx context.Context, tenant string) error {
	_, err := c.do(ctx, apiPath(http.MethodDelete, "tenants", tenant), nil, nil)
	return err
}
