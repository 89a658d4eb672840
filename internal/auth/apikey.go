package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

// KeyPrefix starts every API key lmshooks mints, so that leaked keys are
// easy to spot (secret scanners, logs).
const KeyPrefix = "lmsk_"

// PrefixLen is how many leading characters of a key are stored in clear
// (domain.APIKey.Prefix) to tell keys apart in lists: "lmsk_" and the
// first 6 characters of the random part, as docs/API.md shows
// ("lmsk_Vx3Qd8"). A key shorter than 4×PrefixLen (only a configured
// operator key can be) keeps a quarter of its length in clear instead, so
// that the prefix never gives most of a short key away.
const PrefixLen = len(KeyPrefix) + 6

// keyBytes is the randomness of a minted key: 256 bits.
const keyBytes = 32

// NewKey returns a fresh API key: "lmsk_" and the base64url of 32 random
// bytes (43 characters).
func NewKey() string {
	b := make([]byte, keyBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashKey returns how an API key is stored and looked up: the hex SHA-256
// of the key. A fast hash is enough because minted keys are 256 random
// bits.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// KeyPrefixOf returns the part of key stored in clear (see PrefixLen).
func KeyPrefixOf(key string) string {
	return key[:min(PrefixLen, len(key)/4)]
}

// NewKeyRecord returns the stored record of key: a new id, its clear
// prefix and its hash, never the key itself. tenantID "" makes the
// operator key. Every domain.APIKey lmshooks stores is built here.
func NewKeyRecord(ids *id.Generator, tenantID, name, key string, now time.Time) *domain.APIKey {
	return &domain.APIKey{
		ID:        ids.NewAt(id.APIKey, now),
		TenantID:  tenantID,
		Name:      name,
		Prefix:    KeyPrefixOf(key),
		Hash:      HashKey(key),
		CreatedAt: now,
	}
}
