package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

var tenantTests = []test{
	{"CreateGetUpdate", func(t *testing.T, f *fixture) {
		tn := &domain.Tenant{ID: "company-42", Name: "Acme", Environment: domain.Sandbox, MaxWebhooks: 5, RetentionDays: 90, AutoDisableAfterHours: 48, CreatedAt: base, UpdatedAt: base}
		if err := f.s.CreateTenant(f.ctx, tn); err != nil {
			t.Fatalf("CreateTenant: %v", err)
		}
		got, err := f.s.GetTenant(f.ctx, "company-42")
		if err != nil {
			t.Fatalf("GetTenant: %v", err)
		}
		same(t, "created tenant", *got, *tn, normTenant)

		upd := *tn
		upd.Name, upd.Environment, upd.MaxWebhooks, upd.RetentionDays = "Acme Corp", domain.Production, 0, 7
		upd.AutoDisableAfterHours = domain.AutoDisableNever
		upd.UpdatedAt = base.Add(time.Hour)
		if err := f.s.UpdateTenant(f.ctx, &upd); err != nil {
			t.Fatalf("UpdateTenant: %v", err)
		}
		got, err = f.s.GetTenant(f.ctx, "company-42")
		if err != nil {
			t.Fatalf("GetTenant: %v", err)
		}
		same(t, "updated tenant", *got, upd, normTenant)
		list, _, err := f.s.ListTenants(f.ctx, store.Page{})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListTenants = %d tenants, %v; want 1", len(list), err)
		}
		same(t, "listed tenant", list[0], upd, normTenant)

		// 0 goes back to the server's default and stays 0.
		upd.RetentionDays, upd.AutoDisableAfterHours = 0, 0
		if err := f.s.UpdateTenant(f.ctx, &upd); err != nil {
			t.Fatalf("UpdateTenant: %v", err)
		}
		got, err = f.s.GetTenant(f.ctx, "company-42")
		if err != nil {
			t.Fatalf("GetTenant: %v", err)
		}
		same(t, "tenant back to the default retention", *got, upd, normTenant)
	}},
	{"RetentionKeepsScheduled", testRetention},
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
			tn := &domain.Tenant{ID: f.ids.New(id.Tenant), Name: "t", Environment: domain.Production,
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
		key := &domain.APIKey{ID: f.ids.New(id.APIKey), TenantID: tn.ID, Name: "k", Prefix: "lmsk_ab", Hash: "hash-" + tn.ID, CreatedAt: base}
		if err := f.s.CreateAPIKey(f.ctx, key); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		ds := f.deliveries(tn.ID, base, 2)
		ods := f.deliveries(other.ID, base, 1)
		jobs := f.claim("n1", base, base.Add(time.Minute), 10)
		var recs []store.AttemptRecord
		for _, j := range jobs {
			recs = append(recs, store.AttemptRecord{Attempt: f.attempt(&j.Delivery, base, 200, true), State: domain.Succeeded})
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
		k := &domain.APIKey{ID: f.ids.New(id.APIKey), TenantID: tn.ID, Name: "LMS backend", Prefix: "lmsk_12ab", Hash: "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", CreatedAt: base}
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
		k := &domain.APIKey{ID: f.ids.New(id.APIKey), TenantID: "ghost", Name: "k", Prefix: "p", Hash: "h1", CreatedAt: base}
		wantCode(t, f.s.CreateAPIKey(f.ctx, k), domain.ENOTFOUND)
		_, err := f.s.APIKeyByHash(f.ctx, "h1")
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"OperatorKeyReplaced", func(t *testing.T, f *fixture) {
		has, err := f.s.HasOperatorKey(f.ctx)
		if err != nil || has {
			t.Fatalf("HasOperatorKey on an empty store = %v, %v; want false", has, err)
		}
		k1 := &domain.APIKey{ID: f.ids.New(id.APIKey), Name: "operator", Prefix: "lmsk_op1", Hash: "op-hash-1", CreatedAt: base}
		if replaced, err := f.s.SetOperatorKey(f.ctx, k1); err != nil || replaced {
			t.Fatalf("SetOperatorKey on an empty store = %v, %v; want no replacement", replaced, err)
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

		k2 := &domain.APIKey{ID: f.ids.New(id.APIKey), Name: "operator", Prefix: "lmsk_op2", Hash: "op-hash-2", CreatedAt: base.Add(time.Second)}
		if replaced, err := f.s.SetOperatorKey(f.ctx, k2); err != nil || !replaced {
			t.Fatalf("SetOperatorKey with another key = %v, %v; want a replacement", replaced, err)
		}
		_, err = f.s.APIKeyByHash(f.ctx, "op-hash-1")
		wantCode(t, err, domain.ENOTFOUND)
		if _, err := f.s.APIKeyByHash(f.ctx, "op-hash-2"); err != nil {
			t.Fatalf("new operator key: %v", err)
		}

		// Tenant keys are not operator keys and survive a replacement.
		tn := f.tenant(0)
		tk := &domain.APIKey{ID: f.ids.New(id.APIKey), TenantID: tn.ID, Name: "k", Prefix: "p", Hash: "tenant-hash", CreatedAt: base}
		if err := f.s.CreateAPIKey(f.ctx, tk); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		k3 := &domain.APIKey{ID: f.ids.New(id.APIKey), Name: "operator", Prefix: "lmsk_op3", Hash: "op-hash-3", CreatedAt: base}
		if replaced, err := f.s.SetOperatorKey(f.ctx, k3); err != nil || !replaced {
			t.Fatalf("SetOperatorKey = %v, %v; want a replacement", replaced, err)
		}
		if _, err := f.s.APIKeyByHash(f.ctx, "tenant-hash"); err != nil {
			t.Fatalf("tenant key after operator replacement: %v", err)
		}
	}},
	{"OperatorKeySetConcurrently", func(t *testing.T, f *fixture) {
		// Nodes starting together with the same configured key, replacing
		// a generated one: every one succeeds, one operator key remains,
		// and exactly one reports the replacement.
		if _, err := f.s.EnsureOperatorKey(f.ctx, &domain.APIKey{ID: f.ids.New(id.APIKey), Name: "operator", Prefix: "lmsk_gen", Hash: "generated-hash", CreatedAt: base}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		replaced := make([]bool, 8)
		for i := range errs {
			wg.Go(func() {
				k := &domain.APIKey{ID: f.ids.New(id.APIKey), Name: "operator", Prefix: "lmsk_same", Hash: "same-hash", CreatedAt: base}
				replaced[i], errs[i] = f.s.SetOperatorKey(f.ctx, k)
			})
		}
		wg.Wait()
		replacements := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("SetOperatorKey #%d: %v", i, err)
			}
			if replaced[i] {
				replacements++
			}
		}
		if replacements != 1 {
			t.Fatalf("%d of the concurrent SetOperatorKey report replacing the generated key, want 1", replacements)
		}
		got, err := f.s.APIKeyByHash(f.ctx, "same-hash")
		if err != nil || !got.IsOperator() {
			t.Fatalf("operator key after concurrent sets = %+v, %v", got, err)
		}
		// The same key again keeps the stored row as it is.
		if replaced, err := f.s.SetOperatorKey(f.ctx, &domain.APIKey{ID: f.ids.New(id.APIKey), Name: "operator", Prefix: "lmsk_same", Hash: "same-hash", CreatedAt: base.Add(time.Hour)}); err != nil || replaced {
			t.Fatalf("SetOperatorKey with the same key = %v, %v; want no replacement", replaced, err)
		}
		again, err := f.s.APIKeyByHash(f.ctx, "same-hash")
		if err != nil || again.ID != got.ID {
			t.Fatalf("setting the same key again replaced %s with %+v (%v)", got.ID, again, err)
		}
	}},
	{"OperatorKeyEnsuredOnce", func(t *testing.T, f *fixture) {
		// Nodes starting together, each with a generated key: exactly one
		// is stored, and only its node reports it created.
		var wg sync.WaitGroup
		created := make([]bool, 8)
		errs := make([]error, 8)
		for i := range created {
			wg.Go(func() {
				k := &domain.APIKey{ID: f.ids.New(id.APIKey), Name: "operator", Prefix: "lmsk_gen", Hash: fmt.Sprintf("gen-hash-%d", i), CreatedAt: base}
				created[i], errs[i] = f.s.EnsureOperatorKey(f.ctx, k)
			})
		}
		wg.Wait()
		winner := -1
		for i := range created {
			if errs[i] != nil {
				t.Fatalf("EnsureOperatorKey #%d: %v", i, errs[i])
			}
			if created[i] {
				if winner >= 0 {
					t.Fatalf("both #%d and #%d report creating the operator key", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatal("no EnsureOperatorKey reports creating the operator key")
		}
		for i := range created {
			_, err := f.s.APIKeyByHash(f.ctx, fmt.Sprintf("gen-hash-%d", i))
			if i == winner && err != nil {
				t.Fatalf("the winner's key is not stored: %v", err)
			}
			if i != winner {
				wantCode(t, err, domain.ENOTFOUND)
			}
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

// testRetention: a tenant's own retention overrides the default; what is
// older goes with its attempts, event and idempotency key; a scheduled
// delivery stays, with its attempts and event, until it is finished; other
// tenants keep what the default keeps.
func testRetention(t *testing.T, f *fixture) {
	rt := f.s
	// Rows age by the time in their ids, which come from a fake clock, as
	// does the retention's now: "days later" is the clock advanced. It
	// starts at the wall clock's time only because Publish still stamps
	// the deliveries' ids with it; once the caller gives them, any start
	// will do.
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Millisecond))
	ids := id.NewGenerator(clk)
	newEvent := func(tenantID, key string) domain.Event {
		e := f.event(tenantID, "user.created", key)
		e.ID = ids.New(id.Event)
		return e
	}
	now := clk.Now()
	short := &domain.Tenant{ID: ids.New(id.Tenant), Name: "Short", Environment: domain.Production, RetentionDays: 1, CreatedAt: base, UpdatedAt: base}
	if err := f.s.CreateTenant(f.ctx, short); err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	long := f.tenant(0) // the default, 30 days below
	f.webhook(short.ID)
	f.webhook(long.ID)
	keyed := newEvent(short.ID, "key-1")
	done := f.publish(short.ID, base, keyed, newEvent(short.ID, ""))
	pending := f.publish(short.ID, base, newEvent(short.ID, ""))[0].Deliveries[0]
	kept := f.publish(long.ID, base, newEvent(long.ID, ""))[0].Deliveries[0]

	var recs []store.AttemptRecord
	for _, j := range f.claim("n1", base, base.Add(time.Minute), 10) {
		rec := store.AttemptRecord{Attempt: f.attempt(&j.Delivery, base, 200, true), State: domain.Succeeded}
		if j.Delivery.ID == pending.ID {
			rec = store.AttemptRecord{Attempt: f.attempt(&j.Delivery, base, 503, false), State: domain.Scheduled, NextAttemptAt: base.Add(time.Hour)}
		}
		recs = append(recs, rec)
	}
	if len(recs) != 4 {
		t.Fatalf("claimed %d deliveries, want 4", len(recs))
	}
	f.record(recs...)

	// Nothing is old yet.
	if _, deleted, err := rt.ApplyRetention(f.ctx, now, 30); err != nil || deleted != 0 {
		t.Fatalf("ApplyRetention today = %d rows deleted, %v; want 0", deleted, err)
	}

	// Three days later: the short tenant's finished work is gone.
	clk.Advance(3 * 24 * time.Hour)
	later := clk.Now()
	if _, deleted, err := rt.ApplyRetention(f.ctx, later, 30); err != nil || deleted < 6 {
		t.Fatalf("ApplyRetention = %d rows deleted, %v; want at least 2 events, 2 deliveries, 2 attempts", deleted, err)
	}
	for _, r := range done {
		_, err := f.s.GetEvent(f.ctx, short.ID, r.Event.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.GetDelivery(f.ctx, short.ID, r.Deliveries[0].ID)
		wantCode(t, err, domain.ENOTFOUND)
		if as, _ := f.s.ListAttempts(f.ctx, short.ID, r.Deliveries[0].ID); len(as) != 0 {
			t.Fatalf("%d attempts left of an expired delivery", len(as))
		}
	}
	// The key was forgotten with its event.
	again := f.publish(short.ID, base, newEvent(short.ID, "key-1"))
	if again[0].Replayed {
		t.Fatal("an expired idempotency key still replays its event")
	}
	// The scheduled delivery stays whole.
	if got := f.get(short.ID, pending.ID); got.State != domain.Scheduled {
		t.Fatalf("pending delivery state = %s, want scheduled", got.State)
	}
	if _, err := f.s.GetEvent(f.ctx, short.ID, pending.EventID); err != nil {
		t.Fatalf("the event of a scheduled delivery: %v", err)
	}
	if as, err := f.s.ListAttempts(f.ctx, short.ID, pending.ID); err != nil || len(as) != 1 {
		t.Fatalf("attempts of a scheduled delivery = %d, %v; want 1", len(as), err)
	}
	// The other tenant keeps the default 30 days.
	if got := f.get(long.ID, kept.ID); got.State != domain.Succeeded {
		t.Fatalf("other tenant's delivery state = %s, want succeeded", got.State)
	}
	if as, err := f.s.ListAttempts(f.ctx, long.ID, kept.ID); err != nil || len(as) != 1 {
		t.Fatalf("other tenant's attempts = %d, %v; want 1", len(as), err)
	}

	// Once it finishes, the next run takes it too.
	j := f.claim("n1", base.Add(2*time.Hour), base.Add(3*time.Hour), 10)
	var last *domain.Delivery
	for i := range j {
		if j[i].Delivery.ID == pending.ID {
			last = &j[i].Delivery
		}
	}
	if last == nil {
		t.Fatal("the scheduled delivery was not claimable after retention")
	}
	f.record(store.AttemptRecord{Attempt: f.attempt(last, base.Add(2*time.Hour), 200, true), State: domain.Succeeded})
	if _, _, err := rt.ApplyRetention(f.ctx, later, 30); err != nil {
		t.Fatalf("ApplyRetention: %v", err)
	}
	_, err := f.s.GetDelivery(f.ctx, short.ID, pending.ID)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = f.s.GetEvent(f.ctx, short.ID, pending.EventID)
	wantCode(t, err, domain.ENOTFOUND)
	if _, err := f.s.GetEvent(f.ctx, long.ID, kept.EventID); err != nil {
		t.Fatalf("other tenant's event: %v", err)
	}
}
