package api

import (
	"net/http"
)

// apiKeyJSON is a created API key on the wire; Key is shown only here.
type apiKeyJSON struct {
	ID        string `json:"id"`
	TenantID  string `json:"tenant_id"`
	Name      string `json:"name"`
	Key       string `json:"key"`
	Prefix    string `json:"prefix"`
	CreatedAt string `json:"created_at"`
}

func (a *API) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	k, key, err := a.svc.APIKeys.Create(r.Context(), r.PathValue("tenant"), in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, apiKeyJSON{
		ID: k.ID, TenantID: k.TenantID, Name: k.Name, Key: key, Prefix: k.Prefix, CreatedAt: ts(k.CreatedAt),
	})
}
