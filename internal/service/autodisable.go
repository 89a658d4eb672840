package service

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// AutoDisable disables, as of now, every webhook whose attempts have all
// failed for longer than its tenant's auto-disable period
// (domain.ShouldAutoDisable), the way lmshooks disables a webhook by itself
// (the store's DisableWebhook, as after a 410 Gone): enabled off, the
// reason recorded, its scheduled deliveries canceled. It returns how many
// it disabled. The maintenance leader calls it every round.
func (s *Webhooks) AutoDisable(ctx context.Context, now time.Time) (int, error) {
	failing, err := s.d.Store.FailingWebhooks(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range failing {
		t := domain.Tenant{AutoDisableAfterHours: f.TenantAutoDisableAfterHours}
		period := t.AutoDisableAfter(s.cfg.AutoDisableAfter)
		if !domain.ShouldAutoDisable(f.FailingSince, now, period) {
			continue
		}
		reason := domain.AutoDisableReason(f.FailingSince, period)
		if err := s.d.Store.DisableWebhook(ctx, f.WebhookID, reason, now); err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				continue // deleted meanwhile
			}
			return n, err
		}
		n++
		s.d.Notify.WebhookChanged(f.WebhookID)
		s.d.Announce.WebhookDisabled(f.WebhookID, reason, now)
		s.d.Logger.Warn("webhook disabled: every attempt failed for its auto-disable period",
			"webhook_id", f.WebhookID, "tenant_id", f.TenantID, "failing_since", f.FailingSince, "period", period)
	}
	return n, nil
}
