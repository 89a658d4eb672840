package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// CreateAPIKey stores a tenant's key. ENOTFOUND if the tenant is absent;
// ECONFLICT if the hash or id is already stored.
func (s *Store) CreateAPIKey(ctx context.Context, k *domain.APIKey) error {
	if err := store.RequireID("API key", k.ID); err != nil {
		return err
	}
	return s.write(ctx, "create api key", func(tx *wtx) error {
		var tenant any
		if k.TenantID != "" {
			tenant = k.TenantID
		}
		_, err := tx.exec(`INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			k.ID, tenant, k.Name, k.Prefix, k.Hash, micros(k.CreatedAt))
		switch {
		case isForeignKey(err):
			return domain.NotFound("tenant", k.TenantID)
		case isUnique(err):
			return domain.Errorf(domain.ECONFLICT, "the API key already exists")
		}
		return err
	})
}

// APIKeyByHash finds a key by the SHA-256 hex of its secret. ENOTFOUND if
// none.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*domain.APIKey, error) {
	var k domain.APIKey
	var tenant sql.NullString
	var created int64
	err := s.rdb.QueryRowContext(ctx, `SELECT id, tenant_id, name, prefix, hash, created_at FROM api_keys WHERE hash = ?`, hash).
		Scan(&k.ID, &tenant, &k.Name, &k.Prefix, &k.Hash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		// The hash is a secret's fingerprint: keep it out of the message.
		return nil, domain.Errorf(domain.ENOTFOUND, "API key not found")
	}
	if err != nil {
		return nil, mapErr("api key by hash", err)
	}
	k.TenantID = tenant.String
	k.CreatedAt = fromMicros(created)
	return &k, nil
}

// SetOperatorKey makes k the one operator key, replacing any other, in one
// transaction; the same key again changes nothing.
func (s *Store) SetOperatorKey(ctx context.Context, k *domain.APIKey) (bool, error) {
	if err := store.RequireID("operator key", k.ID); err != nil {
		return false, err
	}
	var replaced int64
	err := s.write(ctx, "set operator key", func(tx *wtx) error {
		var err error
		if replaced, err = tx.exec(`DELETE FROM api_keys WHERE tenant_id IS NULL AND hash <> ?`, k.Hash); err != nil {
			return err
		}
		_, err = insertOperatorKey(tx, k)
		return err
	})
	return err == nil && replaced > 0, err
}

// EnsureOperatorKey stores k as the operator key unless one exists.
func (s *Store) EnsureOperatorKey(ctx context.Context, k *domain.APIKey) (bool, error) {
	if err := store.RequireID("operator key", k.ID); err != nil {
		return false, err
	}
	var n int64
	err := s.write(ctx, "ensure operator key", func(tx *wtx) error {
		var err error
		n, err = insertOperatorKey(tx, k)
		return err
	})
	return n == 1, err
}

// insertOperatorKey stores k as the operator key unless there is one, and
// returns how many keys it stored (0 or 1).
func insertOperatorKey(tx *wtx, k *domain.APIKey) (int64, error) {
	n, err := tx.exec(`INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at)
		SELECT ?, NULL, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE tenant_id IS NULL)`,
		k.ID, k.Name, k.Prefix, k.Hash, micros(k.CreatedAt))
	if isUnique(err) {
		return 0, domain.Errorf(domain.ECONFLICT, "the API key already exists")
	}
	return n, err
}

// HasOperatorKey reports whether an operator key exists.
func (s *Store) HasOperatorKey(ctx context.Context) (bool, error) {
	var n int
	if err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE tenant_id IS NULL`).Scan(&n); err != nil {
		return false, mapErr("has operator key", err)
	}
	return n > 0, nil
}
