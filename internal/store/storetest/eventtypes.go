package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

var eventTypeTests = []test{
	{"PutListDelete", func(t *testing.T, f *fixture) {
		a, b := f.tenant(0), f.tenant(0)
		et := &domain.CustomEventType{
			TenantID: a.ID, Type: "badge.earned", Title: "Badge earned", Description: "A learner earned a badge",
			Schema:      []byte(`{"type":"object","required":["badge"]}`),
			Example:     []byte(`{"badge":{"id":"b_1"}}`),
			OrderingKey: "/badge/id",
			CreatedAt:   base, UpdatedAt: base,
		}
		if err := f.s.PutEventType(f.ctx, et); err != nil {
			t.Fatalf("PutEventType: %v", err)
		}
		second := *et
		second.Type, second.Schema, second.Example = "badge.revoked", nil, nil
		if err := f.s.PutEventType(f.ctx, &second); err != nil {
			t.Fatalf("PutEventType: %v", err)
		}
		got, err := f.s.ListEventTypes(f.ctx, a.ID)
		if err != nil {
			t.Fatalf("ListEventTypes: %v", err)
		}
		if len(got) != 2 || got[0].Type != "badge.earned" || got[1].Type != "badge.revoked" {
			t.Fatalf("ListEventTypes = %+v, want badge.earned and badge.revoked", got)
		}
		same(t, "event type", got[0], *et, func(e domain.CustomEventType) domain.CustomEventType {
			e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
			return e
		})
		if len(got[1].Schema) != 0 || len(got[1].Example) != 0 {
			t.Fatalf("empty schema/example came back as %q/%q", got[1].Schema, got[1].Example)
		}

		// Replacing keeps the creation time.
		upd := *et
		upd.Title, upd.CreatedAt, upd.UpdatedAt = "Badge awarded", base.Add(time.Hour), base.Add(time.Hour)
		upd.OrderingKey = "/user/id"
		if err := f.s.PutEventType(f.ctx, &upd); err != nil {
			t.Fatalf("PutEventType (replace): %v", err)
		}
		got, _ = f.s.ListEventTypes(f.ctx, a.ID)
		if got[0].Title != "Badge awarded" || got[0].OrderingKey != "/user/id" || !got[0].CreatedAt.Equal(base) || !got[0].UpdatedAt.Equal(base.Add(time.Hour)) {
			t.Fatalf("replaced = %+v", got[0])
		}

		// Another tenant sees none of them.
		if other, err := f.s.ListEventTypes(f.ctx, b.ID); err != nil || len(other) != 0 {
			t.Fatalf("other tenant's list = %v, %v", other, err)
		}
		if err := f.s.DeleteEventType(f.ctx, b.ID, "badge.earned"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("delete from another tenant = %v, want ENOTFOUND", err)
		}
		if err := f.s.DeleteEventType(f.ctx, a.ID, "badge.earned"); err != nil {
			t.Fatalf("DeleteEventType: %v", err)
		}
		if got, _ = f.s.ListEventTypes(f.ctx, a.ID); len(got) != 1 {
			t.Fatalf("after delete: %+v", got)
		}
		missing := *et
		missing.TenantID = "no_such_tenant"
		if err := f.s.PutEventType(f.ctx, &missing); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("PutEventType for a missing tenant = %v, want ENOTFOUND", err)
		}
	}},
}
