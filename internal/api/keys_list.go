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
	// The operator key reaches tenants that may not exist: the service
	// answers 404 for them rather than an empty list.
	keys, err := a.svc.APIKeys.List(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	out := make([]apiKeyInfoJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, apiKeyInfoJSON{ID: k.ID, TenantID: k.TenantID, Name: k.Name, Prefix: k.Prefix, CreatedAt: ts(k.CreatedAt)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// deleteAPIKey revokes a key; it stops working on this node at once.
func (a *API) deleteAPIKey(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.APIKeys.Revoke(r.Context(), r.PathValue("tenant"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
