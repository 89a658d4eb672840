package postgres

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// UsePortalLink records that a portal link has been used. ECONFLICT if it
// was recorded already: the primary key lets exactly one of racing callers
// in, whatever node each is on.
func (s *Store) UsePortalLink(ctx context.Context, id string, expires time.Time) error {
	if s.closed.Load() {
		return errClosed
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO used_portal_links (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO NOTHING`, id, expires)
	if err != nil {
		return mapErr("use portal link", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Errorf(domain.ECONFLICT, "portal link %q has been used already", id)
	}
	return nil
}

// ForgetUsedPortalLinks forgets the used portal links that expired before
// before.
func (s *Store) ForgetUsedPortalLinks(ctx context.Context, before time.Time) (int64, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM used_portal_links WHERE expires_at < $1`, before)
	if err != nil {
		return 0, mapErr("forget used portal links", err)
	}
	return tag.RowsAffected(), nil
}
