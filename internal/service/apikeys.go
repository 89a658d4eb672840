package service

import (
	"context"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// DefaultKeyCacheTTL is how long a successful API key lookup is reused
// without asking the store, and so how long a revoked key (or a key of a
// deleted tenant) may keep working on another node.
const DefaultKeyCacheTTL = 10 * time.Second

// maxKeyName bounds an API key's name.
const maxKeyName = 200

// APIKeysConfig configures APIKeys.
type APIKeysConfig struct {
	// CacheTTL is how long successful key lookups are cached (default
	// DefaultKeyCacheTTL; negative disables the cache).
	CacheTTL time.Duration
}

// APIKeys makes, lists, revokes and checks tenants' API keys. It keeps
// this node's cache of key lookups, so a key revoked through it (from the
// API or the console) stops working on this node at once.
type APIKeys struct {
	d     Deps
	cache *keyCache
}

// NewAPIKeys returns the API keys service.
func NewAPIKeys(d Deps, cfg APIKeysConfig) *APIKeys {
	d = d.withDefaults()
	ttl := cfg.CacheTTL
	if ttl == 0 {
		ttl = DefaultKeyCacheTTL
	}
	return &APIKeys{d: d, cache: newKeyCache(d.Clock, ttl, keyCacheSize)}
}

// Create makes a key of tenantID named name. The key is returned here
// only: the store keeps its hash (auth.NewKeyRecord). ENOTFOUND if the
// tenant does not exist.
func (s *APIKeys) Create(ctx context.Context, tenantID, name string) (rec *domain.APIKey, key string, err error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, "", domain.FieldErrorf("name", "is required: say who or what uses the key")
	}
	if len(name) > maxKeyName {
		return nil, "", domain.FieldErrorf("name", "must be at most %d characters", maxKeyName)
	}
	key = auth.NewKey()
	rec = auth.NewKeyRecord(s.d.IDs, tenantID, name, key, s.d.Clock.Now().UTC())
	if err := s.d.Store.CreateAPIKey(ctx, rec); err != nil {
		return nil, "", err
	}
	return rec, key, nil
}

// List returns a tenant's keys, newest first; ENOTFOUND for a tenant that
// does not exist (rather than an empty list). The operator key is never
// among them.
func (s *APIKeys) List(ctx context.Context, tenantID string) ([]domain.APIKey, error) {
	if _, err := s.d.Store.GetTenant(ctx, tenantID); err != nil {
		return nil, err
	}
	return s.d.Store.ListAPIKeys(ctx, tenantID)
}

// Get returns the key keyID of tenantID; ENOTFOUND if the tenant has no
// such key (the operator key is never one of a tenant's).
func (s *APIKeys) Get(ctx context.Context, tenantID, keyID string) (*domain.APIKey, error) {
	keys, err := s.d.Store.ListAPIKeys(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if keys[i].ID == keyID {
			return &keys[i], nil
		}
	}
	return nil, domain.NotFound("API key", keyID)
}

// Revoke deletes the key keyID of tenantID and forgets it on this node at
// once. Other nodes keep accepting it until their cached copy expires
// (APIKeysConfig.CacheTTL). A request that read the key from the store
// just before it was deleted may cache it again for up to the TTL:
// revocation is immediate for every request that starts after it.
func (s *APIKeys) Revoke(ctx context.Context, tenantID, keyID string) error {
	if err := s.d.Store.DeleteAPIKey(ctx, tenantID, keyID); err != nil {
		return err
	}
	s.cache.dropID(keyID)
	s.d.Logger.InfoContext(ctx, "api key revoked", "tenant", tenantID, "key_id", keyID)
	return nil
}

// Authenticate returns the stored record of key; EUNAUTHORIZED if no such
// key exists. Successful lookups are cached for the TTL.
func (s *APIKeys) Authenticate(ctx context.Context, key string) (*domain.APIKey, error) {
	hash := auth.HashKey(key)
	if k := s.cache.get(hash); k != nil {
		return k, nil
	}
	k, err := s.d.Store.APIKeyByHash(ctx, hash)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "invalid API key")
	}
	if err != nil {
		return nil, err
	}
	s.cache.put(hash, k)
	return k, nil
}

// forgetTenant drops every cached key of a deleted tenant.
func (s *APIKeys) forgetTenant(tenantID string) {
	s.cache.dropTenant(tenantID)
}
