package client

import (
	"context"
	"net/http"
)

// CreateAPIKey creates a key that reaches one tenant. The answer's Key is
// shown only now: lmshooks stores its hash.
func (c *Client) CreateAPIKey(ctx context.Context, tenant string, req APIKeyRequest) (*CreatedAPIKey, error) {
	return call[CreatedAPIKey](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "api-keys"), req)
}

// ListAPIKeys answers a tenant's keys, newest first (all of them: a tenant
// has a handful).
func (c *Client) ListAPIKeys(ctx context.Context, tenant string) ([]APIKey, error) {
	var out APIKeyList
	if _, err := c.do(ctx, apiPath(http.MethodGet, "tenants", tenant, "api-keys"), nil, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// DeleteAPIKey revokes a tenant key.
func (c *Client) DeleteAPIKey(ctx context.Context, tenant, id string) error {
	_, err := c.do(ctx, apiPath(http.MethodDelete, "tenants", tenant, "api-keys", id), nil, nil)
	return err
}
