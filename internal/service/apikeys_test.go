package service

import (
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

func TestCreateAPIKey(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	rec, key, err := f.keys.Create(f.ctx, "acme", "  LMS backend ")
	if err != nil {
		t.Fatal(err)
	}
	// Shown once: the record holds the hash and the documented prefix.
	if !strings.HasPrefix(key, auth.KeyPrefix) || len(key) != len(auth.KeyPrefix)+43 {
		t.Fatalf("key %q", key)
	}
	if !strings.HasPrefix(rec.ID, id.APIKey) || rec.TenantID != "acme" || rec.Name != "LMS backend" ||
		rec.Prefix != key[:auth.PrefixLen] || rec.Hash != auth.HashKey(key) || !rec.CreatedAt.Equal(accessStart) {
		t.Fatalf("record %+v", rec)
	}
	stored, err := f.store.APIKeyByHash(f.ctx, auth.HashKey(key))
	if err != nil || stored.ID != rec.ID || stored.Hash == key {
		t.Fatalf("stored %+v, %v", stored, err)
	}

	_, _, err = f.keys.Create(f.ctx, "acme", " ")
	wantAccessError(t, err, domain.EINVALID, "name")
	if domain.ErrorMessage(err) != "is required: say who or what uses the key" {
		t.Fatalf("message %q", domain.ErrorMessage(err))
	}
	_, _, err = f.keys.Create(f.ctx, "acme", strings.Repeat("n", 201))
	wantAccessError(t, err, domain.EINVALID, "name")
	_, _, err = f.keys.Create(f.ctx, "nope", "lms")
	wantAccessError(t, err, domain.ENOTFOUND, "")
}

func TestListGetAndRevokeAPIKeys(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	f.tenant("globex")
	first, firstKey, err := f.keys.Create(f.ctx, "acme", "lms")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	second, secondKey, err := f.keys.Create(f.ctx, "acme", "reporting")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := f.keys.Create(f.ctx, "globex", "lms")
	if err != nil {
		t.Fatal(err)
	}

	keys, err := f.keys.List(f.ctx, "acme")
	if err != nil || len(keys) != 2 || keys[0].ID != second.ID || keys[1].ID != first.ID {
		t.Fatalf("listed %+v, %v; want reporting then lms", keys, err)
	}
	_, err = f.keys.List(f.ctx, "nope")
	wantAccessError(t, err, domain.ENOTFOUND, "")
	if k, err := f.keys.Get(f.ctx, "acme", first.ID); err != nil || k.Name != "lms" {
		t.Fatalf("get %+v, %v", k, err)
	}
	_, err = f.keys.Get(f.ctx, "acme", other.ID)
	wantAccessError(t, err, domain.ENOTFOUND, "")

	// Cached by a first use, a revoked key is refused at once, although
	// the cache's TTL has not passed on the fake clock.
	for _, k := range []string{firstKey, secondKey} {
		if got, err := f.keys.Authenticate(f.ctx, k); err != nil || got.TenantID != "acme" {
			t.Fatalf("authenticate: %+v, %v", got, err)
		}
	}
	wantAccessError(t, f.keys.Revoke(f.ctx, "acme", other.ID), domain.ENOTFOUND, "")
	if err := f.keys.Revoke(f.ctx, "acme", second.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.keys.Authenticate(f.ctx, secondKey)
	wantAccessError(t, err, domain.EUNAUTHORIZED, "")
	if _, err := f.keys.Authenticate(f.ctx, firstKey); err != nil {
		t.Fatalf("the other key: %v", err)
	}
	wantAccessError(t, f.keys.Revoke(f.ctx, "acme", second.ID), domain.ENOTFOUND, "")
	_, err = f.keys.Authenticate(f.ctx, "lmsk_not-a-key")
	wantAccessError(t, err, domain.EUNAUTHORIZED, "")
}

// The operator key is no tenant's: it cannot be revoked as one.
func TestRevokeNeverReachesOperatorKey(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	key := auth.NewKey()
	op := auth.NewKeyRecord(f.ids, "", "operator", key, accessStart)
	if _, err := f.store.SetOperatorKey(f.ctx, op); err != nil {
		t.Fatal(err)
	}
	wantAccessError(t, f.keys.Revoke(f.ctx, "acme", op.ID), domain.ENOTFOUND, "")
	if got, err := f.keys.Authenticate(f.ctx, key); err != nil || !got.IsOperator() {
		t.Fatalf("operator key: %+v, %v", got, err)
	}
}
