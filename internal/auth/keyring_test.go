package auth

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestCredentialKeyring(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	password, cred, err := GenerateCredential(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(password) < 20 {
		t.Fatalf("generated password %q is short", password)
	}
	if err := cred.Validate(); err != nil {
		t.Fatalf("generated credential: %v", err)
	}
	if !cred.CreatedAt.Equal(now) || cred.Iterations != passwordIterations {
		t.Fatalf("credential created %v with %d iterations", cred.CreatedAt, cred.Iterations)
	}
	// The credential holds neither the password nor anything that derives
	// the keys from it.
	for name, b := range map[string][]byte{"salt": cred.Salt, "verifier": cred.Verifier, "seed": cred.KeySeed} {
		if bytes.Contains(b, []byte(password)) {
			t.Fatalf("the credential's %s holds the password", name)
		}
	}

	k, err := NewKeyring("", cred)
	if err != nil {
		t.Fatal(err)
	}
	if !k.CheckPassword(password) {
		t.Fatal("the generated password is refused")
	}
	for _, wrong := range []string{"", password + "x", strings.ToUpper(password), password[:len(password)-1]} {
		if k.CheckPassword(wrong) {
			t.Fatalf("%q is accepted", wrong)
		}
	}

	// Another node with the same stored credential has the same keys.
	other, err := NewKeyring("", cred)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.session, other.session) || !bytes.Equal(k.csrf, other.csrf) || !bytes.Equal(k.portal, other.portal) {
		t.Fatal("two keyrings from one credential differ")
	}
	// Each key is its own, and none is the configured password's.
	byPassword, err := NewKeyring(password, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := [][]byte{k.session, k.csrf, k.portal, byPassword.session, byPassword.csrf, byPassword.portal, cred.KeySeed, cred.Verifier}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if bytes.Equal(keys[i], keys[j]) {
				t.Fatalf("keys %d and %d are equal", i, j)
			}
		}
	}
	// A reset (a new credential, even for the same password) changes them.
	again, err := newCredential(password, now)
	if err != nil {
		t.Fatal(err)
	}
	reset, err := NewKeyring("", again)
	if err != nil {
		t.Fatal(err)
	}
	if !reset.CheckPassword(password) || bytes.Equal(reset.session, k.session) || bytes.Equal(reset.verifier, k.verifier) {
		t.Fatal("a new credential for the same password kept the old keys or verifier")
	}
}

func TestKeyringNeedsExactlyOneSource(t *testing.T) {
	_, cred, err := GenerateCredential(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKeyring("", nil); err == nil {
		t.Fatal("a keyring without password or credential was built")
	}
	if _, err := NewKeyring("correct horse battery staple", cred); err == nil {
		t.Fatal("a keyring with both a password and a credential was built")
	}
	damaged := *cred
	damaged.KeySeed = damaged.KeySeed[:8]
	if _, err := NewKeyring("", &damaged); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("damaged credential: err = %v, want EINVALID", err)
	}
}
