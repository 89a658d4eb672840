package api

import (
	"net/http"
)

// apiKeyInfoJSON is a stored API key on the wire: what tells keys apart,
// never the key or its hash.
type apiKeyInfoJSON struct {
	ID        string `json:"id"`
	TenantID  string `json:"tenant_id"`
	Name      string `json:"name"`
	Prefix    string `json:"prefix"`
	CreatedAt string `json:"created_at"`
}

func (a *API) listAPIKeys(w http.ResponseWriter, r *http.Request) error {
	tid := r.PathValue("tenant")
	// The operator key reaches tenants that may not exist: answer 404 for
	// them rather than an empty list, as the other tenant routes do.
	if err := a.requireTenant(r, tid); err != nil {
		return err
	}
	keys, err := a.store.ListAPIKeys(r.Context(), tid)
	if err != nil {
		return err
	}
	out := make([]apiKeyInfoJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, apiKeyInfoJSON{ID: k.ID, TenantID: k.TenantID, Name: k.Name, Prefix: k.Prefix, CreatedAt: ts(k.CreatedAt)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) deleteAPIKey(w http.ResponseWriter, r *http.Request) error {
	keyID := r.PathValue("id")
	if err := a.store.DeleteAPIKey(r.Context(), r.PathValue("tenant"), keyID); err != nil {
		return err
	}
	a.ForgetAPIKey(keyID)
	a.log.InfoContext(r.Context(), "api key revoked", "tenant", r.PathValue("tenant"), "key_id", keyID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ForgetAPIKey drops the key with id keyID from this node's key cache, so
// that a key revoked here stops working at once. Other nodes keep
// accepting it until their cached copy expires (Config.KeyCacheTTL). A
// request that read the key from the store just before it was deleted may
// cache it again for up to the TTL: revocation is immediate for every
// request that starts after it.
func (a *API) ForgetAPIKey(keyID string) {
	a.keys.dropID(keyID)
}
