package api

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/service"
)

// tenantJSON is a tenant on the wire.
type tenantJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Environment string `json:"environment"`
	MaxWebhooks int    `json:"max_webhooks"`
	// RetentionDays is 0 when the tenant keeps the server's default.
	RetentionDays int `json:"retention_days"`
	// AutoDisableAfterHours is 0 for the server's default, -1 for never.
	AutoDisableAfterHours int    `json:"auto_disable_after_hours"`
	CreatedAt             string `json:"created_at"`
	UpdatedAt             string `json:"updated_at"`
}

func toTenantJSON(t *domain.Tenant) tenantJSON {
	return tenantJSON{
		ID:                    t.ID,
		Name:                  t.Name,
		Environment:           string(t.Environment),
		MaxWebhooks:           t.MaxWebhooks,
		RetentionDays:         t.RetentionDays,
		AutoDisableAfterHours: t.AutoDisableAfterHours,
		CreatedAt:             ts(t.CreatedAt),
		UpdatedAt:             ts(t.UpdatedAt),
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
	// AutoDisableAfterHours 0 restores the server's default, -1 is never.
	AutoDisableAfterHours *int `json:"auto_disable_after_hours"`
}

// service returns the input as the tenants service takes it.
func (in *tenantInput) service() service.TenantInput {
	return service.TenantInput{ID: in.ID, Name: in.Name, Environment: in.Environment, MaxWebhooks: in.MaxWebhooks, RetentionDays: in.RetentionDays,
		AutoDisableAfterHours: in.AutoDisableAfterHours}
}

func (a *API) createTenant(w http.ResponseWriter, r *http.Request) error {
	var in tenantInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	t, err := a.svc.Tenants.Create(r.Context(), in.service())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toTenantJSON(t))
}

func (a *API) listTenants(w http.ResponseWriter, r *http.Request) error {
	p, err := pageParams(r, "")
	if err != nil {
		return err
	}
	tenants, next, err := a.svc.Tenants.List(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(mapList(tenants, toTenantJSON), next))
}

func (a *API) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := a.svc.Tenants.Get(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTenantJSON(t))
}

// updateTenant changes a tenant; the service knows which changes are the
// operator's alone.
func (a *API) updateTenant(w http.ResponseWriter, r *http.Request) error {
	var in tenantInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	by := service.RoleTenant
	if keyFrom(r.Context()).IsOperator() {
		by = service.RoleOperator
	}
	t, err := a.svc.Tenants.Update(r.Context(), r.PathValue("tenant"), in.service(), by)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTenantJSON(t))
}

// deleteTenant removes a tenant with everything it owns.
func (a *API) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Tenants.Delete(r.Context(), r.PathValue("tenant")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
