// Package sealed keeps the secrets a store holds encrypted at rest: it
// wraps a store.Store, either database's, and seals every secret on its
// way in and opens it on its way out (package secretbox). The stores below
// only store what they are given, so no path writes a secret in clear.
//
// The secrets are a webhook's signing secrets (current and previous), its
// basic-auth password, the values of its secret headers
// (domain.Webhook.SecretHeader), and the console credential's key seed.
// The verifier and the API keys' hashes are not secrets to read back.
package sealed

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"
	"unsafe"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/secretbox"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Store is a store.Store whose secrets are sealed at rest.
type Store struct {
	store.Store
	keys *secretbox.Keyring

	// opened remembers what sealed values open to, so that reading a
	// webhook again costs a map look-up rather than a decryption.
	// Sealed values are never reused (each has a random nonce), so an
	// entry never goes stale.
	mu     sync.Mutex
	opened map[string]string
	// enabled remembers each tenant's opened EnabledWebhooks by the slice
	// the store returned: SQLite serves the same slice from its cache
	// until a write changes it, so a publish opens nothing.
	enabled map[string]enabledMemo
}

type enabledMemo struct{ raw, opened []domain.Webhook }

// Bounds of the memos; past them they start afresh.
const (
	maxOpened  = 100_000
	maxTenants = 10_000
)

// New wraps st, sealing under keys.
func New(st store.Store, keys *secretbox.Keyring) *Store {
	return &Store{Store: st, keys: keys, opened: map[string]string{}, enabled: map[string]enabledMemo{}}
}

// Unwrap returns the store below, which holds sealed values.
func (s *Store) Unwrap() store.Store { return s.Store }

// open opens one value through the memo.
func (s *Store) open(v string) (string, error) {
	if !secretbox.IsSealed(v) {
		return v, nil
	}
	s.mu.Lock()
	p, ok := s.opened[v]
	s.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := s.keys.Open(v)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	if len(s.opened) >= maxOpened {
		clear(s.opened)
	}
	s.opened[v] = p
	s.mu.Unlock()
	return p, nil
}

// sealWebhook returns a copy of w with its secrets sealed by seal.
func sealWebhook(w *domain.Webhook, seal func(string) (string, error)) (*domain.Webhook, error) {
	c := *w
	var err error
	if c.Secret, err = seal(w.Secret); err != nil {
		return nil, err
	}
	if c.PreviousSecret, err = seal(w.PreviousSecret); err != nil {
		return nil, err
	}
	if w.BasicAuth != nil {
		b := *w.BasicAuth
		if b.Password, err = seal(b.Password); err != nil {
			return nil, err
		}
		c.BasicAuth = &b
	}
	if w.Headers != nil {
		c.Headers = make(map[string]string, len(w.Headers))
		for name, v := range w.Headers {
			if w.SecretHeader(name) {
				if v, err = seal(v); err != nil {
					return nil, err
				}
			}
			c.Headers[name] = v
		}
	}
	return &c, nil
}

// seal seals w's secrets under the newest key.
func (s *Store) seal(w *domain.Webhook) *domain.Webhook {
	c, _ := sealWebhook(w, func(v string) (string, error) { return s.keys.Seal(v), nil })
	return c
}

// openWebhook opens w's secrets; an error names the webhook and the key.
func (s *Store) openWebhook(w *domain.Webhook) (*domain.Webhook, error) {
	c, err := sealWebhook(w, s.open)
	if err != nil {
		return nil, fmt.Errorf("webhook %s: %w", w.ID, err)
	}
	return c, nil
}

// CreateWebhook stores w with its secrets sealed.
func (s *Store) CreateWebhook(ctx context.Context, w *domain.Webhook) error {
	return s.Store.CreateWebhook(ctx, s.seal(w))
}

// UpdateWebhook stores w with its secrets sealed.
func (s *Store) UpdateWebhook(ctx context.Context, w *domain.Webhook, now time.Time) (int, error) {
	return s.Store.UpdateWebhook(ctx, s.seal(w), now)
}

// GetWebhook returns a webhook with its secrets opened.
func (s *Store) GetWebhook(ctx context.Context, tenantID, id string) (*domain.Webhook, error) {
	w, err := s.Store.GetWebhook(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	return s.openWebhook(w)
}

// WebhookByID returns a webhook with its secrets opened.
func (s *Store) WebhookByID(ctx context.Context, id string) (*domain.Webhook, error) {
	w, err := s.Store.WebhookByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.openWebhook(w)
}

// ListWebhooks lists webhooks with their secrets opened.
func (s *Store) ListWebhooks(ctx context.Context, tenantID string, p store.Page) ([]domain.Webhook, string, error) {
	hooks, next, err := s.Store.ListWebhooks(ctx, tenantID, p)
	if err != nil {
		return nil, "", err
	}
	opened, err := s.openAll(hooks)
	return opened, next, err
}

// EnabledWebhooks returns a tenant's enabled webhooks with their secrets
// opened, opening them once for each slice the store hands out.
func (s *Store) EnabledWebhooks(ctx context.Context, tenantID string) ([]domain.Webhook, error) {
	raw, err := s.Store.EnabledWebhooks(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	m, ok := s.enabled[tenantID]
	s.mu.Unlock()
	// The memo holds raw, so its array cannot be freed and reused: the
	// same address is the same slice.
	if ok && len(m.raw) == len(raw) && unsafe.SliceData(m.raw) == unsafe.SliceData(raw) {
		return m.opened, nil
	}
	opened, err := s.openAll(raw)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.enabled) >= maxTenants {
		clear(s.enabled)
	}
	s.enabled[tenantID] = enabledMemo{raw: raw, opened: opened}
	s.mu.Unlock()
	return opened, nil
}

func (s *Store) openAll(hooks []domain.Webhook) ([]domain.Webhook, error) {
	out := make([]domain.Webhook, len(hooks))
	for i := range hooks {
		w, err := s.openWebhook(&hooks[i])
		if err != nil {
			return nil, err
		}
		out[i] = *w
	}
	return out, nil
}

// sealedSeed reports whether a stored key seed is sealed: a clear one is
// random bytes of domain.ConsoleKeySeedBytes.
func sealedSeed(seed []byte) bool {
	return len(seed) != domain.ConsoleKeySeedBytes && secretbox.IsSealed(string(seed))
}

func (s *Store) sealCredential(c *domain.ConsoleCredential) *domain.ConsoleCredential {
	out := *c
	out.KeySeed = []byte(s.keys.Seal(string(c.KeySeed)))
	return &out
}

func (s *Store) openCredential(c *domain.ConsoleCredential) (*domain.ConsoleCredential, error) {
	if !sealedSeed(c.KeySeed) {
		return c, nil
	}
	seed, err := s.keys.Open(string(c.KeySeed))
	if err != nil {
		return nil, fmt.Errorf("console credential: %w", err)
	}
	out := *c
	out.KeySeed = []byte(seed)
	return &out, nil
}

// GetConsoleCredential returns the credential with its key seed opened.
func (s *Store) GetConsoleCredential(ctx context.Context) (*domain.ConsoleCredential, error) {
	c, err := s.Store.GetConsoleCredential(ctx)
	if err != nil {
		return nil, err
	}
	return s.openCredential(c)
}

// EnsureConsoleCredential stores c with its key seed sealed, unless one is
// stored, and returns the stored one opened.
func (s *Store) EnsureConsoleCredential(ctx context.Context, c *domain.ConsoleCredential) (*domain.ConsoleCredential, bool, error) {
	stored, created, err := s.Store.EnsureConsoleCredential(ctx, s.sealCredential(c))
	if err != nil {
		return nil, false, err
	}
	if created {
		return c, true, nil
	}
	stored, err = s.openCredential(stored)
	return stored, false, err
}

// ReplaceConsoleCredential stores c with its key seed sealed.
func (s *Store) ReplaceConsoleCredential(ctx context.Context, c *domain.ConsoleCredential) error {
	return s.Store.ReplaceConsoleCredential(ctx, s.sealCredential(c))
}

// SwapWebhookSecrets stores to, sealed, as the webhook's secrets if they
// are still from, as this store reads them (opened).
func (s *Store) SwapWebhookSecrets(ctx context.Context, id string, from, to store.WebhookSecrets) (bool, error) {
	raw, err := s.Store.WebhookByID(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	opened, err := s.openWebhook(raw)
	if err != nil {
		return false, err
	}
	cur := store.SecretsOf(opened)
	if cur.Secret != from.Secret || cur.PreviousSecret != from.PreviousSecret || cur.BasicAuthPassword != from.BasicAuthPassword || !maps.Equal(cur.Headers, from.Headers) {
		return false, nil
	}
	next := *opened
	next.Secret, next.PreviousSecret, next.Headers = to.Secret, to.PreviousSecret, to.Headers
	if next.BasicAuth != nil {
		b := *next.BasicAuth
		b.Password = to.BasicAuthPassword
		next.BasicAuth = &b
	}
	return s.Store.SwapWebhookSecrets(ctx, id, store.SecretsOf(raw), store.SecretsOf(s.seal(&next)))
}
