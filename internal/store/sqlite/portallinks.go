package sqlite

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// UsePortalLink records that a portal link has been used. ECONFLICT if it
// was recorded already: the primary key lets exactly one of racing callers
// in.
func (s *Store) UsePortalLink(ctx context.Context, id string, expires time.Time) error {
	return s.write(ctx, "use portal link", func(tx *wtx) error {
		_, err := tx.exec(`INSERT INTO used_portal_links (id, expires_at) VALUES (?, ?)`, id, micros(expires))
		if isUnique(err) {
			return domain.Errorf(domain.ECONFLICT, "portal link %q has been used already", id)
		}
		return err
	})
}

// ForgetUsedPortalLinks forgets the used portal links that expired before
// before.
func (s *Store) ForgetUsedPortalLinks(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, "forget used portal links", func(tx *wtx) error {
		var err error
		n, err = tx.exec(`DELETE FROM used_portal_links WHERE expires_at < ?`, micros(before))
		return err
	})
	return n, err
}
