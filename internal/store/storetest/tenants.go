package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

var tenantTests = []test{
	{"CreateGetUpdate", func(t *testing.T, f *fixture) {
		tn := &domain.Tenant{ID: "company-42", Name: "Acme", Environment: domain.Sandbox, MaxWebhooks: 5, CreatedAt: base, UpdatedAt: base}
		if err := f.s.CreateTenant(f.ctx, tn); err != nil {
			t.Fatalf("CreateTenant: %v", err)
		}
		got, err := f.s.GetTenant(f.ctx, "company-42")
		if err != nil {
			t.Fatalf("GetTenant: %v", err)
		}
		same(t, "created tenant", *got, *tn, normTenant)

		upd := *tn
		upd.Name, upd.Environment, upd.MaxWebhooks = "Acme Corp", domain.Production, 0
		upd.UpdatedAt = base.Add(time.Hour)
		if err := f.s.UpdateTenant(f.ctx, &upd); err != nil {
			t.Fatalf("UpdateTenant: %v", err)
		}
		got, err = f.s.GetTenant(f.ctx, "company-42")
		if err != nil {
			t.Fatalf("GetTenant: %v", err)
		}
		same(t, "updated tenant", *got, upd, normTenant)
	}},
	{"DuplicateIsConflict", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		dup := *tn
		dup.Name = "other"
		wantCode(t, f.s.CreateTenant(f.ctx, &dup), domain.ECONFLICT)
		got, err := f.s.GetTenant(f.ctx, tn.ID)
		if err != nil {
			t.Fatalf("GetTenant: %v", err)
		}
		if got.Name != tn.Name {
			t.Fatalf("name = %q after a refused duplicate, want %q", got.Name, tn.Name)
		}
	}},
	{"MissingIsNotFound", func(t *testing.T, f *fixture) {
		_, err := f.s.GetTenant(f.ctx, "nope")
		wantCode(t, err, domain.ENOTFOUND)
		wantCode(t, f.s.UpdateTenant(f.ctx, &domain.Tenant{ID: "nope", Name: "x", Environment: domain.Production}), domain.ENOTFOUND)
		wantCode(t, f.s.DeleteTenant(f.ctx, "nope"), domain.ENOTFOUND)
	}},
	{"ListNewestFirstWithCursor", func(t *testing.T, f *fixture) {
		var want []string
		for i := range 7 {
			tn := &domain.Tenant{ID: id.New(id.Tenant), Name: "t", Environment: domain.Production,
				CreatedAt: base.Add(time.Duration(i) * time.Second), UpdatedAt: base}
			if err := f.s.CreateTenant(f.ctx, tn); err != nil {
				t.Fatalf("CreateTenant: %v", err)
			}
			want = append([]string{tn.ID}, want...)
		}
		var got []string
		cursor, pages := "", 0
		for {
			list, next, err := f.s.ListTenants(f.ctx, store.Page{Cursor: cursor, Limit: 3})
			if err != nil {
				t.Fatalf("ListTenants: %v", err)
			}
			if len(list) > 3 {
				t.Fatalf("page of %d tenants, limit 3", len(list))
			}
			for _, tn := range list {
				got = append(got, tn.ID)
			}
			pages++
			if next == "" {
				break
			}
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			cursor = next
		}
		if !equalStrings(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
		if pages != 3 {
			t.Fatalf("%d pages, want 3", pages)
		}
		all, next, err := f.s.ListTenants(f.ctx, store.Page{})
		if err != nil {
			t.Fatalf("ListTenants: %v", err)
		}
		if len(all) != 7 || next != "" {
			t.Fatalf("default page: %d tenants, next %q; want 7 and no cursor", len(all), next)
		}
	}},
	{"DeleteCascades", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		other := f.tenant(0)
		w := f.webhook(tn.ID)
		ow := f.webhook(other.ID)
		key := &domain.APIKey{ID: id.New(id.APIKey), TenantID: tn.ID, Name: "k", Prefix: "lmsk_ab", Hash: "hash-" + tn.ID, CreatedAt: base}
		if err := f.s.CreateAPIKey(f.ctx, key); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		ds := f.deliveries(tn.ID, base, 2)
		ods := f.deliveries(other.ID, base, 1)
		jobs := f.claim("n1", base, base.Add(time.Minute), 10)
		var recs []store.AttemptRecord
		for _, j := range jobs {
			recs = append(recs, store.AttemptRecord{Attempt: attempt(&j.Delivery, base, 200, true), State: domain.Succeeded})
		}
		f.record(recs...)

		if err := f.s.DeleteTenant(f.ctx, tn.ID); err != nil {
			t.Fatalf("DeleteTenant: %v", err)
		}
		_, err := f.s.GetTenant(f.ctx, tn.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.WebhookByID(f.ctx, w.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.APIKeyByHash(f.ctx, key.Hash)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.GetEvent(f.ctx, tn.ID, ds[0].EventID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.GetDelivery(f.ctx, tn.ID, ds[0].ID)
		wantCode(t, err, domain.ENOTFOUND)
		samples, err := f.s.AttemptSamples(f.ctx, tn.ID, base.Add(-time.Hour), base.Add(time.Hour))
		if err != nil {
			t.Fatalf("AttemptSamples: %v", err)
		}
		if len(samples) != 0 {
			t.Fatalf("%d attempt samples left after DeleteTenant", len(samples))
		}

		// The other tenant is untouched.
		if _, err := f.s.GetWebhook(f.ctx, other.ID, ow.ID); err != nil {
			t.Fatalf("other tenant's webhook: %v", err)
		}
		if got := f.get(other.ID, ods[0].ID); got.State != domain.Succeeded {
			t.Fatalf("other tenant's delivery state = %s, want succeeded", got.State)
		}
		if att, err := f.s.ListAttempts(f.ctx, other.ID, ods[0].ID); err != nil || len(att) != 1 {
			t.Fatalf("other tenant's attempts = %d, %v; want 1", len(att), err)
		}

		// The id can be used again, for an empty tenant.
		again := &domain.Tenant{ID: tn.ID, Name: "again", Environment: domain.Production, CreatedAt: base, UpdatedAt: base}
		if err := f.s.CreateTenant(f.ctx, again); err != nil {
			t.Fatalf("CreateTenant after delete: %v", err)
		}
		list, _, err := f.s.ListWebhooks(f.ctx, tn.ID, store.Page{})
		if err != nil || len(list) != 0 {
			t.Fatalf("recreated tenant has %d webhooks (%v), want 0", len(list), err)
		}
		dl, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID})
		if err != nil || len(dl) != 0 {
			t.Fatalf("recreated tenant has %d deliveries (%v), want 0", len(dl), err)
		}
	}},
}

var apiKeyTests = []test{
	{"TenantKeyByHash", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		k := &domain.APIKey{ID: id.New(id.APIKey), TenantID: tn.ID, Name: "LMS backend", Prefix: "lmsk_12ab", Hash: "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", CreatedAt: base}
		if err := f.s.CreateAPIKey(f.ctx, k); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		got, err := f.s.APIKeyByHash(f.ctx, k.Hash)
		if err != nil {
			t.Fatalf("APIKeyByHash: %v", err)
		}
		same(t, "api key", *got, *k, normKey)
		_, err = f.s.APIKeyByHash(f.ctx, "0000")
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"TenantKeyUnknownTenant", func(t *testing.T, f *fixture) {
		k := &domain.APIKey{ID: id.New(id.APIKey), TenantID: "ghost", Name: "k", Prefix: "p", Hash: "h1", CreatedAt: base}
		wantCode(t, f.s.CreateAPIKey(f.ctx, k), domain.ENOTFOUND)
		_, err := f.s.APIKeyByHash(f.ctx, "h1")
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"OperatorKeyReplaced", func(t *testing.T, f *fixture) {
		has, err := f.s.HasOperatorKey(f.ctx)
		if err != nil || has {
			t.Fatalf("HasOperatorKey on an empty store = %v, %v; want false", has, err)
		}
		k1 := &domain.APIKey{ID: id.New(id.APIKey), Name: "operator", Prefix: "lmsk_op1", Hash: "op-hash-1", CreatedAt: base}
		if err := f.s.SetOperatorKey(f.ctx, k1); err != nil {
			t.Fatalf("SetOperatorKey: %v", err)
		}
		has, err = f.s.HasOperatorKey(f.ctx)
		if err != nil || !has {
			t.Fatalf("HasOperatorKey = %v, %v; want true", has, err)
		}
		got, err := f.s.APIKeyByHash(f.ctx, "op-hash-1")
		if err != nil {
			t.Fatalf("APIKeyByHash: %v", err)
		}
		if !got.IsOperator() {
			t.Fatalf("operator key came back with tenant %q", got.TenantID)
		}
		same(t, "operator key", *got, *k1, normKey)

		k2 := &domain.APIKey{ID: id.New(id.APIKey), Name: "operator", Prefix: "lmsk_op2", Hash: "op-hash-2", CreatedAt: base.Add(time.Second)}
		if err := f.s.SetOperatorKey(f.ctx, k2); err != nil {
			t.Fatalf("SetOperatorKey again: %v", err)
		}
		_, err = f.s.APIKeyByHash(f.ctx, "op-hash-1")
		wantCode(t, err, domain.ENOTFOUND)
		if _, err := f.s.APIKeyByHash(f.ctx, "op-hash-2"); err != nil {
			t.Fatalf("new operator key: %v", err)
		}

		// Tenant keys are not operator keys and survive a replacement.
		tn := f.tenant(0)
		tk := &domain.APIKey{ID: id.New(id.APIKey), TenantID: tn.ID, Name: "k", Prefix: "p", Hash: "tenant-hash", CreatedAt: base}
		if err := f.s.CreateAPIKey(f.ctx, tk); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		k3 := &domain.APIKey{ID: id.New(id.APIKey), Name: "operator", Prefix: "lmsk_op3", Hash: "op-hash-3", CreatedAt: base}
		if err := f.s.SetOperatorKey(f.ctx, k3); err != nil {
			t.Fatalf("SetOperatorKey: %v", err)
		}
		if _, err := f.s.APIKeyByHash(f.ctx, "tenant-hash"); err != nil {
			t.Fatalf("tenant key after operator replacement: %v", err)
		}
	}},
}

func normKey(k domain.APIKey) domain.APIKey {
	k.CreatedAt = utc(k.CreatedAt)
	return k
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
