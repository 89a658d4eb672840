package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// bodyRefTests cover attempts that keep a reference to their render
// config instead of their body (domain.BodyRef).
var bodyRefTests = []test{
	{"BodyRefStoredInsteadOfBody", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 3)
		opts := domain.RenderConfig{WebhookID: w.ID, TenantID: tn.ID, Format: "cypher", FormatOptions: json.RawMessage(`{"parameters":{"a":"@event_id"}}`)}
		plain := domain.RenderConfig{WebhookID: w.ID, TenantID: tn.ID, Format: "standard"}

		// Two calls share a config (stored once); one attempt keeps its
		// body; one refers to a config without options.
		a1 := f.attempt(&ds[0], base.Add(time.Second), 200, true)
		a1.RequestBodyRef = &domain.BodyRef{Config: opts, Digest: domain.BodyDigest(a1.RequestBody)}
		a2 := f.attempt(&ds[1], base.Add(2*time.Second), 200, true)
		a2.RequestBodyRef = &domain.BodyRef{Config: opts, Digest: domain.BodyDigest(a2.RequestBody)}
		a3 := f.attempt(&ds[1], base.Add(3*time.Second), 200, true)
		a3.Number = 2
		a3.RequestBodyRef = &domain.BodyRef{Config: plain, Digest: domain.BodyDigest(a3.RequestBody)}
		a4 := f.attempt(&ds[2], base.Add(4*time.Second), 200, true)
		f.record(store.AttemptRecord{Attempt: a1, State: domain.Succeeded})
		f.record(store.AttemptRecord{Attempt: a2, State: domain.Scheduled, NextAttemptAt: base.Add(time.Hour)},
			store.AttemptRecord{Attempt: a3, State: domain.Succeeded}, store.AttemptRecord{Attempt: a4, State: domain.Succeeded})

		// A reference stands for the body: the store keeps no body.
		withoutBody := func(a domain.Attempt) domain.Attempt {
			a.RequestBody = nil
			return a
		}
		for _, c := range []struct {
			d    domain.Delivery
			want []domain.Attempt
		}{
			{ds[0], []domain.Attempt{withoutBody(a1)}},
			{ds[1], []domain.Attempt{withoutBody(a2), withoutBody(a3)}},
			{ds[2], []domain.Attempt{a4}},
		} {
			got, err := f.s.ListAttempts(f.ctx, tn.ID, c.d.ID)
			if err != nil {
				t.Fatalf("ListAttempts: %v", err)
			}
			same(t, "attempts of "+c.d.ID, got, c.want, func(as []domain.Attempt) []domain.Attempt {
				out := make([]domain.Attempt, len(as))
				for i, a := range as {
					out[i] = normAttempt(a)
					if r := out[i].RequestBodyRef; r != nil && len(r.Config.FormatOptions) == 0 {
						r.Config.FormatOptions = nil
					}
				}
				return out
			})
		}

		// A tenant whose attempts refer to configs can be deleted (its
		// configs go with it).
		if err := f.s.DeleteTenant(f.ctx, tn.ID); err != nil {
			t.Fatalf("DeleteTenant: %v", err)
		}
	}},
}
