package api

import (
	"encoding/json"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/service"
)

// testInput says what a test send carries; both fields are optional.
type testInput struct {
	EventType *string         `json:"event_type"`
	Data      json.RawMessage `json:"data"`
}

func (t *testInput) toService() service.TestInput {
	return service.TestInput{EventType: t.EventType, Data: t.Data}
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
	res, err := a.svc.Webhooks.Test(r.Context(), r.PathValue("tenant"), r.PathValue("id"), in.toService())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTestResultJSON(res))
}

// testUnsavedInput is a whole webhook, as for a create, plus what the
// test carries.
type testUnsavedInput struct {
	webhookInput
	testInput
}

// testUnsavedWebhook sends an example event to a webhook described in the
// body and validated like a create, but never stored (test before saving).
func (a *API) testUnsavedWebhook(w http.ResponseWriter, r *http.Request) error {
	var body testUnsavedInput
	if err := readJSON(r, a.maxBody, &body); err != nil {
		return err
	}
	in, err := body.webhookInput.toService()
	if err != nil {
		return err
	}
	res, err := a.svc.Webhooks.TestUnsaved(r.Context(), r.PathValue("tenant"), "", in, body.testInput.toService())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTestResultJSON(res))
}

func toTestResultJSON(res *service.TestResult) testResultJSON {
	at, ev := &res.Attempt, res.Event
	return testResultJSON{
		Success:    at.Success,
		Status:     at.StatusCode,
		Headers:    flatHeaders(at.ResponseHeaders),
		Body:       string(at.ResponseBody),
		DurationMS: millis(at.Duration),
		Error:      at.Error,
		Request:    toRequestJSON(at),
		Event:      testEventJSON{ID: ev.ID, Type: ev.Type, Data: ev.Data},
	}
}
