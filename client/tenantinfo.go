package client

import (
	"context"
	"net/http"
)

// GetStats answers a tenant's calls, errors, success rate and latency per
// webhook over the window p picks.
func (c *Client) GetStats(ctx context.Context, tenant string, p StatsParams) (*Stats, error) {
	return call[Stats](ctx, c, apiPath(http.MethodGet, "tenants", tenant, "stats").withQuery(p), nil)
}

// CreatePortalLink answers a signed, expiring link to the tenant's console
// pages, for the LMS to embed in its own admin pages.
func (c *Client) CreatePortalLink(ctx context.Context, tenant string, req PortalLinkRequest) (*PortalLink, error) {
	return call[PortalLink](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "portal-links"), req)
}

// RevokePortalAccess ends every portal session of the tenant and voids its
// unused portal links, on every node.
func (c *Client) RevokePortalAccess(ctx context.Context, tenant string) error {
	_, err := c.do(ctx, apiPath(http.MethodPost, "tenants", tenant, "portal-links", "revoke"), nil, nil)
	return err
}
