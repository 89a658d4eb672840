package service

import (
	"context"
	"strings"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Role says who asks for a change: some changes are the operator's alone.
type Role int

// Roles.
const (
	// RoleTenant is a tenant's own key.
	RoleTenant Role = iota
	// RoleOperator is the operator key or the console's operator.
	RoleOperator
)

// TenantInput is a tenant to create or the change of one; absent fields
// (nil) keep their value (or the default, on create).
type TenantInput struct {
	// ID is the LMS's own id of the tenant; generated when absent or
	// empty on create, and never changed.
	ID          *string
	Name        *string
	Environment *string
	MaxWebhooks *int
	// RetentionDays 0 restores the server's default.
	RetentionDays *int
	// AutoDisableAfterHours 0 restores the server's default;
	// domain.AutoDisableNever turns auto-disable off for the tenant.
	AutoDisableAfterHours *int
}

// apply copies the present fields onto t.
func (in *TenantInput) apply(t *domain.Tenant) {
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
	if in.AutoDisableAfterHours != nil {
		t.AutoDisableAfterHours = *in.AutoDisableAfterHours
	}
}

// TenantsConfig configures Tenants.
type TenantsConfig struct {
	// APIKeys, when set, forgets the keys of a deleted tenant at once.
	APIKeys *APIKeys
}

// Tenants creates, changes and deletes tenants.
type Tenants struct {
	d    Deps
	keys *APIKeys
}

// NewTenants returns the tenants service.
func NewTenants(d Deps, cfg TenantsConfig) *Tenants {
	return &Tenants{d: d.withDefaults(), keys: cfg.APIKeys}
}

// Create stores a new tenant. An absent or empty ID gets a generated one;
// ECONFLICT on "id" if the chosen one is taken.
func (s *Tenants) Create(ctx context.Context, in TenantInput) (*domain.Tenant, error) {
	now := s.d.Clock.Now().UTC()
	// A fresh portal epoch: the portal links and sessions of any earlier
	// tenant with the same id open nothing of this one.
	t := &domain.Tenant{PortalEpoch: auth.NewPortalEpoch(), CreatedAt: now, UpdatedAt: now}
	if in.ID != nil {
		t.ID = *in.ID
	}
	in.apply(t)
	t.Normalize()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.ID == "" {
		t.ID = s.d.IDs.NewAt(id.Tenant, now)
	}
	if err := s.d.Store.CreateTenant(ctx, t); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, domain.CodedFieldErrorf(domain.ECONFLICT, "id", "a tenant with id %q already exists", t.ID)
		}
		return nil, err
	}
	return t, nil
}

// Get returns a tenant; ENOTFOUND if absent.
func (s *Tenants) Get(ctx context.Context, tenantID string) (*domain.Tenant, error) {
	return s.d.Store.GetTenant(ctx, tenantID)
}

// tenantCursor starts every cursor of the tenants list. Tenant ids are
// chosen freely (an LMS's own company ids), so a bare id could not be told
// from the id of another list's item: with the prefix, a cursor that is
// not one of this list is refused, as on every other list.
const tenantCursor = "after:"

// List lists tenants by id, last first. The cursor is the next cursor of
// the previous page; another list's cursor is EINVALID on "cursor".
func (s *Tenants) List(ctx context.Context, p store.Page) ([]domain.Tenant, string, error) {
	if p.Cursor != "" {
		id, ok := strings.CutPrefix(p.Cursor, tenantCursor)
		if !ok || !domain.ValidID(id) {
			return nil, "", errCursor(p.Cursor)
		}
		p.Cursor = id
	}
	list, next, err := s.d.Store.ListTenants(ctx, p)
	if next != "" {
		next = tenantCursor + next
	}
	return list, next, err
}

// Update changes a tenant. A tenant may rename itself but not change its
// environment, raise its own webhook cap or change how long its data is
// kept: those are the operator's decisions (retention is storage the
// operator pays for).
func (s *Tenants) Update(ctx context.Context, tenantID string, in TenantInput, by Role) (*domain.Tenant, error) {
	if in.ID != nil && *in.ID != tenantID {
		return nil, domain.FieldErrorf("id", "cannot be changed")
	}
	if by != RoleOperator {
		for _, f := range []struct {
			name string
			set  bool
		}{{"max_webhooks", in.MaxWebhooks != nil}, {"environment", in.Environment != nil}, {"retention_days", in.RetentionDays != nil}} {
			if f.set {
				return nil, domain.CodedFieldErrorf(domain.EFORBIDDEN, f.name, "only the operator key may change %s", f.name)
			}
		}
	}
	t, err := s.d.Store.GetTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	in.apply(t)
	t.Normalize()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	t.UpdatedAt = s.d.Clock.Now().UTC()
	if err := s.d.Store.UpdateTenant(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// Delete removes a tenant with everything it owns, and tells the delivery
// engine that its webhooks are gone and this node's key cache that its
// keys are.
func (s *Tenants) Delete(ctx context.Context, tenantID string) error {
	hooks, err := tenantWebhooks(ctx, s.d.Store, tenantID)
	if err != nil {
		return err
	}
	if err := s.d.Store.DeleteTenant(ctx, tenantID); err != nil {
		return err
	}
	if s.keys != nil {
		s.keys.forgetTenant(tenantID)
	}
	for _, h := range hooks {
		s.d.Notify.WebhookChanged(h.ID)
	}
	s.d.Logger.InfoContext(ctx, "tenant deleted", "tenant", tenantID)
	return nil
}
