package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

// apiKeyListTests check ListAPIKeys and DeleteAPIKey: a tenant sees and
// revokes its own keys only, and the operator key is out of reach of both.
var apiKeyListTests = []test{
	{"ListNewestFirst", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		other := f.tenant(0)
		f.operatorKey("op-hash")
		old := f.apiKey(tn.ID, "old", base)
		mid := f.apiKey(tn.ID, "mid", base.Add(time.Minute))
		f.apiKey(other.ID, "other", base.Add(2*time.Minute))
		newest := f.apiKey(tn.ID, "new", base.Add(time.Hour))

		got, err := f.s.ListAPIKeys(f.ctx, tn.ID)
		if err != nil {
			t.Fatalf("ListAPIKeys: %v", err)
		}
		if len(got) != 3 {
			t.Fatalf("ListAPIKeys = %d keys %s, want 3", len(got), dump(got))
		}
		for i, want := range []*domain.APIKey{newest, mid, old} {
			same(t, "key", got[i], *want, normKey)
		}
	}},
	{"ListEmpty", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.operatorKey("op-hash")
		for _, tid := range []string{tn.ID, "ghost", ""} {
			got, err := f.s.ListAPIKeys(f.ctx, tid)
			if err != nil || len(got) != 0 {
				t.Fatalf("ListAPIKeys(%q) = %s, %v; want none", tid, dump(got), err)
			}
		}
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		gone := f.apiKey(tn.ID, "gone", base)
		kept := f.apiKey(tn.ID, "kept", base.Add(time.Second))
		if err := f.s.DeleteAPIKey(f.ctx, tn.ID, gone.ID); err != nil {
			t.Fatalf("DeleteAPIKey: %v", err)
		}
		_, err := f.s.APIKeyByHash(f.ctx, gone.Hash)
		wantCode(t, err, domain.ENOTFOUND)
		if _, err := f.s.APIKeyByHash(f.ctx, kept.Hash); err != nil {
			t.Fatalf("the other key after a delete: %v", err)
		}
		got, err := f.s.ListAPIKeys(f.ctx, tn.ID)
		if err != nil || len(got) != 1 || got[0].ID != kept.ID {
			t.Fatalf("ListAPIKeys after delete = %s, %v; want only %s", dump(got), err, kept.ID)
		}
		wantCode(t, f.s.DeleteAPIKey(f.ctx, tn.ID, gone.ID), domain.ENOTFOUND)
		wantCode(t, f.s.DeleteAPIKey(f.ctx, tn.ID, "key_nope"), domain.ENOTFOUND)
	}},
	{"DeleteOtherTenant", func(t *testing.T, f *fixture) {
		a := f.tenant(0)
		b := f.tenant(0)
		k := f.apiKey(a.ID, "a's key", base)
		wantCode(t, f.s.DeleteAPIKey(f.ctx, b.ID, k.ID), domain.ENOTFOUND)
		if _, err := f.s.APIKeyByHash(f.ctx, k.Hash); err != nil {
			t.Fatalf("key after another tenant's delete: %v", err)
		}
	}},
	{"DeleteNeverOperator", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		op := f.operatorKey("op-hash")
		wantCode(t, f.s.DeleteAPIKey(f.ctx, tn.ID, op.ID), domain.ENOTFOUND)
		wantCode(t, f.s.DeleteAPIKey(f.ctx, "", op.ID), domain.ENOTFOUND)
		has, err := f.s.HasOperatorKey(f.ctx)
		if err != nil || !has {
			t.Fatalf("HasOperatorKey after delete attempts = %v, %v; want true", has, err)
		}
	}},
}

// apiKey stores a key of tenantID created at created.
func (f *fixture) apiKey(tenantID, name string, created time.Time) *domain.APIKey {
	f.t.Helper()
	k := &domain.APIKey{ID: f.ids.New(id.APIKey), TenantID: tenantID, Name: name, Prefix: "lmsk_" + name, Hash: "hash-" + f.ids.New(id.APIKey), CreatedAt: created}
	if err := f.s.CreateAPIKey(f.ctx, k); err != nil {
		f.t.Fatalf("CreateAPIKey: %v", err)
	}
	return k
}

// operatorKey sets the operator key.
func (f *fixture) operatorKey(hash string) *domain.APIKey {
	f.t.Helper()
	k := &domain.APIKey{ID: f.ids.New(id.APIKey), Name: "operator", Prefix: "lmsk_op", Hash: hash, CreatedAt: base.Add(24 * time.Hour)}
	if _, err := f.s.SetOperatorKey(f.ctx, k); err != nil {
		f.t.Fatalf("SetOperatorKey: %v", err)
	}
	return k
}
