package client

import (
	"context"
	"net/http"
)

// Publish publishes one event. It answers once the event and its
// deliveries are durably stored; with an idempotency key used before, it
// stores nothing and answers the original event with Replayed set.
func (c *Client) Publish(ctx context.Context, tenant string, req PublishRequest) (*PublishedEvent, error) {
	return call[PublishedEvent](ctx, c, apiPath(http.MethodPost, "tenants", tenant, "events"), req)
}

// PublishBatch publishes up to 1,000 events in one transaction: all or
// none. The answer has one item per event, in order; an error names the
// event at fault ("events[3].type").
func (c *Client) PublishBatch(ctx context.Context, tenant string, events []PublishRequest) ([]BatchItem, error) {
	var out BatchResponse
	if _, err := c.do(ctx, apiPath(http.MethodPost, "tenants", tenant, "events", "batch"), BatchRequest{Events: events}, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// GetEvent reads an event with its deliveries.
func (c *Client) GetEvent(ctx context.Context, tenant, id string) (*Event, error) {
	return call[Event](ctx, c, apiPath(http.MethodGet, "tenants", tenant, "events", id), nil)
}
