package service

import (
	"context"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Skip lets the deliveries of a key go past one that holds it: an admin's
// answer to a blocked key (docs/ORDERING.md). The delivery stops holding
// its key and is marked skipped; a scheduled one is canceled, never sent.
// ENOTFOUND if the tenant has no such delivery; ECONFLICT if it does not
// hold its key (unordered, or already done with) or is in flight.
func (s *Deliveries) Skip(ctx context.Context, tenantID, id string) (*domain.Delivery, error) {
	d, err := s.d.Store.SkipDelivery(ctx, tenantID, id, s.d.Clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	// The key's next delivery may be due now.
	s.d.Notify.WorkDue()
	s.d.Logger.InfoContext(ctx, "delivery skipped",
		"tenant", tenantID, "delivery", d.ID, "webhook", d.WebhookID,
		"ordering_key", d.OrderingKey, "state", string(d.State))
	return d, nil
}

// BlockedKeys lists the tenant's blocked keys, oldest head first: the
// ordering keys whose earliest unfinished delivery finally failed and
// holds them, so the deliveries behind it wait for an admin to resend or
// skip it. Of one webhook when webhookID is set (a filter, as the audit
// list's: an unknown webhook has none); ENOTFOUND for an unknown tenant.
func (s *Deliveries) BlockedKeys(ctx context.Context, tenantID, webhookID string) ([]domain.BlockedKey, error) {
	if _, err := s.d.Store.GetTenant(ctx, tenantID); err != nil {
		return nil, err
	}
	return s.d.Store.BlockedKeys(ctx, tenantID, strings.TrimSpace(webhookID), 0)
}
