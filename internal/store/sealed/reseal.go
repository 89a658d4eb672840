package sealed

import (
	"context"
	"fmt"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/secretbox"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Resealed counts what a Reseal pass did.
type Resealed struct {
	// Webhooks is how many webhooks had secrets sealed anew; Changed how
	// many were left because they changed during the pass (their new
	// secrets were sealed by that change).
	Webhooks, Changed int
	// Console is true when the console credential's seed was sealed anew.
	Console bool
}

// pageSize is how many rows a Reseal pass reads at once.
const pageSize = 200

// Reseal walks every webhook and the console credential, page by page,
// and seals under the newest key each secret stored in clear (written
// before encryption at rest), and with rekey each secret sealed under an
// older key too. Every stored secret is opened on the way, so a value no
// configured key opens stops the pass with an error naming its key: a
// start with the wrong keys fails there rather than sign deliveries with
// garbage. Each webhook is written by a compare-and-swap
// (store.SwapWebhookSecrets), so the pass runs online. It is idempotent.
func (s *Store) Reseal(ctx context.Context, rekey bool) (Resealed, error) {
	var r Resealed
	stale := func(v string) bool {
		return !secretbox.IsSealed(v) || (rekey && !s.keys.Current(v))
	}
	cursor := ""
	for {
		tenants, next, err := s.Store.ListTenants(ctx, store.Page{Cursor: cursor, Limit: pageSize})
		if err != nil {
			return r, fmt.Errorf("reseal: %w", err)
		}
		for _, t := range tenants {
			if err := s.resealTenant(ctx, t.ID, stale, &r); err != nil {
				return r, err
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	c, err := s.Store.GetConsoleCredential(ctx)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("reseal: %w", err)
	}
	opened, err := s.openCredential(c)
	if err != nil {
		return r, err
	}
	if !sealedSeed(c.KeySeed) || (rekey && !s.keys.Current(string(c.KeySeed))) {
		// A password reset racing this would be undone: rekey is run by
		// the operator, who does not reset the password at that moment.
		if err := s.Store.ReplaceConsoleCredential(ctx, s.sealCredential(opened)); err != nil {
			return r, fmt.Errorf("reseal console credential: %w", err)
		}
		r.Console = true
	}
	return r, nil
}

func (s *Store) resealTenant(ctx context.Context, tenantID string, stale func(string) bool, r *Resealed) error {
	cursor := ""
	for {
		hooks, next, err := s.Store.ListWebhooks(ctx, tenantID, store.Page{Cursor: cursor, Limit: pageSize})
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil // a tenant deleted meanwhile has nothing left to seal
		}
		if err != nil {
			return fmt.Errorf("reseal: %w", err)
		}
		for i := range hooks {
			w := &hooks[i]
			opened, err := s.openWebhook(w)
			if err != nil {
				return err
			}
			if !anyStale(w, stale) {
				continue
			}
			swapped, err := s.Store.SwapWebhookSecrets(ctx, w.ID, store.SecretsOf(w), store.SecretsOf(s.seal(opened)))
			if err != nil {
				return fmt.Errorf("reseal webhook %s: %w", w.ID, err)
			}
			if swapped {
				r.Webhooks++
			} else {
				r.Changed++
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// anyStale reports whether any secret of w is stale.
func anyStale(w *domain.Webhook, stale func(string) bool) bool {
	found := false
	_, _ = sealWebhook(w, func(v string) (string, error) {
		if v != "" && stale(v) {
			found = true
		}
		return v, nil
	})
	return found
}
