package service

import (
	"context"
	"fmt"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// tenantWebhooks lists every webhook of a tenant, page by page.
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
