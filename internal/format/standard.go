package format

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// timestampLayout is RFC 3339 in UTC with exactly three fractional digits,
// as the Standard Webhooks examples show ("2022-11-03T20:26:10.344Z").
const timestampLayout = "2006-01-02T15:04:05.000Z"

// Standard renders the Standard Webhooks envelope:
//
//	{"id":"evt_…","type":"course_enrollment.completed","timestamp":"2024-05-01T12:00:00.000Z","data":{…}}
//
// id is the event's id (the same for every webhook the event goes to; the
// delivery id travels in the webhook-id header), timestamp is when the
// event occurred in the LMS, and data is the event's JSON exactly as
// stored. Its one option, content_type, replaces application/json.
type Standard struct{}

// standardOptions are the standard format_options.
type standardOptions struct {
	contentTypeOption
}

func (Standard) options(w *domain.Webhook) (standardOptions, error) {
	var o standardOptions
	if w == nil {
		return o, nil
	}
	return o, decodeOptions(domain.DefaultFormat, w.FormatOptions, &o)
}

// Name returns "standard".
func (Standard) Name() string { return domain.DefaultFormat }

// ValidateWebhook checks the options.
func (s Standard) ValidateWebhook(w *domain.Webhook) ([]string, error) {
	_, err := s.options(w)
	return nil, err
}

// Render builds the compact JSON envelope.
func (s Standard) Render(ev *domain.Event, _ *domain.Delivery, w *domain.Webhook, _ time.Time) (Request, error) {
	o, err := s.options(w)
	if err != nil {
		return Request{}, err
	}
	if len(ev.Data) == 0 {
		return Request{}, fmt.Errorf("standard format: event %s has no data", ev.ID)
	}
	// The envelope is assembled by hand rather than with json.Marshal of a
	// struct: Marshal would re-encode data (escaping <, >, & and
	// re-compacting), and the data must reach the receiver as stored: as
	// the LMS published it, less the whitespace ingest compacted away.
	b := make([]byte, 0, len(ev.Data)+len(ev.ID)+len(ev.Type)+80)
	b = append(b, `{"id":`...)
	b = appendString(b, ev.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, ev.Type)
	b = append(b, `,"timestamp":"`...)
	b = ev.OccurredAt.UTC().AppendFormat(b, timestampLayout)
	b = append(b, `","data":`...)
	b = append(b, ev.Data...)
	b = append(b, '}')
	return Request{ContentType: o.contentType("application/json"), Body: b}, nil
}

// appendString appends s as a JSON string. Event ids and types are plain
// ASCII by validation, but encoding keeps the envelope valid regardless.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // never fails for a string
	return append(b, q...)
}

// ReplaysBody reports that the body reads only what the stores keep
// (see Replayable).
func (Standard) ReplaysBody() bool { return true }
