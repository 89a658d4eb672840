package service

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestKeyCache(t *testing.T) {
	c := clock.NewFake(accessStart)
	kc := newKeyCache(c, 10*time.Second, 3)
	k := &domain.APIKey{ID: "key_1", TenantID: "acme"}
	kc.put("h1", k)
	if kc.get("h1") != k {
		t.Fatal("fresh entry not returned")
	}
	c.Advance(10 * time.Second)
	if kc.get("h1") != nil {
		t.Fatal("expired entry returned")
	}

	// Bounded: the fourth entry does not grow the cache past its size.
	for _, h := range []string{"a", "b", "c", "d"} {
		kc.put(h, &domain.APIKey{ID: h, TenantID: "t"})
	}
	if n := len(kc.entries); n > 3 {
		t.Fatalf("cache holds %d entries, bound is 3", n)
	}
	if kc.get("d") == nil {
		t.Fatal("newest entry missing after eviction")
	}

	kc.put("x", &domain.APIKey{ID: "x", TenantID: "globex"})
	kc.dropTenant("globex")
	if kc.get("x") != nil {
		t.Fatal("dropTenant kept the tenant's key")
	}
	if kc.get("d") == nil {
		t.Fatal("dropTenant dropped another tenant's key")
	}

	off := newKeyCache(c, -1, 3)
	off.put("h", k)
	if off.get("h") != nil {
		t.Fatal("disabled cache returned an entry")
	}
}

func TestKeyCacheDropID(t *testing.T) {
	kc := newKeyCache(clock.NewFake(accessStart), 10*time.Second, 10)
	kc.put("h1", &domain.APIKey{ID: "key_1", TenantID: "acme"})
	kc.put("h2", &domain.APIKey{ID: "key_2", TenantID: "acme"})
	kc.dropID("key_1")
	if kc.get("h1") != nil {
		t.Fatal("dropID kept the key")
	}
	if kc.get("h2") == nil {
		t.Fatal("dropID dropped another key")
	}
}
