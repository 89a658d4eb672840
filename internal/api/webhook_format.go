package api

import (
	"bytes"
	"encoding/json"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// formatOptionsOut renders stored format options; none is {}.
func formatOptionsOut(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(`{}`)
	}
	return raw
}

// formatOptionsIn stores sent format options compacted; null and {}
// remove them.
func formatOptionsIn(raw json.RawMessage) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if string(t) == "null" || string(t) == "{}" {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, t); err != nil {
		return raw // not JSON: Webhook.Validate says so
	}
	return b.Bytes()
}

// applyFormatDefaults gives w its format's timeout, retry policy and
// success rule for every one of them the request did not set. On create
// (oldFormat "") every unset field takes the format's default; when a
// change switches the format, an unset field takes the new format's
// default only if it still had the old format's, so that values an admin
// chose stay.
func (a *API) applyFormatDefaults(w *domain.Webhook, in *webhookInput, oldFormat string) {
	creating := oldFormat == ""
	if !creating && (in.Format == nil || *in.Format == oldFormat) {
		return
	}
	nd := a.formats.Defaults(w.Format)
	od := a.formats.Defaults(oldFormat)
	if in.TimeoutSeconds == nil && (creating || w.Timeout == od.Timeout) {
		w.Timeout = nd.Timeout
	}
	if in.RetryPolicy == nil && in.RetrySchedule == nil && (creating || w.RetryPolicy == od.RetryPolicy) {
		w.RetryPolicy = nd.RetryPolicy
		w.RetryWaits = nil
	}
	if in.SuccessStatus == nil && (creating || w.SuccessRule == od.SuccessRule) {
		w.SuccessRule = nd.SuccessRule
	}
}
