package service

import (
	"bytes"
	"encoding/json"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/format"
)

// normalizeFormatOptions is how format options are stored: a compact JSON
// object, or nothing for null and {}.
func normalizeFormatOptions(raw json.RawMessage) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, bytes.TrimSpace(raw)); err != nil {
		return nil, domain.FieldErrorf("format_options", "must be a JSON object")
	}
	switch {
	case b.String() == "null" || b.String() == "{}":
		return nil, nil
	case b.Bytes()[0] != '{':
		return nil, domain.FieldErrorf("format_options", "must be a JSON object")
	}
	return b.Bytes(), nil
}

// applyFormatDefaults gives w its format's timeout, retry policy and
// success rule for every one of them in did not set. On create (oldFormat
// "") every unset field takes the format's default; when a change
// switches the format, an unset field takes the new format's default only
// if it still had the old format's, so that values an admin chose stay.
func (s *Webhooks) applyFormatDefaults(w *domain.Webhook, in *WebhookInput, oldFormat string) {
	creating := oldFormat == ""
	if !creating && (in.Format == nil || w.Format == oldFormat) {
		return
	}
	nd := s.cfg.Formats.Defaults(w.Format)
	od := s.cfg.Formats.Defaults(oldFormat)
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

// FormatChoice is one wire format with the settings a webhook of that
// format starts from.
type FormatChoice struct {
	Name     string
	Defaults format.Defaults
}

// Formats lists the formats a webhook may use, sorted by name, with their
// defaults.
func (s *Webhooks) Formats() []FormatChoice {
	names := s.cfg.Formats.Names()
	out := make([]FormatChoice, len(names))
	for i, n := range names {
		out[i] = FormatChoice{Name: n, Defaults: s.cfg.Formats.Defaults(n)}
	}
	return out
}
