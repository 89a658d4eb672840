package client

import (
	"context"
	"iter"
	"net/http"
)

// ListDeliveries answers one page of a tenant's audit list, newest first,
// filtered by p.
func (c *Client) ListDeliveries(ctx context.Context, tenant string, p DeliveryParams) (*DeliveryPage, error) {
	return call[DeliveryPage](ctx, c, apiPath(http.MethodGet, "tenants", tenant, "deliveries").withQuery(p), nil)
}

// AllDeliveries iterates over every delivery that p selects, from p's
// cursor on. p.IncludeCounts is ignored: counts belong to a page.
func (c *Client) AllDeliveries(ctx context.Context, tenant string, p DeliveryParams) iter.Seq2[Delivery, error] {
	p.IncludeCounts = false
	return all(p.Cursor, func(cursor string) (*Page[Delivery], error) {
		p.Cursor = cursor
		dp, err := c.ListDeliveries(ctx, tenant, p)
		if err != nil {
			return nil, err
		}
		return &dp.Page, nil
	})
}

// GetDelivery reads a delivery with all its attempts.
func (c *Client) GetDelivery(ctx context.Context, tenant, id string) (*DeliveryDetail, error) {
	return call[DeliveryDetail](ctx, c, apiPath(http.MethodGet, "tenants", tenant, "deliveries", id), nil)
}

// SkipDelivery lets the deliveries of an ordered delivery's key go past
// it: it stops holding its key and, if scheduled, is canceled. A 409
// means it does not hold its key or an attempt of it is in flight.
func (c *Client) SkipDelivery(ctx context.Context, tenant, id string) (*Delivery, error) {
	return call[Delivery](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "deliveries", id, "skip"), nil)
}

// BlockedKeys lists a tenant's blocked ordering keys, oldest first: resend
// or skip a key's Head to unblock it.
func (c *Client) BlockedKeys(ctx context.Context, tenant string, p BlockedKeyParams) ([]BlockedKey, error) {
	page, err := call[Page[BlockedKey]](ctx, c, apiPath(http.MethodGet, "tenants", tenant, "blocked-keys").withQuery(p), nil)
	if err != nil {
		return nil, err
	}
	return page.Data, nil
}

// ResendDelivery makes a delivery due now with a fresh retry schedule,
// whatever its state. A 409 means an attempt of it is in flight.
func (c *Client) ResendDelivery(ctx context.Context, tenant, id string) (*Delivery, error) {
	return call[Delivery](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "deliveries", id, "resend"), nil)
}
