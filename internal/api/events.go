package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/service"
)

// eventInput is one event as published.
type eventInput struct {
	Type           string          `json:"type"`
	Data           json.RawMessage `json:"data"`
	IdempotencyKey string          `json:"idempotency_key"`
	OccurredAt     string          `json:"occurred_at"`
	// OrderingKey orders the event's deliveries to webhooks ordered by
	// key; without it, the type's default applies.
	OrderingKey string `json:"ordering_key"`
}

// toIngest converts the input; prefix names its place in a batch.
func (in *eventInput) toIngest(prefix string) (ingest.Input, error) {
	x := ingest.Input{Type: strings.TrimSpace(in.Type), Data: in.Data, IdempotencyKey: in.IdempotencyKey, OrderingKey: in.OrderingKey}
	if in.OccurredAt != "" {
		t, err := service.ParseTime(prefix+"occurred_at", in.OccurredAt)
		if err != nil {
			return x, err
		}
		x.OccurredAt = t
	}
	return x, nil
}

// publishedJSON answers a single publish.
type publishedJSON struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	OccurredAt string `json:"occurred_at"`
	ReceivedAt string `json:"received_at"`
	Deliveries int    `json:"deliveries"`
	Replayed   bool   `json:"replayed"`
}

// publishEvent stores one event and its deliveries; 202 once durable. A
// replayed idempotency key answers 200 with the original event.
func (a *API) publishEvent(w http.ResponseWriter, r *http.Request) error {
	var in eventInput
	if err := readEvent(r, a.maxBody, &in); err != nil {
		return err
	}
	key, err := domain.IdempotencyKeyOf(in.IdempotencyKey, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	in.IdempotencyKey = key
	x, err := in.toIngest("")
	if err != nil {
		return err
	}
	res, err := a.publisher.Publish(r.Context(), r.PathValue("tenant"), []ingest.Input{x}, false)
	if err != nil {
		return err
	}
	if len(res) != 1 {
		return errUnexpectedResults(len(res), 1)
	}
	p := res[0]
	out := publishedJSON{
		ID:         p.Event.ID,
		Type:       p.Event.Type,
		OccurredAt: ts(p.Event.OccurredAt),
		ReceivedAt: ts(p.Event.ReceivedAt),
		Deliveries: len(p.Deliveries),
		Replayed:   p.Replayed,
	}
	status := http.StatusAccepted
	if p.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	return writeJSON(w, status, out)
}

// batchItemJSON is one event of a batch answer, in request order.
type batchItemJSON struct {
	ID         string `json:"id"`
	Replayed   bool   `json:"replayed"`
	Deliveries int    `json:"deliveries"`
}

// publishBatch stores up to ingest.MaxBatch events in one transaction: all
// or none.
func (a *API) publishBatch(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Events *[]json.RawMessage `json:"events"`
	}
	if err := readJSON(r, a.maxBatch, &body); err != nil {
		return err
	}
	if body.Events == nil {
		return domain.FieldErrorf("events", "is required: an array of events")
	}
	raw := *body.Events
	if len(raw) > ingest.MaxBatch {
		return domain.FieldErrorf("events", "holds %d events; the most a batch may hold is %d", len(raw), ingest.MaxBatch)
	}
	in := make([]ingest.Input, len(raw))
	for i, b := range raw {
		// One event of a batch may be as large as one published alone,
		// not larger: the batch limit is for many events, not a big one.
		if int64(len(b)) > a.maxBody {
			return domain.CodedFieldErrorf(domain.ETOOLARGE, fieldAt("events", i),
				"is %d bytes; one event may be at most %d bytes, as when published alone", len(b), a.maxBody)
		}
		prefix := fieldAt("events", i) + "."
		var e eventInput
		if err := decodeStrict(b, &e, prefix); err != nil {
			return err
		}
		x, err := e.toIngest(prefix)
		if err != nil {
			return err
		}
		in[i] = x
	}
	res, err := a.publisher.Publish(r.Context(), r.PathValue("tenant"), in, true)
	if err != nil {
		return err
	}
	if len(res) != len(in) {
		return errUnexpectedResults(len(res), len(in))
	}
	out := make([]batchItemJSON, len(res))
	for i, p := range res {
		out[i] = batchItemJSON{ID: p.Event.ID, Replayed: p.Replayed, Deliveries: len(p.Deliveries)}
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"data": out})
}

// eventJSON is a stored event with its deliveries.
type eventJSON struct {
	ID             string `json:"id"`
	TenantID       string `json:"tenant_id"`
	Type           string `json:"type"`
	OccurredAt     string `json:"occurred_at"`
	ReceivedAt     string `json:"received_at"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// OrderingKey is the key that orders the event's deliveries: given at
	// publish or the type's default; "" when neither.
	OrderingKey string          `json:"ordering_key"`
	Data        json.RawMessage `json:"data"`
	Deliveries  []deliveryJSON  `json:"deliveries"`
}

// getEvent answers an event and (up to store.MaxListLimit of) its
// deliveries; an event has one delivery per subscribed webhook.
func (a *API) getEvent(w http.ResponseWriter, r *http.Request) error {
	got, err := a.svc.Deliveries.Event(r.Context(), r.PathValue("tenant"), r.PathValue("id"))
	if err != nil {
		return err
	}
	ev := got.Event
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	return writeJSON(w, http.StatusOK, eventJSON{
		ID:             ev.ID,
		TenantID:       ev.TenantID,
		Type:           ev.Type,
		OccurredAt:     ts(ev.OccurredAt),
		ReceivedAt:     ts(ev.ReceivedAt),
		IdempotencyKey: ev.IdempotencyKey,
		OrderingKey:    ev.OrderingKey,
		Data:           data,
		Deliveries:     mapList(got.Deliveries, toDeliveryJSON),
	})
}

// errUnexpectedResults reports a publisher that broke its contract.
func errUnexpectedResults(got, want int) error {
	return fmt.Errorf("publisher returned %d results for %d events", got, want)
}
