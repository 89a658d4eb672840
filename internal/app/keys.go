package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/secretbox"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sealed"
)

// keyFileID names the key of a generated key file.
const keyFileID = "local1"

// encryptionKeys returns the keyring that seals the stored secrets: the
// configured keys, or on SQLite without any, the key file beside the
// database, generated on first start (so that two commands still set
// lmshooks up). PostgreSQL serves several nodes, which must share keys
// that no one file beside a database can hold: it needs them configured.
func encryptionKeys(cfg config.Config, kind, dsn string, log *slog.Logger) (*secretbox.Keyring, error) {
	if len(cfg.EncryptionKeys) > 0 {
		return secretbox.New(cfg.EncryptionKeys)
	}
	if kind == "postgres" {
		return nil, errors.New("LMSHOOKS_ENCRYPTION_KEYS is required with PostgreSQL: it encrypts the webhook secrets stored in the database, and every node needs the same keys. Generate one with: echo \"k1:$(openssl rand -base64 32)\" (see docs/OPERATIONS.md, Encryption at rest)")
	}
	path := dsn + ".key"
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return generateKeyFile(path, log)
	}
	if err != nil {
		return nil, fmt.Errorf("encryption key file: %w", err)
	}
	keys, err := secretbox.ParseKeys(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("encryption key file %s: %w", path, err)
	}
	return secretbox.New(keys)
}

// generateKeyFile writes a new key to path, readable by its owner only.
// O_EXCL: of two processes starting at once, one writes it and the other
// fails rather than overwrite a key already in use.
func generateKeyFile(path string, log *slog.Logger) (*secretbox.Keyring, error) {
	key := secretbox.GenerateKey(keyFileID)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("encryption key file: %w", err)
	}
	if _, err := f.WriteString(secretbox.Format([]secretbox.Key{key}) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("encryption key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("encryption key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("encryption key file: %w", err)
	}
	log.Info("generated the key that encrypts stored secrets: back it up with the database, which cannot be used without it (or set LMSHOOKS_ENCRYPTION_KEYS)", "file", path)
	return secretbox.New([]secretbox.Key{key})
}

// sealStore wraps st so that its secrets are sealed at rest, and seals
// those still stored in clear (written by a version without encryption at
// rest). The pass opens every stored secret, so keys that cannot open
// them fail the start here with the key's id, before anything is sent.
func sealStore(ctx context.Context, st store.Store, keys *secretbox.Keyring, log *slog.Logger) (*sealed.Store, error) {
	s := sealed.New(st, keys)
	r, err := s.Reseal(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("stored secrets: %w", err)
	}
	if r.Webhooks > 0 || r.Console {
		log.Info("encrypted the secrets stored in clear", "webhooks", r.Webhooks, "console_credential", r.Console)
	}
	return s, nil
}

// Rekey seals every stored secret under the newest configured key, online,
// and reports what it did.
func Rekey(ctx context.Context, cfg config.Config, log *slog.Logger) (sealed.Resealed, error) {
	st, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return sealed.Resealed{}, err
	}
	defer st.Close()
	return st.(*sealed.Store).Reseal(ctx, true)
}
