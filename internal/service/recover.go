package service

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// RecoverRange selects the failed and canceled deliveries to schedule
// again: those of one webhook ("" for every webhook of the tenant) created
// in [Since, Until).
type RecoverRange struct {
	TenantID  string
	WebhookID string
	// Since is required and may not be in the future; a zero Until means
	// now.
	Since, Until time.Time
}

// check holds the rules of a recover range at now.
func (r RecoverRange) check(now time.Time) error {
	if r.Since.IsZero() {
		return domain.FieldErrorf("since", "is required: the time from which to recover failed deliveries")
	}
	if err := checkRange(r.Since, r.Until); err != nil {
		return err
	}
	if r.Since.After(now) {
		return domain.FieldErrorf("since", "is in the future")
	}
	return nil
}

// Recover schedules again, due now, the failed and canceled deliveries
// that r selects, and returns how many. ENOTFOUND when the tenant has no
// such webhook.
func (s *Deliveries) Recover(ctx context.Context, r RecoverRange) (int, error) {
	now := s.d.Clock.Now().UTC()
	if err := r.check(now); err != nil {
		return 0, err
	}
	ids := []string{r.WebhookID}
	if r.WebhookID == "" {
		hooks, err := tenantWebhooks(ctx, s.d.Store, r.TenantID)
		if err != nil {
			return 0, err
		}
		ids = make([]string, 0, len(hooks))
		for _, h := range hooks {
			ids = append(ids, h.ID)
		}
	}
	total := 0
	for _, wid := range ids {
		n, err := s.d.Store.Recover(ctx, store.RecoverParams{
			TenantID: r.TenantID, WebhookID: wid, Since: r.Since, Until: r.Until, Now: now,
		})
		total += n
		if err != nil {
			// Those recovered so far are due: say so before failing.
			s.notifyIf(total)
			return total, err
		}
	}
	s.notifyIf(total)
	return total, nil
}

// notifyIf says work is due when n deliveries became due.
func (s *Deliveries) notifyIf(n int) {
	if n > 0 {
		s.d.Notify.WorkDue()
	}
}
