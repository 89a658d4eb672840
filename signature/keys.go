package signature

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// Key prefixes defined by Standard Webhooks.
const (
	// SecretPrefix starts a symmetric HMAC-SHA256 secret (v1 signatures).
	SecretPrefix = "whsec_"
	// SigningKeyPrefix starts an ed25519 private key (v1a signatures).
	SigningKeyPrefix = "whsk_"
	// PublicKeyPrefix starts an ed25519 public key, the receiver's half.
	PublicKeyPrefix = "whpk_"
)

// Secret sizes in bytes, after base64 decoding. The spec allows 24 to 64;
// we generate 32, the HMAC-SHA256 block-size sweet spot.
const (
	minSecretBytes = 24
	maxSecretBytes = 64
	newSecretBytes = 32
)

// NewSecret returns a fresh symmetric secret: "whsec_" followed by the
// base64 of 32 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, newSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("signature: generate secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// NewKeyPair returns a fresh ed25519 key pair: the sender's secret
// "whsk_" + base64(64-byte private key, seed then public key) and the
// receiver's "whpk_" + base64(32-byte public key).
func NewKeyPair() (secret, public string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("signature: generate key pair: %w", err)
	}
	return SigningKeyPrefix + base64.StdEncoding.EncodeToString(priv),
		PublicKeyPrefix + base64.StdEncoding.EncodeToString(pub), nil
}

// PublicKey returns the "whpk_" public key that verifies signatures made
// with the "whsk_" secret.
func PublicKey(secret string) (string, error) {
	priv, err := decodeSigningKey(secret)
	if err != nil {
		return "", err
	}
	pub := priv.Public().(ed25519.PublicKey)
	return PublicKeyPrefix + base64.StdEncoding.EncodeToString(pub), nil
}

// ValidateSecret reports whether s can sign deliveries: a "whsec_" secret
// of 24 to 64 bytes, or a "whsk_" ed25519 private key. Use it on secrets
// that administrators supply themselves.
func ValidateSecret(s string) error {
	switch {
	case strings.HasPrefix(s, SecretPrefix):
		b, err := decodeHMACSecret(s)
		if err != nil {
			return err
		}
		if len(b) < minSecretBytes || len(b) > maxSecretBytes {
			return fmt.Errorf("%w: a %s secret must decode to %d to %d bytes, got %d",
				ErrInvalidKey, SecretPrefix, minSecretBytes, maxSecretBytes, len(b))
		}
		return nil
	case strings.HasPrefix(s, SigningKeyPrefix):
		_, err := decodeSigningKey(s)
		return err
	default:
		return fmt.Errorf("%w: a secret must start with %q (HMAC-SHA256) or %q (ed25519)",
			ErrInvalidKey, SecretPrefix, SigningKeyPrefix)
	}
}

// NormalizeSecret validates s as ValidateSecret does and returns it with
// its key in padded standard base64: the same key, spelled as every
// Standard Webhooks library decodes it. Some decode strictly (the
// official Go library refuses unpadded base64), so a secret that an
// administrator supplied without padding is stored and handed out padded.
func NormalizeSecret(s string) (string, error) {
	if err := ValidateSecret(s); err != nil {
		return "", err
	}
	prefix := SecretPrefix
	if strings.HasPrefix(s, SigningKeyPrefix) {
		prefix = SigningKeyPrefix
	}
	b, err := decodeBase64(strings.TrimPrefix(s, prefix))
	if err != nil { // ValidateSecret decoded it already
		return "", fmt.Errorf("%w: %s secret is not valid base64", ErrInvalidKey, prefix)
	}
	return prefix + base64.StdEncoding.EncodeToString(b), nil
}

// ValidateKey reports whether key can verify deliveries, as a receiver's
// key for Verify: a "whsec_" secret, a "whpk_" public key or a "whsk_"
// secret (which stands for its public key).
func ValidateKey(key string) error {
	_, err := parseVerifyKeys([]string{key})
	return err
}

// decodeHMACSecret returns the HMAC key of a "whsec_" secret. Any
// non-empty key is accepted here so that receivers can verify senders with
// other secret sizes; ValidateSecret enforces the spec's size range.
func decodeHMACSecret(s string) ([]byte, error) {
	b, err := decodeBase64(strings.TrimPrefix(s, SecretPrefix))
	if err != nil {
		return nil, fmt.Errorf("%w: %s secret is not valid base64", ErrInvalidKey, SecretPrefix)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: %s secret is empty", ErrInvalidKey, SecretPrefix)
	}
	return b, nil
}

// decodeSigningKey returns the ed25519 private key of a "whsk_" secret,
// which holds either the 64-byte private key (seed then public key) or the
// bare 32-byte seed.
func decodeSigningKey(s string) (ed25519.PrivateKey, error) {
	rest, ok := strings.CutPrefix(s, SigningKeyPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: an ed25519 secret must start with %q", ErrInvalidKey, SigningKeyPrefix)
	}
	b, err := decodeBase64(rest)
	if err != nil {
		return nil, fmt.Errorf("%w: %s secret is not valid base64", ErrInvalidKey, SigningKeyPrefix)
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		priv := ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
		// A key whose public half does not belong to its seed would sign
		// with one key and advertise another: refuse it.
		if !bytes.Equal(priv[ed25519.SeedSize:], b[ed25519.SeedSize:]) {
			return nil, fmt.Errorf("%w: %s secret's public half does not match its seed", ErrInvalidKey, SigningKeyPrefix)
		}
		return priv, nil
	default:
		return nil, fmt.Errorf("%w: %s secret must decode to %d or %d bytes, got %d",
			ErrInvalidKey, SigningKeyPrefix, ed25519.SeedSize, ed25519.PrivateKeySize, len(b))
	}
}

// decodePublicKey returns the ed25519 public key of a "whpk_" key.
func decodePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := decodeBase64(strings.TrimPrefix(s, PublicKeyPrefix))
	if err != nil {
		return nil, fmt.Errorf("%w: %s key is not valid base64", ErrInvalidKey, PublicKeyPrefix)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: %s key must decode to %d bytes, got %d",
			ErrInvalidKey, PublicKeyPrefix, ed25519.PublicKeySize, len(b))
	}
	return ed25519.PublicKey(b), nil
}

// decodeBase64 decodes standard base64 with or without padding: the
// reference libraries pad before decoding, so unpadded keys circulate.
func decodeBase64(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
