package service

import (
	"bytes"
	"context"
	"errors"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// fillBodies gives each attempt stored with a reference instead of its
// body (see domain.BodyRef) the body, rendered again from the event, the
// delivery, the stored render config and the attempt's start time: the
// bytes sent, which the dispatcher checked before keeping the reference. A
// body that no longer renders to the digest kept (a later version renders
// the format differently) is left empty and logged, rather than shown as
// something that was not sent.
func (s *Deliveries) fillBodies(ctx context.Context, d *domain.Delivery, ev *domain.Event, attempts []domain.Attempt) error {
	for i := range attempts {
		a := &attempts[i]
		ref := a.RequestBodyRef
		if ref == nil || a.RequestBody != nil {
			continue
		}
		if ev == nil {
			var err error
			if ev, err = s.d.Store.GetEvent(ctx, d.TenantID, d.EventID); err != nil {
				return err
			}
		}
		body, err := s.formats.Replay(ref.Config, ev, d, a.StartedAt)
		if err == nil && !bytes.Equal(domain.BodyDigest(body), ref.Digest) {
			err = errDrift
		}
		if err != nil {
			s.d.Logger.ErrorContext(ctx, "audit: attempt body cannot be rendered again", "attempt", a.ID, "format", ref.Config.Format, "err", err)
			continue
		}
		a.RequestBody = body
	}
	return nil
}

// errDrift says a body rendered again differs from the one sent.
var errDrift = errors.New("rendering again gives other bytes than were sent")
