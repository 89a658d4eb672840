package format

import (
	"bytes"
	"fmt"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Replay renders an attempt's body again from what the stores keep: the
// event, the delivery's identity, the render config and the attempt's
// start time, all as read back (times in UTC to the microsecond). The
// dispatcher checks with it, before keeping a reference instead of a body,
// that it gives the exact bytes sent; the audit shows what it gives.
func (r *Registry) Replay(c domain.RenderConfig, ev *domain.Event, d *domain.Delivery, startedAt time.Time) ([]byte, error) {
	x, ok := r.Lookup(c.Format)
	if !ok {
		return nil, fmt.Errorf("unknown format %q", c.Format)
	}
	e := *ev
	e.OccurredAt, e.ReceivedAt = domain.StoredTime(e.OccurredAt), domain.StoredTime(e.ReceivedAt)
	// Only what never changes of a delivery: its attempts count and state
	// move on, and a body must not depend on them.
	dl := domain.Delivery{ID: d.ID, TenantID: d.TenantID, EventID: d.EventID, WebhookID: d.WebhookID, EventType: d.EventType}
	req, err := x.Render(&e, &dl, c.Webhook(), domain.StoredTime(startedAt))
	if err != nil {
		return nil, err
	}
	return req.Body, nil
}

// Replayable is implemented by renderers whose Body is a function of what
// Replay reads and nothing else: the event's stored fields, with its times
// used at most to the microsecond; the delivery's identity; the webhook's
// render config (never its secret, URL or headers); and now, at most to
// the microsecond. Such a body is the same when rendered again, so BodyRef
// keeps a reference to it without rendering it a second time to check.
// TestReplayableRenderersReplayTheirBody holds each builtin format to it.
type Replayable interface {
	Renderer
	// ReplaysBody reports whether the promise above holds.
	ReplaysBody() bool
}

// BodyRef returns the reference an attempt may keep instead of body, sent
// to w for ev and d at startedAt; nil when rendering again from what the
// stores keep would not give body back exactly (a format reading anything
// else), so the body itself must be kept. A Replayable format's body is a
// reference without more ado; any other's is rendered again and compared.
func (r *Registry) BodyRef(w *domain.Webhook, ev *domain.Event, d *domain.Delivery, startedAt time.Time, body []byte) *domain.BodyRef {
	c := domain.RenderConfigOf(w)
	if x, ok := r.byName[c.Format].(Replayable); ok && x.ReplaysBody() {
		return &domain.BodyRef{Config: c, Digest: domain.BodyDigest(body)}
	}
	again, err := r.Replay(c, ev, d, startedAt)
	if err != nil || !bytes.Equal(again, body) {
		return nil
	}
	return &domain.BodyRef{Config: c, Digest: domain.BodyDigest(body)}
}
