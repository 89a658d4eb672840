package service

import (
	"context"
	"fmt"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// All returns every webhook of the tenant, in the order of List.
func (s *Webhooks) All(ctx context.Context, tenantID string) ([]domain.Webhook, error) {
	return tenantWebhooks(ctx, s.d.Store, tenantID)
}

// tenantWebhooks lists every webhook of a tenant, page by page: the one
// such loop, for every service that needs them all.
func tenantWebhooks(ctx context.Context, st store.Store, tenantID string) ([]domain.Webhook, error) {
	var all []domain.Webhook
	p := store.Page{Limit: store.MaxListLimit}
	for {
		hs, next, err := st.ListWebhooks(ctx, tenantID, p)
		if err != nil {
			return nil, fmt.Errorf("list the webhooks of tenant %s: %w", tenantID, err)
		}
		all = append(all, hs...)
		if next == "" {
			return all, nil
		}
		p.Cursor = next
	}
}
