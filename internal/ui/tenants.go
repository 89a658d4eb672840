package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/web"
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
	ts, next, err := c.tenants.List(r.Context(), store.Page{Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	c.render(w, r, rc, status, "tenants", "Tenants", "tenants", tenantsData{Tenants: ts, Next: next, Form: f, Errors: errs})
	return nil
}

// createTenant adds a tenant from the form; the tenants service validates
// it as it does for the API.
func (c *Console) createTenant(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := tenantForm{
		ID:          strings.TrimSpace(r.PostFormValue("id")),
		Name:        r.PostFormValue("name"),
		Environment: r.PostFormValue("environment"),
		MaxWebhooks: strings.TrimSpace(r.PostFormValue("max_webhooks")),
	}
	t, err := c.createTenantFrom(r, f)
	if err != nil {
		if field := domain.ErrorField(err); field != "" {
			_, status := web.Code(err)
			return c.renderTenants(w, r, rc, status, f, map[string]string{field: domain.ErrorMessage(err)})
		}
		return err
	}
	c.setFlash(w, rc, "Tenant “"+t.Name+"” created. Next: create a webhook for it, or an API key so the LMS can publish its events.")
	return redirect(w, r, tenantBase(t.ID)+"/")
}

// createTenantFrom decodes the form and creates the tenant.
func (c *Console) createTenantFrom(r *http.Request, f tenantForm) (*domain.Tenant, error) {
	in := service.TenantInput{ID: &f.ID, Name: &f.Name, Environment: &f.Environment}
	if f.MaxWebhooks != "" {
		n, err := strconv.Atoi(f.MaxWebhooks)
		if err != nil {
			return nil, domain.FieldErrorf("max_webhooks", "must be a whole number (0 for unlimited)")
		}
		in.MaxWebhooks = &n
	}
	return c.tenants.Create(r.Context(), in)
}

// createdKeyData shows a new API key once, or a new portal link.
type createdKeyData struct {
	Tenant    *domain.Tenant
	Kind      string // "key" or "portal"
	Name      string
	Secret    string
	ExpiresAt time.Time
}

// defaultKeyName names a key made from the tenants page without a name.
const defaultKeyName = "LMS publisher"

// createAPIKey makes a tenant-scoped API key and shows it once.
func (c *Console) createAPIKey(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	t, err := c.tenants.Get(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	name := r.PostFormValue("name")
	if strings.TrimSpace(name) == "" {
		name = defaultKeyName
	}
	k, key, err := c.apiKeys.Create(r.Context(), t.ID, name)
	if err != nil {
		return err
	}
	return c.page(w, r, rc, "created_key", "API key created", "tenants", createdKeyData{Tenant: t, Kind: "key", Name: k.Name, Secret: key})
}

// createPortalLink makes a portal link for a tenant, so the operator can
// see what the tenant's admins see (and copy it for a test embed).
func (c *Console) createPortalLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	t, err := c.tenants.Get(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	link, err := c.portal.Issue(r.Context(), t.ID, nil)
	if err != nil {
		return err
	}
	u, err := c.publicURL.Abs(r, link.Path)
	if err != nil {
		return err
	}
	return c.page(w, r, rc, "created_key", "Portal link", "tenants", createdKeyData{Tenant: t, Kind: "portal", Secret: u, ExpiresAt: link.ExpiresAt})
}

// revokePortal ends every portal session of a tenant and voids its unused
// portal links. It signs the tenant's admins out, so without confirm=yes
// it only asks first.
func (c *Console) revokePortal(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	t, err := c.tenants.Get(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return c.page(w, r, rc, "confirm_revoke_portal", "Revoke portal access", "tenants", t)
	}
	if err := c.portal.Revoke(r.Context(), t.ID); err != nil {
		return err
	}
	c.setFlash(w, rc, "Portal access of “"+t.Name+"” revoked: its portal sessions have ended and its unused links no longer open. Links made from now on work.")
	return redirect(w, r, tenantBase(t.ID)+"/")
}
