package api

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// deliveryJSON is a delivery on the wire.
type deliveryJSON struct {
	ID            string  `json:"id"`
	EventID       string  `json:"event_id"`
	WebhookID     string  `json:"webhook_id"`
	EventType     string  `json:"event_type"`
	State         string  `json:"state"`
	Attempts      int     `json:"attempts"`
	NextAttemptAt *string `json:"next_attempt_at"`
	LastStatus    int     `json:"last_status"`
	LastError     string  `json:"last_error"`
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
}

func toDeliveryJSON(d *domain.Delivery) deliveryJSON {
	out := deliveryJSON{
		ID:         d.ID,
		EventID:    d.EventID,
		WebhookID:  d.WebhookID,
		EventType:  d.EventType,
		State:      string(d.State),
		Attempts:   d.Attempts,
		LastStatus: d.LastStatus,
		LastError:  d.LastError,
		CreatedAt:  ts(d.CreatedAt),
		UpdatedAt:  ts(d.UpdatedAt),
	}
	if d.State == domain.Scheduled {
		out.NextAttemptAt = tsOrNil(d.NextAttemptAt)
	}
	return out
}

// deliveryListJSON is the audit list, with per-state counts on request.
type deliveryListJSON struct {
	list[deliveryJSON]
	Counts map[domain.DeliveryState]int `json:"counts,omitempty"`
}

// listDeliveries is the audit list: newest first, filtered.
func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	f, err := deliveryFilter(r)
	if err != nil {
		return err
	}
	withCounts, err := boolParam(r, "include_counts")
	if err != nil {
		return err
	}
	if err := a.requireTenant(r, f.TenantID); err != nil {
		return err
	}
	ds, next, err := a.store.ListDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	out := deliveryListJSON{list: newList(mapList(ds, toDeliveryJSON), next)}
	if withCounts {
		counts, err := a.store.CountDeliveries(r.Context(), f)
		if err != nil {
			return err
		}
		// Every state is present, so the console need not guess zeros.
		out.Counts = make(map[domain.DeliveryState]int, len(domain.DeliveryStates))
		for _, s := range domain.DeliveryStates {
			out.Counts[s] = counts[s]
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// deliveryFilter reads the audit list's query parameters.
func deliveryFilter(r *http.Request) (store.DeliveryFilter, error) {
	q := r.URL.Query()
	f := store.DeliveryFilter{
		TenantID:  r.PathValue("tenant"),
		State:     domain.DeliveryState(q.Get("state")),
		WebhookID: q.Get("webhook_id"),
		EventType: q.Get("event_type"),
		EventID:   q.Get("event_id"),
	}
	if f.State != "" && !f.State.Valid() {
		return f, domain.FieldErrorf("state", "%q is not a delivery state: use scheduled, succeeded, failed or canceled", f.State)
	}
	var err error
	if f.Since, err = timeParam(r, "since"); err != nil {
		return f, err
	}
	if f.Until, err = timeParam(r, "until"); err != nil {
		return f, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, domain.FieldErrorf("until", "must be after since")
	}
	if f.Page, err = pageParams(r, id.Delivery); err != nil {
		return f, err
	}
	return f, nil
}

// deliveryDetailJSON is one delivery with all its attempts, oldest first.
// The delivery is nested because its "attempts" is the attempt count.
type deliveryDetailJSON struct {
	Delivery deliveryJSON  `json:"delivery"`
	Attempts []attemptJSON `json:"attempts"`
}

func (a *API) getDelivery(w http.ResponseWriter, r *http.Request) error {
	tid := r.PathValue("tenant")
	d, err := a.store.GetDelivery(r.Context(), tid, r.PathValue("id"))
	if err != nil {
		return err
	}
	ats, err := a.store.ListAttempts(r.Context(), tid, d.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deliveryDetailJSON{
		Delivery: toDeliveryJSON(d),
		Attempts: mapList(ats, toAttemptJSON),
	})
}

// resendDelivery makes a delivery due now with a fresh retry schedule,
// whatever its state, and wakes the dispatcher.
func (a *API) resendDelivery(w http.ResponseWriter, r *http.Request) error {
	d, err := a.store.Resend(r.Context(), r.PathValue("tenant"), r.PathValue("id"), a.clock.Now().UTC())
	if err != nil {
		return err
	}
	a.dispatcher.Wake()
	return writeJSON(w, http.StatusAccepted, toDeliveryJSON(d))
}
