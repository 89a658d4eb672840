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

// CountCap is how far CappedCounts counts. Counting every delivery reads
// an index entry for each: seconds over the millions a busy tenant holds,
// on every load of the console's audit page. Up to CountCap+1 it is
// milliseconds however many there are.
const CountCap = 10000

// Counting says whether Audit counts the deliveries per state, and how
// far.
type Counting int

const (
	// NoCounts leaves Audit.Counts nil.
	NoCounts Counting = iota
	// ExactCounts counts every delivery.
	ExactCounts
	// CappedCounts counts up to CountCap+1 deliveries: a count that may
	// be short of the truth is marked in Audit.AtLeast. Without a filter
	// each state is counted up to CountCap on its own index; with one,
	// the filter's newest CountCap+1 deliveries are counted per state
	// (the stores have no index of state and filter together), so when
	// the filter holds more, every count is a lower bound.
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
	Counts map[domain.DeliveryState]int
	// AtLeast marks the counts that are lower bounds (CappedCounts only):
	// there may be more deliveries in that state.
	AtLeast map[domain.DeliveryState]bool
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
	sf.State = "" // counted for every state
	switch counting {
	case ExactCounts:
		out.Counts, err = s.counts(ctx, sf, 0)
	case CappedCounts:
		out.Counts, out.AtLeast, err = s.cappedCounts(ctx, sf)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cappedCounts counts f's deliveries per state up to CountCap, and says
// which counts are lower bounds.
func (s *Deliveries) cappedCounts(ctx context.Context, f store.DeliveryFilter) (map[domain.DeliveryState]int, map[domain.DeliveryState]bool, error) {
	atLeast := make(map[domain.DeliveryState]bool, len(domain.DeliveryStates))
	if f.WebhookID != "" || f.EventType != "" || f.EventID != "" || !f.Since.IsZero() || !f.Until.IsZero() {
		counts, err := s.counts(ctx, f, CountCap+1)
		if err != nil {
			return nil, nil, err
		}
		total, largest := 0, domain.DeliveryStates[0]
		for _, st := range domain.DeliveryStates {
			total += counts[st]
			if counts[st] > counts[largest] {
				largest = st
			}
		}
		if total > CountCap {
			// The one past CountCap only said there are more: the counts
			// add up to CountCap, each a lower bound.
			counts[largest]--
			for _, st := range domain.DeliveryStates {
				atLeast[st] = true
			}
		}
		return counts, atLeast, nil
	}
	// The whole tenant: each state on the (tenant, state, id) index.
	counts := make(map[domain.DeliveryState]int, len(domain.DeliveryStates))
	for _, st := range domain.DeliveryStates {
		f.State = st
		c, err := s.counts(ctx, f, CountCap+1)
		if err != nil {
			return nil, nil, err
		}
		counts[st] = min(c[st], CountCap)
		atLeast[st] = c[st] > CountCap
	}
	return counts, atLeast, nil
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
