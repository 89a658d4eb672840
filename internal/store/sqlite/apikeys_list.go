package sqlite

import (
	"context"
	"database/sql"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// ListAPIKeys lists a tenant's keys, newest first. The operator key has no
// tenant, so the tenant_id match can never return it.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID string) ([]domain.APIKey, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, tenant_id, name, prefix, hash, created_at FROM api_keys
		WHERE tenant_id = ? ORDER BY created_at DESC, id DESC`, tenantID)
	if err != nil {
		return nil, mapErr("list api keys", err)
	}
	defer rows.Close()
	keys := []domain.APIKey{}
	for rows.Next() {
		var k domain.APIKey
		var tenant sql.NullString
		var created int64
		if err := rows.Scan(&k.ID, &tenant, &k.Name, &k.Prefix, &k.Hash, &created); err != nil {
			return nil, mapErr("list api keys", err)
		}
		k.TenantID = tenant.String
		k.CreatedAt = fromMicros(created)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list api keys", err)
	}
	return keys, nil
}

// DeleteAPIKey removes one of a tenant's keys. ENOTFOUND if absent or of
// another tenant; the operator key (no tenant) never matches.
func (s *Store) DeleteAPIKey(ctx context.Context, tenantID, keyID string) error {
	return s.write(ctx, "delete api key", func(tx *wtx) error {
		n, err := tx.exec(`DELETE FROM api_keys WHERE id = ? AND tenant_id = ?`, keyID, tenantID)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("API key", keyID)
		}
		return nil
	})
}
