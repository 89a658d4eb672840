package ui

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
)

// passwordIterations is the PBKDF2-SHA256 work factor. The derived key
// only lives in memory, but session cookies are MACed with keys derived
// from it, so a stolen cookie must not make the password cheap to guess.
const passwordIterations = 200_000

// keyring holds the console's secrets, all derived at start from the
// operator's password: nothing is written to disk or to the database, and
// nodes that share the password accept each other's sessions and portal
// links.
type keyring struct {
	verifier []byte // proves knowledge of the password
	session  []byte // MACs session cookies
	csrf     []byte // derives per-session CSRF tokens
	portal   []byte // MACs portal link tokens
}

// deriveMaster stretches the password. The salt is fixed on purpose: every
// node must derive the same keys from the same password.
func deriveMaster(password string) ([]byte, error) {
	k, err := pbkdf2.Key(sha256.New, password, []byte("lmshooks/console/v1"), passwordIterations, 32)
	if err != nil {
		return nil, fmt.Errorf("derive console keys: %w", err)
	}
	return k, nil
}

// newKeyring derives the console's keys from the operator's password.
func newKeyring(password string) (*keyring, error) {
	if password == "" {
		return nil, fmt.Errorf("console: an operator password is required")
	}
	master, err := deriveMaster(password)
	if err != nil {
		return nil, err
	}
	return &keyring{
		verifier: mac(master, "login"),
		session:  mac(master, "session"),
		csrf:     mac(master, "csrf"),
		portal:   mac(master, "portal-link"),
	}, nil
}

// checkPassword reports whether password is the operator's, in constant
// time with respect to the stored verifier.
func (k *keyring) checkPassword(password string) bool {
	master, err := deriveMaster(password)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(mac(master, "login"), k.verifier) == 1
}

// mac returns HMAC-SHA256(key, msg).
func mac(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
