package sqlite

import (
	"context"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// insertRenderConfigs stores configs not stored yet (see domain.BodyRef).
func insertRenderConfigs(tx *wtx, configs []domain.RenderConfig) error {
	for _, c := range configs {
		if _, err := tx.exec(`INSERT OR IGNORE INTO render_configs (key, webhook_id, tenant_id, format, format_options)
			VALUES (?, ?, ?, ?, ?)`, c.Key(), c.WebhookID, c.TenantID, c.Format, nullBytes(c.FormatOptions)); err != nil {
			return err
		}
	}
	return nil
}

// renderConfig reads the config stored under key, from the cache when it
// holds it (a config never changes).
func (s *Store) renderConfig(ctx context.Context, key []byte) (domain.RenderConfig, error) {
	if c, ok := s.renderConfigs.Get(key); ok {
		return c, nil
	}
	var c domain.RenderConfig
	var opts []byte
	if err := s.rdb.QueryRowContext(ctx, `SELECT webhook_id, tenant_id, format, format_options FROM render_configs WHERE key = ?`,
		key).Scan(&c.WebhookID, &c.TenantID, &c.Format, &opts); err != nil {
		return c, err
	}
	if len(opts) > 0 {
		c.FormatOptions = opts
	}
	s.renderConfigs.Put(c)
	return c, nil
}
