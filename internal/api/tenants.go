package api

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// tenantJSON is a tenant on the wire.
type tenantJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Environment string `json:"environment"`
	MaxWebhooks int    `json:"max_webhooks"`
	// RetentionDays is 0 when the tenant keeps the server's default.
	RetentionDays int    `json:"retention_days"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

func toTenantJSON(t *domain.Tenant) tenantJSON {
	return tenantJSON{
		ID:            t.ID,
		Name:          t.Name,
		Environment:   string(t.Environment),
		MaxWebhooks:   t.MaxWebhooks,
		RetentionDays: t.RetentionDays,
		CreatedAt:     ts(t.CreatedAt),
		UpdatedAt:     ts(t.UpdatedAt),
	}
}

// tenantInput is the body of a tenant create or change; absent fields
// (nil) keep their value.
type tenantInput struct {
	ID          *string `json:"id"`
	Name        *string `json:"name"`
	Environment *string `json:"environment"`
	MaxWebhooks *int    `json:"max_webhooks"`
	// RetentionDays 0 restores the server's default.
	RetentionDays *int `json:"retention_days"`
}

// apply copies the present fields onto t.
func (in *tenantInput) apply(t *domain.Tenant) {
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.Environment != nil {
		t.Environment = domain.Environment(*in.Environment)
	}
	if in.MaxWebhooks != nil {
		t.MaxWebhooks = *in.MaxWebhooks
	}
	if in.RetentionDays != nil {
		t.RetentionDays = *in.RetentionDays
	}
}

func (a *API) createTenant(w http.ResponseWriter, r *http.Request) error {
	var in tenantInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	now := a.clock.Now().UTC()
	t := &domain.Tenant{CreatedAt: now, UpdatedAt: now}
	if in.ID != nil {
		t.ID = *in.ID
	}
	in.apply(t)
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	if t.ID == "" {
		t.ID = id.NewAt(id.Tenant, now)
	}
	if err := a.store.CreateTenant(r.Context(), t); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return codedFieldError(domain.ECONFLICT, "id", "a tenant with id %q already exists", t.ID)
		}
		return err
	}
	return writeJSON(w, http.StatusCreated, toTenantJSON(t))
}

func (a *API) listTenants(w http.ResponseWriter, r *http.Request) error {
	p, err := pageParams(r, "")
	if err != nil {
		return err
	}
	tenants, next, err := a.store.ListTenants(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(mapList(tenants, toTenantJSON), next))
}

func (a *API) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := a.store.GetTenant(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTenantJSON(t))
}

// updateTenant changes a tenant. A tenant key may rename its own tenant but
// not change its environment, raise its own webhook cap or change how long
// its data is kept: those are the operator's decisions (retention is
// storage the operator pays for).
func (a *API) updateTenant(w http.ResponseWriter, r *http.Request) error {
	var in tenantInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	if in.ID != nil && *in.ID != r.PathValue("tenant") {
		return domain.FieldErrorf("id", "cannot be changed")
	}
	if !keyFrom(r.Context()).IsOperator() {
		if in.MaxWebhooks != nil {
			return codedFieldError(domain.EFORBIDDEN, "max_webhooks", "only the operator key may change max_webhooks")
		}
		if in.Environment != nil {
			return codedFieldError(domain.EFORBIDDEN, "environment", "only the operator key may change environment")
		}
		if in.RetentionDays != nil {
			return codedFieldError(domain.EFORBIDDEN, "retention_days", "only the operator key may change retention_days")
		}
	}
	t, err := a.store.GetTenant(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	in.apply(t)
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	t.UpdatedAt = a.clock.Now().UTC()
	if err := a.store.UpdateTenant(r.Context(), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTenantJSON(t))
}

// deleteTenant removes a tenant with everything it owns, and drops what
// this node cached of it (its keys, its webhooks in the dispatcher).
func (a *API) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	tid := r.PathValue("tenant")
	hooks, err := a.allWebhooks(r, tid)
	if err != nil {
		return err
	}
	if err := a.store.DeleteTenant(r.Context(), tid); err != nil {
		return err
	}
	a.keys.dropTenant(tid)
	for _, h := range hooks {
		a.dispatcher.WebhookChanged(h.ID)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// allWebhooks lists every webhook of a tenant, page by page.
func (a *API) allWebhooks(r *http.Request, tenantID string) ([]domain.Webhook, error) {
	var all []domain.Webhook
	p := store.Page{Limit: store.MaxListLimit}
	for {
		hs, next, err := a.store.ListWebhooks(r.Context(), tenantID, p)
		if err != nil {
			return nil, err
		}
		all = append(all, hs...)
		if next == "" {
			return all, nil
		}
		p.Cursor = next
	}
}
