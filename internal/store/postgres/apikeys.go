package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// CreateAPIKey stores a tenant key (its hash). ENOTFOUND if k.TenantID
// names no tenant; ECONFLICT if the id or hash is taken.
func (s *Store) CreateAPIKey(ctx context.Context, k *domain.APIKey) error {
	if s.closed.Load() {
		return errClosed
	}
	if err := store.RequireID("API key", k.ID); err != nil {
		return err
	}
	err := insertKey(ctx, s.pool, k)
	switch code, _ := pgCode(err); code {
	case codeForeignKeyViolation:
		return domain.NotFound("tenant", k.TenantID)
	case codeUniqueViolation:
		return domain.Errorf(domain.ECONFLICT, "API key %q already exists", k.ID)
	}
	return mapErr("create API key", err)
}

// APIKeyByHash finds a key by the SHA-256 hex of its secret. ENOTFOUND if
// none.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*domain.APIKey, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	var k domain.APIKey
	var tenantID *string
	err := s.pool.QueryRow(ctx, `SELECT id, tenant_id, name, prefix, hash, created_at FROM api_keys WHERE hash = $1`, hash).
		Scan(&k.ID, &tenantID, &k.Name, &k.Prefix, &k.Hash, &k.CreatedAt)
	if err != nil {
		// The hash is a secret's digest: keep it out of the message.
		return nil, mapErr("API key by hash", notFoundIfNoRows(err, "API key", ""))
	}
	if tenantID != nil {
		k.TenantID = *tenantID
	}
	k.CreatedAt = utc(k.CreatedAt)
	return &k, nil
}

// SetOperatorKey makes k the one operator key, replacing any other, in
// one transaction.
func (s *Store) SetOperatorKey(ctx context.Context, k *domain.APIKey) (bool, error) {
	if s.closed.Load() {
		return false, errClosed
	}
	if err := store.RequireID("operator key", k.ID); err != nil {
		return false, err
	}
	k.TenantID = ""
	// One statement on the single-operator index: concurrent starts wait
	// for each other instead of racing a delete against an insert, and
	// the same key again writes nothing and returns no row. A row written
	// by the update has a non-zero xmax; an inserted one has none.
	var replaced bool
	err := s.pool.QueryRow(ctx, `INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at)
		VALUES ($1, NULL, $2, $3, $4, $5)
		ON CONFLICT ((true)) WHERE tenant_id IS NULL DO UPDATE
		SET id = EXCLUDED.id, name = EXCLUDED.name, prefix = EXCLUDED.prefix, hash = EXCLUDED.hash, created_at = EXCLUDED.created_at
		WHERE api_keys.hash <> EXCLUDED.hash
		RETURNING xmax <> 0`, k.ID, k.Name, k.Prefix, k.Hash, k.CreatedAt).Scan(&replaced)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if code, _ := pgCode(err); code == codeUniqueViolation {
		return false, domain.Errorf(domain.ECONFLICT, "API key %q already exists", k.ID)
	}
	return replaced, mapErr("set operator key", err)
}

// EnsureOperatorKey stores k as the operator key unless one exists.
func (s *Store) EnsureOperatorKey(ctx context.Context, k *domain.APIKey) (bool, error) {
	if s.closed.Load() {
		return false, errClosed
	}
	if err := store.RequireID("operator key", k.ID); err != nil {
		return false, err
	}
	k.TenantID = ""
	tag, err := s.pool.Exec(ctx, `INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at)
		VALUES ($1, NULL, $2, $3, $4, $5)
		ON CONFLICT ((true)) WHERE tenant_id IS NULL DO NOTHING`, k.ID, k.Name, k.Prefix, k.Hash, k.CreatedAt)
	if err != nil {
		return false, mapErr("ensure operator key", err)
	}
	return tag.RowsAffected() == 1, nil
}

// HasOperatorKey reports whether an operator key exists.
func (s *Store) HasOperatorKey(ctx context.Context) (bool, error) {
	if s.closed.Load() {
		return false, errClosed
	}
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM api_keys WHERE tenant_id IS NULL)`).Scan(&ok)
	return ok, mapErr("has operator key", err)
}

func insertKey(ctx context.Context, db dbtx, k *domain.APIKey) error {
	var tenantID *string
	if k.TenantID != "" {
		tenantID = &k.TenantID
	}
	_, err := db.Exec(ctx, `INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ID, tenantID, k.Name, k.Prefix, k.Hash, k.CreatedAt)
	return err
}

// ListAPIKeys lists a tenant's keys, newest first. The operator key has no
// tenant, so the tenant_id match can never return it.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID string) ([]domain.APIKey, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT id, tenant_id, name, prefix, hash, created_at FROM api_keys
		WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC`, tenantID)
	if err != nil {
		return nil, mapErr("list API keys", err)
	}
	defer rows.Close()
	keys := []domain.APIKey{}
	for rows.Next() {
		var k domain.APIKey
		var tid *string
		if err := rows.Scan(&k.ID, &tid, &k.Name, &k.Prefix, &k.Hash, &k.CreatedAt); err != nil {
			return nil, mapErr("list API keys", err)
		}
		if tid != nil {
			k.TenantID = *tid
		}
		k.CreatedAt = utc(k.CreatedAt)
		keys = append(keys, k)
	}
	return keys, mapErr("list API keys", rows.Err())
}

// DeleteAPIKey removes one of a tenant's keys. ENOTFOUND if absent or of
// another tenant; the operator key (no tenant) never matches.
func (s *Store) DeleteAPIKey(ctx context.Context, tenantID, keyID string) error {
	if s.closed.Load() {
		return errClosed
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM api_keys WHERE id = $1 AND tenant_id = $2`, keyID, tenantID)
	if err != nil {
		return mapErr("delete API key", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("API key", keyID)
	}
	return nil
}
