package postgres

import (
	"context"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// insertRenderConfigs stores configs not stored yet (see domain.BodyRef),
// in one statement of its own: committed before the attempts that refer
// to them, and harmless if those are never written.
func (s *Store) insertRenderConfigs(ctx context.Context, configs []domain.RenderConfig) error {
	if len(configs) == 0 {
		return nil
	}
	keys := make([][]byte, len(configs))
	webhooks, tenants, formats := make([]string, len(configs)), make([]string, len(configs)), make([]string, len(configs))
	opts := make([][]byte, len(configs))
	for i, c := range configs {
		keys[i], webhooks[i], tenants[i], formats[i], opts[i] = c.Key(), c.WebhookID, c.TenantID, c.Format, c.FormatOptions
		if len(opts[i]) == 0 {
			opts[i] = nil
		}
	}
	// A config of a tenant deleted meanwhile is skipped (its attempts are
	// dropped too).
	if _, err := s.pool.Exec(ctx, `INSERT INTO render_configs (key, webhook_id, tenant_id, format, format_options)
		SELECT c.* FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::bytea[])
			AS c (key, webhook_id, tenant_id, format, format_options)
		WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = c.tenant_id)
		ON CONFLICT (key) DO NOTHING`, keys, webhooks, tenants, formats, opts); err != nil {
		return err
	}
	for _, c := range configs {
		s.renderConfigs.Put(c)
	}
	return nil
}
