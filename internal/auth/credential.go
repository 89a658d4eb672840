package auth

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// generatedPasswordBytes is the entropy of a generated password: 144 bits,
// 24 characters of base64url, beyond any guessing.
const generatedPasswordBytes = 18

// GenerateCredential makes a new random operator password and the
// credential that stores it: a random salt, the password's PBKDF2 verifier
// and a random key seed. The password is returned to be shown once; only
// the credential may be stored.
func GenerateCredential(now time.Time) (password string, c *domain.ConsoleCredential, err error) {
	b := make([]byte, generatedPasswordBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	password = base64.RawURLEncoding.EncodeToString(b)
	c, err = newCredential(password, now)
	if err != nil {
		return "", nil, err
	}
	return password, c, nil
}

// newCredential returns a credential for password with a fresh salt and
// key seed.
func newCredential(password string, now time.Time) (*domain.ConsoleCredential, error) {
	c := &domain.ConsoleCredential{
		Salt:       make([]byte, domain.ConsoleSaltBytes),
		Iterations: passwordIterations,
		KeySeed:    make([]byte, domain.ConsoleKeySeedBytes),
		CreatedAt:  now,
	}
	_, _ = rand.Read(c.Salt)
	_, _ = rand.Read(c.KeySeed)
	v, err := pbkdf2.Key(sha256.New, password, c.Salt, c.Iterations, 32)
	if err != nil {
		return nil, fmt.Errorf("console: hash the password: %w", err)
	}
	c.Verifier = v
	return c, nil
}
