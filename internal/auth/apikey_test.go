package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/id"
)

func TestNewKeyAndRecord(t *testing.T) {
	key := NewKey()
	if len(key) != len(KeyPrefix)+43 || !strings.HasPrefix(key, KeyPrefix) {
		t.Fatalf("key %q is not lmsk_ + base64url(32 bytes)", key)
	}
	if NewKey() == key {
		t.Fatal("two keys are equal")
	}
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ids := id.NewGenerator(clock.NewFake(now))
	k := NewKeyRecord(ids, "acme", "LMS backend", key, now)
	if !strings.HasPrefix(k.ID, id.APIKey) || k.TenantID != "acme" || k.Name != "LMS backend" || !k.CreatedAt.Equal(now) {
		t.Fatalf("record %+v", k)
	}
	// The documented prefix: "lmsk_" and 6 characters (docs/API.md).
	if k.Prefix != key[:11] || len(k.Prefix) != PrefixLen {
		t.Fatalf("prefix %q of %q, want its first 11 characters", k.Prefix, key)
	}
	if k.Hash != HashKey(key) || strings.Contains(k.Hash, key) || k.Hash == HashKey(NewKey()) {
		t.Fatalf("hash %q", k.Hash)
	}
	op := NewKeyRecord(ids, "", "operator", key, now)
	if !op.IsOperator() || op.Prefix != k.Prefix || op.ID == k.ID {
		t.Fatalf("operator record %+v", op)
	}
}

// A short configured operator key keeps no more than a quarter of itself
// in clear.
func TestShortKeyPrefix(t *testing.T) {
	for key, want := range map[string]string{
		"0123456789abcdef":                "0123",
		"lmsk_configured_operator_key":    "lmsk_co",
		"lmsk_" + strings.Repeat("x", 43): "lmsk_xxxxxx",
	} {
		if got := KeyPrefixOf(key); got != want {
			t.Errorf("KeyPrefixOf(%q) = %q, want %q", key, got, want)
		}
	}
}
