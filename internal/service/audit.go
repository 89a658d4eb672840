package service

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// AuditFilter selects deliveries of a tenant's audit list. The surfaces
// fill it from their queries; Audit and Counts check it, so both refuse
// the same filter with the same message.
type AuditFilter struct {
	TenantID  string
	State     domain.DeliveryState // "" for any
	WebhookID string
	EventType string
	EventID   string
	// Since and Until bound the creation time, [Since, Until); zero for
	// no bound.
	Since, Until time.Time
	// Page is the cursor and size; a zero Limit is store.DefaultListLimit.
	Page store.Page
}

// storeFilter checks f and returns it as the store reads it.
func (f AuditFilter) storeFilter() (store.DeliveryFilter, error) {
	out := store.DeliveryFilter{
		TenantID: f.TenantID, State: f.State, WebhookID: f.WebhookID, EventType: f.EventType, EventID: f.EventID,
		Since: f.Since, Until: f.Until, Page: f.Page,
	}
	if f.State != "" && !f.State.Valid() {
		return out, domain.FieldErrorf("state", "%q is not a delivery state: use scheduled, succeeded, failed or canceled", f.State)
	}
	if err := checkRange(f.Since, f.Until); err != nil {
		return out, err
	}
	if out.Limit == 0 {
		out.Limit = store.DefaultListLimit
	}
	return out, checkPage(out.Page, id.Delivery)
}

// CountCap is how far CappedCounts counts the deliveries of one state.
// Counting them all reads an index entry per delivery: seconds over the
// millions a busy tenant holds, on every load of the console's audit
// page. Up to CountCap+1 a state, it is a few milliseconds however many
// there are.
const CountCap = 10000

// Counting says whether Audit counts the deliveries per state, and how
// far.
type Counting int

const (
	// NoCounts leaves Audit.Counts nil.
	NoCounts Counting = iota
	// ExactCounts counts every delivery.
	ExactCounts
	// CappedCounts counts each state up to CountCap+1: a count above
	// CountCap means "more than CountCap".
	CappedCounts
)

// Audit is one page of the audit list.
type Audit struct {
	// Deliveries are newest first.
	Deliveries []domain.Delivery
	// Next is the cursor of the next page; "" on the last.
	Next string
	// Counts holds, when asked for, the number of deliveries in each
	// state under the filter (the page aside), every state present.
	// With CappedCounts, a count above CountCap stands for more.
	Counts map[domain.DeliveryState]int
}

// Audit lists the tenant's deliveries under f, newest first, with the
// counts per state as counting says. ENOTFOUND for an unknown tenant.
func (s *Deliveries) Audit(ctx context.Context, f AuditFilter, counting Counting) (*Audit, error) {
	sf, err := f.storeFilter()
	if err != nil {
		return nil, err
	}
	if _, err := s.d.Store.GetTenant(ctx, f.TenantID); err != nil {
		return nil, err
	}
	out := &Audit{}
	if out.Deliveries, out.Next, err = s.d.Store.ListDeliveries(ctx, sf); err != nil {
		return nil, err
	}
	if counting != NoCounts {
		upTo := 0
		if counting == CappedCounts {
			upTo = CountCap + 1
		}
		if out.Counts, err = s.counts(ctx, sf, upTo); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Counts returns the number of the tenant's deliveries in each state under
// f (its page aside), every state present.
func (s *Deliveries) Counts(ctx context.Context, f AuditFilter) (map[domain.DeliveryState]int, error) {
	sf, err := f.storeFilter()
	if err != nil {
		return nil, err
	}
	return s.counts(ctx, sf, 0)
}

func (s *Deliveries) counts(ctx context.Context, f store.DeliveryFilter, upTo int) (map[domain.DeliveryState]int, error) {
	counts, err := s.d.Store.CountDeliveries(ctx, f, upTo)
	if err != nil {
		return nil, err
	}
	// Every state is present, so that no reader need guess zeros.
	out := make(map[domain.DeliveryState]int, len(domain.DeliveryStates))
	for _, st := range domain.DeliveryStates {
		out[st] = counts[st]
	}
	return out, nil
}
