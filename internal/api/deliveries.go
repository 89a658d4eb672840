package api

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/service"
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
	// Ordered says the delivery keeps its key's order; OrderingKey is
	// then its key (absent when not ordered).
	Ordered     bool    `json:"ordered"`
	OrderingKey *string `json:"ordering_key,omitempty"`
	HoldsKey    bool    `json:"holds_key"`
	SkippedAt   *string `json:"skipped_at,omitempty"`
	// BlockedBy is set by GET …/deliveries/{id} on a waiting delivery.
	BlockedBy string `json:"blocked_by,omitempty"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
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
		Ordered:    d.Ordered,
		HoldsKey:   d.HoldsKey,
		SkippedAt:  tsOrNil(d.SkippedAt),
		BlockedBy:  d.BlockedBy,
		CreatedAt:  ts(d.CreatedAt),
		UpdatedAt:  ts(d.UpdatedAt),
	}
	if d.State == domain.Scheduled {
		out.NextAttemptAt = tsOrNil(d.NextAttemptAt)
	}
	if d.Ordered {
		out.OrderingKey = &d.OrderingKey
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
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	withCounts, err := boolParam(r, "include_counts")
	if err != nil {
		return err
	}
	counting := service.NoCounts
	if withCounts {
		counting = service.ExactCounts
	}
	audit, err := a.svc.Deliveries.Audit(r.Context(), f, counting)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deliveryListJSON{
		list:   newList(mapList(audit.Deliveries, toDeliveryJSON), audit.Next),
		Counts: audit.Counts,
	})
}

// auditFilter reads the audit list's query parameters; the service checks
// what they say.
func auditFilter(r *http.Request) (service.AuditFilter, error) {
	q := r.URL.Query()
	f := service.AuditFilter{
		TenantID:  r.PathValue("tenant"),
		State:     domain.DeliveryState(q.Get("state")),
		WebhookID: q.Get("webhook_id"),
		EventType: q.Get("event_type"),
		EventID:   q.Get("event_id"),
	}
	var err error
	if f.Since, err = timeParam(r, "since"); err != nil {
		return f, err
	}
	if f.Until, err = timeParam(r, "until"); err != nil {
		return f, err
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
	d, err := a.svc.Deliveries.Get(r.Context(), r.PathValue("tenant"), r.PathValue("id"), service.Include{})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deliveryDetailJSON{
		Delivery: toDeliveryJSON(d.Delivery),
		Attempts: mapList(d.Attempts, toAttemptJSON),
	})
}

// resendDelivery makes a delivery due now with a fresh retry schedule,
// whatever its state.
func (a *API) resendDelivery(w http.ResponseWriter, r *http.Request) error {
	d, err := a.svc.Deliveries.Resend(r.Context(), r.PathValue("tenant"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, toDeliveryJSON(d))
}

// skipDelivery lets the deliveries of a key go past one that holds it
// (an admin's answer to a blocked key); 409 when it does not hold its key
// or is in flight.
func (a *API) skipDelivery(w http.ResponseWriter, r *http.Request) error {
	d, err := a.svc.Deliveries.Skip(r.Context(), r.PathValue("tenant"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDeliveryJSON(d))
}

// blockedKeyJSON is a blocked key: the failed delivery at its head, and
// how many wait behind it.
type blockedKeyJSON struct {
	WebhookID string       `json:"webhook_id"`
	Key       string       `json:"key"`
	Head      deliveryJSON `json:"head"`
	Waiting   int          `json:"waiting"`
}

func toBlockedKeyJSON(k *domain.BlockedKey) blockedKeyJSON {
	return blockedKeyJSON{WebhookID: k.WebhookID, Key: k.Key, Head: toDeliveryJSON(&k.Head), Waiting: k.Waiting}
}

// listBlockedKeys answers the tenant's blocked keys, oldest head first,
// of one webhook with ?webhook_id=.
func (a *API) listBlockedKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := a.svc.Deliveries.BlockedKeys(r.Context(), r.PathValue("tenant"), r.URL.Query().Get("webhook_id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(mapList(keys, toBlockedKeyJSON), ""))
}

// recoverWebhook re-schedules the webhook's failed and canceled deliveries
// created in [since, until).
func (a *API) recoverWebhook(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Since *string `json:"since"`
		Until *string `json:"until"`
	}
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	rg := service.RecoverRange{TenantID: r.PathValue("tenant"), WebhookID: r.PathValue("id")}
	var err error
	if in.Since != nil && *in.Since != "" {
		if rg.Since, err = service.ParseTime("since", *in.Since); err != nil {
			return err
		}
	}
	if in.Until != nil && *in.Until != "" {
		if rg.Until, err = service.ParseTime("until", *in.Until); err != nil {
			return err
		}
	}
	n, err := a.svc.Deliveries.Recover(r.Context(), rg)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]int{"recovered": n})
}
