// Package secretbox seals the secrets lmshooks must read back (signing
// secrets, basic-auth passwords, credential headers, the console key seed)
// with AES-256-GCM under a keyring, so that a stolen database or backup
// does not give them away.
//
// A sealed value is text, "enc:v1:<key id>:<base64(nonce|ciphertext)>", so
// that it fits the TEXT columns clear values used to be kept in, and names
// the key that opens it: keys can be rotated while old values stay
// readable.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Prefix starts every sealed value; a value without it is clear text
// (stored before encryption at rest existed).
const Prefix = "enc:v1:"

// KeySize is the size of a key: AES-256.
const KeySize = 32

// idPattern is what a key id may be: short, and free of the separator.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)

// Key is one key of a keyring.
type Key struct {
	ID     string
	Secret []byte
}

// ErrUnknownKey is wrapped by Open's error for a value sealed under a key
// the keyring does not hold.
var ErrUnknownKey = errors.New("the encryption key is not configured")

// Keyring seals under its newest key and opens under any of its keys.
type Keyring struct {
	newest string
	aeads  map[string]cipher.AEAD
}

// New builds a keyring from keys, newest first.
func New(keys []Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("no encryption key")
	}
	k := &Keyring{newest: keys[0].ID, aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, key := range keys {
		if !idPattern.MatchString(key.ID) {
			return nil, fmt.Errorf("encryption key id %q: use 1 to 32 letters, digits, '.', '_' or '-'", key.ID)
		}
		if len(key.Secret) != KeySize {
			return nil, fmt.Errorf("encryption key %q: must be %d bytes, not %d", key.ID, KeySize, len(key.Secret))
		}
		if _, dup := k.aeads[key.ID]; dup {
			return nil, fmt.Errorf("encryption key %q is given twice", key.ID)
		}
		block, err := aes.NewCipher(key.Secret)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: %w", key.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: %w", key.ID, err)
		}
		k.aeads[key.ID] = aead
	}
	return k, nil
}

// ParseKeys parses a key list: comma-separated "id:base64key" items,
// newest first (the form of LMSHOOKS_ENCRYPTION_KEYS and of a key file).
// Errors never quote a key.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, b64, ok := strings.Cut(item, ":")
		if !ok {
			return nil, fmt.Errorf("key %d: want id:base64key", i+1)
		}
		secret, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("key %q: not standard base64", id)
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	if len(keys) == 0 {
		return nil, errors.New("no key given: want id:base64key[,id:base64key…], newest first")
	}
	if _, err := New(keys); err != nil {
		return nil, err
	}
	return keys, nil
}

// GenerateKey returns a random key with the given id.
func GenerateKey(id string) Key {
	secret := make([]byte, KeySize)
	_, _ = rand.Read(secret) // never fails (crypto/rand)
	return Key{ID: id, Secret: secret}
}

// Format writes keys in the form ParseKeys reads.
func Format(keys []Key) string {
	items := make([]string, len(keys))
	for i, k := range keys {
		items[i] = k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret)
	}
	return strings.Join(items, ",")
}

// Newest returns the id of the key Seal uses.
func (k *Keyring) Newest() string { return k.newest }

// Seal encrypts plain under the newest key. The empty string stays empty:
// it is the absence of a secret, not one.
func (k *Keyring) Seal(plain string) string {
	if plain == "" {
		return ""
	}
	aead := k.aeads[k.newest]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	_, _ = rand.Read(nonce) // never fails (crypto/rand)
	out := aead.Seal(nonce, nonce, []byte(plain), nil)
	return Prefix + k.newest + ":" + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a sealed value. A value that is not sealed (IsSealed) is
// returned as it is. A value sealed under a key the keyring lacks, or
// that does not authenticate (damaged, or sealed under another key of the
// same id), is an error naming the key id: never a wrong value.
func (k *Keyring) Open(v string) (string, error) {
	if !IsSealed(v) {
		return v, nil
	}
	id, b64, ok := strings.Cut(v[len(Prefix):], ":")
	if !ok {
		return "", errors.New("a sealed secret is malformed")
	}
	aead, ok := k.aeads[id]
	if !ok {
		return "", fmt.Errorf("a secret is sealed under encryption key %q: %w (LMSHOOKS_ENCRYPTION_KEYS must list it)", id, ErrUnknownKey)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", fmt.Errorf("a secret sealed under encryption key %q is malformed", id)
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("a secret sealed under encryption key %q does not open: the key %q configured is not the one it was sealed with, or the value is damaged", id, id)
	}
	return string(plain), nil
}

// IsSealed reports whether v is a sealed value rather than clear text.
func IsSealed(v string) bool { return strings.HasPrefix(v, Prefix) }

// Current reports whether v needs no resealing: empty, or sealed under the
// newest key.
func (k *Keyring) Current(v string) bool {
	return v == "" || strings.HasPrefix(v, Prefix+k.newest+":")
}
