package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/service"
)

// testEventPrefix starts the ids of test events, so receivers and people
// can tell them from real ones.
const testEventPrefix = "evt_test_"

// testInput says what a test send carries; both fields are optional.
type testInput struct {
	EventType *string         `json:"event_type"`
	Data      json.RawMessage `json:"data"`
}

// testResultJSON is what a test send answers: the receiver's answer and
// exactly what was sent.
type testResultJSON struct {
	Success    bool              `json:"success"`
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	DurationMS float64           `json:"duration_ms"`
	Error      string            `json:"error"`
	Request    requestJSON       `json:"request"`
	Event      testEventJSON     `json:"event"`
}

type testEventJSON struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// testWebhook sends an example event to a saved webhook now, outside the
// audit log.
func (a *API) testWebhook(w http.ResponseWriter, r *http.Request) error {
	var in testInput
	if err := readOptionalJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	wh, err := a.webhookOf(r)
	if err != nil {
		return err
	}
	return a.sendTest(w, r, wh, &in)
}

// testUnsavedWebhook sends an example event to a webhook described in the
// body and validated like a create, but never stored (test before saving).
func (a *API) testUnsavedWebhook(w http.ResponseWriter, r *http.Request) error {
	var fields map[string]json.RawMessage
	if err := readJSON(r, a.maxBody, &fields); err != nil {
		return err
	}
	// The body is a webhook plus the test's own fields: split them, then
	// decode each strictly so that unknown fields are still refused.
	var test testInput
	if raw, ok := fields["event_type"]; ok {
		if err := decodeStrict(raw, &test.EventType, "event_type"); err != nil {
			return err
		}
		delete(fields, "event_type")
	}
	if raw, ok := fields["data"]; ok {
		test.Data = raw
		delete(fields, "data")
	}
	rest, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	var in webhookInput
	if err := decodeStrict(rest, &in, ""); err != nil {
		return err
	}
	wh, err := a.newWebhook(r.Context(), &in, r.PathValue("tenant"), a.clock.Now().UTC())
	if err != nil {
		return err
	}
	if err := a.requireTenant(r, wh.TenantID); err != nil {
		return err
	}
	return a.sendTest(w, r, wh, &test)
}

func (a *API) sendTest(w http.ResponseWriter, r *http.Request, wh *domain.Webhook, in *testInput) error {
	ev, err := a.testEvent(r.Context(), wh, in)
	if err != nil {
		return err
	}
	at := a.dispatcher.Test(r.Context(), wh, ev)
	out := testResultJSON{
		Success:    at.Success,
		Status:     at.StatusCode,
		Headers:    flatHeaders(at.ResponseHeaders, false),
		Body:       string(at.ResponseBody),
		DurationMS: millis(at.Duration),
		Error:      at.Error,
		Request:    toRequestJSON(&at),
		Event:      testEventJSON{ID: ev.ID, Type: ev.Type, Data: ev.Data},
	}
	return writeJSON(w, http.StatusOK, out)
}

// testEvent builds the event of a test send: the asked type and data, or
// an example that fits the webhook's subscriptions.
func (a *API) testEvent(ctx context.Context, wh *domain.Webhook, in *testInput) (*domain.Event, error) {
	typ := ""
	if in.EventType != nil {
		typ = strings.TrimSpace(*in.EventType)
		if !domain.ValidEventType(typ) {
			return nil, domain.FieldErrorf("event_type", "%q must have the form <entity>.<action> (for example \"user.created\")", typ)
		}
	}
	data := service.NullAsAbsent(in.Data)
	if typ == "" || len(data) == 0 {
		t, ex, err := a.example(ctx, wh.TenantID, wh.EventTypes, typ)
		if err != nil {
			return nil, err
		}
		typ = t
		if len(data) == 0 {
			data = ex
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil || buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return nil, domain.FieldErrorf("data", "must be a JSON object")
	}
	now := a.clock.Now().UTC().Truncate(time.Millisecond)
	return &domain.Event{
		ID:         id.NewAt(testEventPrefix, now),
		TenantID:   wh.TenantID,
		Type:       typ,
		OccurredAt: now,
		ReceivedAt: now,
		Data:       buf.Bytes(),
	}, nil
}
