package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// SkipDelivery is a placeholder until ordering lands (see store.Store).
func (s *Store) SkipDelivery(ctx context.Context, tenantID, id string, now time.Time) (*domain.Delivery, error) {
	return nil, errors.New("postgres: ordering not implemented yet")
}

// BlockedKeys is a placeholder until ordering lands (see store.Store).
func (s *Store) BlockedKeys(ctx context.Context, tenantID, webhookID string, limit int) ([]domain.BlockedKey, error) {
	return nil, errors.New("postgres: ordering not implemented yet")
}
