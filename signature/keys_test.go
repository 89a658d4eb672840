package signature

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewSecret(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two secrets are equal")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, SecretPrefix))
	if !strings.HasPrefix(a, SecretPrefix) || err != nil || len(raw) != 32 {
		t.Fatalf("secret %q: want whsec_ + base64 of 32 bytes (decode err %v, %d bytes)", a, err, len(raw))
	}
	if err := ValidateSecret(a); err != nil {
		t.Fatalf("ValidateSecret(NewSecret()) = %v", err)
	}
}

func TestNewKeyPair(t *testing.T) {
	sk, pk, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sk, SigningKeyPrefix) || !strings.HasPrefix(pk, PublicKeyPrefix) {
		t.Fatalf("prefixes: %.5s… %.5s…", sk, pk)
	}
	if err := ValidateSecret(sk); err != nil {
		t.Fatalf("ValidateSecret(whsk_) = %v", err)
	}
	got, err := PublicKey(sk)
	if err != nil || got != pk {
		t.Fatalf("PublicKey(secret) = %q, %v; want %q", got, err, pk)
	}
	now := time.Unix(1772360104, 0)
	sig, err := Sign([]string{sk}, "msg_1", now, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sig, "v1a,") {
		t.Fatalf("Sign with whsk_ = %q, want a v1a entry", sig)
	}
	if err := Verify([]string{pk}, "msg_1", "1772360104", sig, []byte("{}"), now, 0); err != nil {
		t.Fatalf("Verify with public key: %v", err)
	}
}

func TestPublicKeyForms(t *testing.T) {
	seed := seeded("forms")
	priv := ed25519.NewKeyFromSeed(seed)
	want := PublicKeyPrefix + base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))

	full := SigningKeyPrefix + base64.StdEncoding.EncodeToString(priv)
	seedOnly := SigningKeyPrefix + base64.StdEncoding.EncodeToString(seed)
	unpadded := strings.TrimRight(full, "=")
	for name, sk := range map[string]string{"64-byte key": full, "32-byte seed": seedOnly, "unpadded": unpadded} {
		got, err := PublicKey(sk)
		if err != nil || got != want {
			t.Errorf("%s: PublicKey = %q, %v; want %q", name, got, err, want)
		}
	}

	other := ed25519.NewKeyFromSeed(seeded("other"))
	mismatched := append(append([]byte{}, seed...), other[32:]...)
	bad := map[string]string{
		"mismatched public half": SigningKeyPrefix + base64.StdEncoding.EncodeToString(mismatched),
		"hmac secret":            "whsec_" + base64.StdEncoding.EncodeToString(seed),
		"wrong length":           SigningKeyPrefix + base64.StdEncoding.EncodeToString(seed[:31]),
		"not base64":             SigningKeyPrefix + "%%%%",
	}
	for name, sk := range bad {
		if _, err := PublicKey(sk); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: PublicKey error = %v, want ErrInvalidKey", name, err)
		}
	}
}

func TestValidateSecret(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	priv := ed25519.NewKeyFromSeed(seeded("validate"))
	tests := []struct {
		name   string
		secret string
		ok     bool
	}{
		{"spec example, 24 bytes", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true},
		{"32 bytes", "whsec_" + b64(32), true},
		{"64 bytes", "whsec_" + b64(64), true},
		{"unpadded", "whsec_" + strings.TrimRight(b64(32), "="), true},
		{"ed25519 key", SigningKeyPrefix + base64.StdEncoding.EncodeToString(priv), true},
		{"ed25519 seed", SigningKeyPrefix + base64.StdEncoding.EncodeToString(priv.Seed()), true},
		{"23 bytes", "whsec_" + b64(23), false},
		{"65 bytes", "whsec_" + b64(65), false},
		{"empty after prefix", "whsec_", false},
		{"not base64", "whsec_not*base64*at*all", false},
		{"no prefix", b64(32), false},
		{"public key cannot sign", PublicKeyPrefix + b64(32), false},
		{"empty", "", false},
		{"stripe-style raw string", "whsec_" + strings.Repeat("x", 3), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSecret(tt.secret)
			if tt.ok && err != nil {
				t.Fatalf("ValidateSecret = %v, want nil", err)
			}
			if !tt.ok {
				if !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("ValidateSecret = %v, want ErrInvalidKey", err)
				}
				if body := strings.TrimPrefix(strings.TrimPrefix(tt.secret, "whsec_"), "whsk_"); len(body) > 8 && strings.Contains(err.Error(), body) {
					t.Fatalf("error %q leaks the secret", err)
				}
			}
		})
	}
}

// Secrets are handed out in padded base64 whatever their spelling: the
// same key bytes, as strict decoders (the official Go library) want them.
func TestNormalizeSecret(t *testing.T) {
	key := seeded("normalize")
	padded := "whsec_" + base64.StdEncoding.EncodeToString(key[:31]) // 31 bytes: one "=" of padding
	priv := ed25519.NewKeyFromSeed(seeded("normalize ed25519"))
	edPadded := SigningKeyPrefix + base64.StdEncoding.EncodeToString(priv.Seed()) // 32 bytes: one "="
	for in, want := range map[string]string{
		padded:                                   padded,
		strings.TrimRight(padded, "="):           padded,
		edPadded:                                 edPadded,
		strings.TrimRight(edPadded, "="):         edPadded,
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	} {
		got, err := NormalizeSecret(in)
		if err != nil || got != want {
			t.Errorf("NormalizeSecret(%.12s…) = %.12s…, %v; want %.12s…", in, got, err, want)
		}
	}
	if got, err := NormalizeSecret("whsec_" + base64.RawStdEncoding.EncodeToString(make([]byte, 23))); !errors.Is(err, ErrInvalidKey) || got != "" {
		t.Errorf("NormalizeSecret of a 23-byte secret = %q, %v; want ErrInvalidKey", got, err)
	}
}

func TestValidateKey(t *testing.T) {
	k := newTestKeys(t)
	for _, key := range []string{k.newSecret, k.publicKey, k.signingKey} {
		if err := ValidateKey(key); err != nil {
			t.Errorf("ValidateKey(%.5s…) = %v", key, err)
		}
	}
	for _, key := range []string{"", "whpk_AAAA", "whsec_", "secret", "whsk_***"} {
		if err := ValidateKey(key); !errors.Is(err, ErrInvalidKey) && !errors.Is(err, ErrNoKeys) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
}
