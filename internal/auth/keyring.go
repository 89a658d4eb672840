package auth

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// passwordIterations is the PBKDF2-SHA256 work factor. A stolen session
// cookie or a stolen stored verifier must not make the password cheap to
// guess.
const passwordIterations = 200_000

// Keyring holds the console's secrets. They come either from a password the
// operator configured, derived in memory at start and never stored, or
// from a stored credential (a generated password), derived from its random
// key seed. Either way, nodes that share the source accept each other's
// sessions and portal links.
type Keyring struct {
	// stretch turns a candidate password into what verifier holds for the
	// right one.
	stretch  func(password string) ([]byte, error)
	verifier []byte
	session  []byte // MACs session cookies
	csrf     []byte // derives per-session CSRF tokens
	portal   []byte // MACs portal link tokens
}

// NewKeyring builds the keyring from exactly one of a configured password
// and a stored credential.
func NewKeyring(password string, cred *domain.ConsoleCredential) (*Keyring, error) {
	switch {
	case password != "" && cred != nil:
		return nil, errors.New("console: give an operator password or a stored credential, not both")
	case password != "":
		return passwordKeyring(password)
	case cred != nil:
		return credentialKeyring(cred)
	}
	return nil, errors.New("console: an operator password or a stored credential is required")
}

// passwordSalt is the configured password's salt. It is fixed on purpose:
// every node must derive the same keys from the same password, and nothing
// is stored where a random salt could be shared.
const passwordSalt = "lmshooks/console/v1"

// deriveMaster stretches a configured password.
func deriveMaster(password string) ([]byte, error) {
	k, err := pbkdf2.Key(sha256.New, password, []byte(passwordSalt), passwordIterations, 32)
	if err != nil {
		return nil, fmt.Errorf("derive console keys: %w", err)
	}
	return k, nil
}

// passwordKeyring derives every key from a configured password.
func passwordKeyring(password string) (*Keyring, error) {
	master, err := deriveMaster(password)
	if err != nil {
		return nil, err
	}
	stretch := func(p string) ([]byte, error) {
		m, err := deriveMaster(p)
		if err != nil {
			return nil, err
		}
		return mac(m, "login"), nil
	}
	return &Keyring{
		stretch:  stretch,
		verifier: mac(master, "login"),
		session:  mac(master, "session"),
		csrf:     mac(master, "csrf"),
		portal:   mac(master, "portal-link"),
	}, nil
}

// seedLabel prefixes the labels of keys derived from a stored key seed,
// keeping them apart from any other use of HMAC-SHA256 with that seed.
const seedLabel = "lmshooks/console/seed/v1/"

// credentialKeyring checks passwords against a stored credential's
// verifier and derives the keys from its seed: a start costs no PBKDF2,
// and the keys do not depend on the password.
func credentialKeyring(c *domain.ConsoleCredential) (*Keyring, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("console: stored password: %w", err)
	}
	salt, iterations, size := c.Salt, c.Iterations, len(c.Verifier)
	return &Keyring{
		stretch: func(p string) ([]byte, error) {
			return pbkdf2.Key(sha256.New, p, salt, iterations, size)
		},
		verifier: c.Verifier,
		session:  mac(c.KeySeed, seedLabel+"session"),
		csrf:     mac(c.KeySeed, seedLabel+"csrf"),
		portal:   mac(c.KeySeed, seedLabel+"portal-link"),
	}, nil
}

// CheckPassword reports whether password is the operator's, in constant
// time with respect to the verifier: the candidate is always stretched in
// full and compared whole.
func (k *Keyring) CheckPassword(password string) bool {
	got, err := k.stretch(password)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, k.verifier) == 1
}

// mac returns HMAC-SHA256(key, msg).
func mac(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
