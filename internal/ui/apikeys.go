package ui

import (
	"net/http"
	"net/url"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// apiKeysData is the data of a tenant's API keys page, and of the page
// that confirms a revocation (Confirm set).
type apiKeysData struct {
	Tenant  *domain.Tenant
	Keys    []domain.APIKey
	Confirm *domain.APIKey
}

// apiKeysPage lists a tenant's API keys, each with a Revoke button. Only
// names and prefixes show: the keys themselves are not stored.
func (c *Console) apiKeysPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	t, err := c.tenants.Get(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	keys, err := c.apiKeys.List(r.Context(), t.ID)
	if err != nil {
		return err
	}
	return c.page(w, r, rc, "api_keys", "API keys of "+t.Name, "tenants", apiKeysData{Tenant: t, Keys: keys})
}

// revokeAPIKey deletes one of a tenant's keys; the API of this node stops
// accepting it at once. Revoking breaks whatever uses the key, so without
// confirm=yes it only asks first.
func (c *Console) revokeAPIKey(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	t, err := c.tenants.Get(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	k, err := c.apiKeys.Get(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return c.page(w, r, rc, "api_keys", "Revoke API key", "tenants", apiKeysData{Tenant: t, Confirm: k})
	}
	if err := c.apiKeys.Revoke(r.Context(), t.ID, k.ID); err != nil {
		return err
	}
	c.setFlash(w, rc, "Key “"+k.Name+"” ("+k.Prefix+"…) was revoked: requests with it are refused from now on.")
	return redirect(w, r, "/tenants/"+url.PathEscape(t.ID)+"/api-keys")
}
