package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/api"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// tenantsData is the tenants page's data.
type tenantsData struct {
	Tenants []domain.Tenant
	Next    string
	Form    tenantForm
	Errors  map[string]string
}

// tenantForm holds the create-tenant form as typed.
type tenantForm struct {
	ID, Name, Environment, MaxWebhooks string
}

func (c *Console) tenantsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return c.renderTenants(w, r, rc, http.StatusOK, tenantForm{Environment: string(domain.Production)}, nil)
}

func (c *Console) renderTenants(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f tenantForm, errs map[string]string) error {
	ts, next, err := c.store.ListTenants(r.Context(), store.Page{Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	c.render(w, r, rc, status, "tenants", "Tenants", "tenants", tenantsData{Tenants: ts, Next: next, Form: f, Errors: errs})
	return nil
}

// createTenant adds a tenant from the form.
func (c *Console) createTenant(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := tenantForm{
		ID:          strings.TrimSpace(r.PostFormValue("id")),
		Name:        r.PostFormValue("name"),
		Environment: r.PostFormValue("environment"),
		MaxWebhooks: strings.TrimSpace(r.PostFormValue("max_webhooks")),
	}
	now := c.clock.Now().UTC()
	t := &domain.Tenant{ID: f.ID, Name: f.Name, Environment: domain.Environment(f.Environment), CreatedAt: now, UpdatedAt: now}
	var err error
	if f.MaxWebhooks != "" {
		if t.MaxWebhooks, err = strconv.Atoi(f.MaxWebhooks); err != nil {
			err = domain.FieldErrorf("max_webhooks", "must be a whole number (0 for unlimited)")
		}
	}
	if err == nil {
		t.Normalize()
		err = t.Validate()
	}
	if err == nil {
		if t.ID == "" {
			t.ID = id.NewAt(id.Tenant, now)
		}
		err = c.store.CreateTenant(r.Context(), t)
		if domain.ErrorCode(err) == domain.ECONFLICT {
			err = domain.FieldErrorf("id", "a tenant with id %q already exists", t.ID)
		}
	}
	if err != nil {
		if field := domain.ErrorField(err); field != "" {
			return c.renderTenants(w, r, rc, http.StatusUnprocessableEntity, f, map[string]string{field: domain.ErrorMessage(err)})
		}
		return err
	}
	c.setFlash(w, rc, "Tenant “"+t.Name+"” created. Next: create a webhook for it, or an API key so the LMS can publish its events.")
	return redirect(w, r, tenantBase(t.ID)+"/")
}

// createdKeyData shows a new API key once, or a new portal link.
type createdKeyData struct {
	Tenant    *domain.Tenant
	Kind      string // "key" or "portal"
	Name      string
	Secret    string
	ExpiresAt time.Time
}

// createAPIKey makes a tenant-scoped API key and shows it once.
func (c *Console) createAPIKey(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	t, err := c.store.GetTenant(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		name = "LMS publisher"
	}
	if len(name) > 200 {
		return domain.FieldErrorf("name", "must be at most 200 characters")
	}
	key, err := api.NewKey()
	if err != nil {
		return err
	}
	now := c.clock.Now().UTC()
	k := &domain.APIKey{ID: id.NewAt(id.APIKey, now), TenantID: t.ID, Name: name, Prefix: key[:len(api.KeyPrefix)+6], Hash: api.HashKey(key), CreatedAt: now}
	if err := c.store.CreateAPIKey(r.Context(), k); err != nil {
		return err
	}
	return c.page(w, r, rc, "created_key", "API key created", "tenants", createdKeyData{Tenant: t, Kind: "key", Name: name, Secret: key})
}

// createPortalLink makes a portal link for a tenant, so the operator can
// see what the tenant's admins see (and copy it for a test embed).
func (c *Console) createPortalLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	t, err := c.store.GetTenant(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	path, exp, err := c.IssuePortalLink(t.ID, 0)
	if err != nil {
		return err
	}
	return c.page(w, r, rc, "created_key", "Portal link", "tenants", createdKeyData{Tenant: t, Kind: "portal", Secret: absURL(r, path), ExpiresAt: exp})
}
