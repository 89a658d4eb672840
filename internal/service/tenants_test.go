package service

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

func TestCreateTenant(t *testing.T) {
	f := newAccessFixture(t)
	// The LMS's own id is kept; the environment defaults to production.
	acme, err := f.tenants.Create(f.ctx, TenantInput{ID: new(" acme "), Name: new(" Acme "), MaxWebhooks: new(5)})
	if err != nil {
		t.Fatal(err)
	}
	if acme.ID != "acme" || acme.Name != "Acme" || acme.Environment != domain.Production || acme.MaxWebhooks != 5 ||
		!acme.CreatedAt.Equal(accessStart) || !acme.UpdatedAt.Equal(accessStart) {
		t.Fatalf("created %+v", acme)
	}
	if got, err := f.tenants.Get(f.ctx, "acme"); err != nil || got.Name != "Acme" {
		t.Fatalf("stored %+v, %v", got, err)
	}
	// Without an id one is generated, stamped with the clock.
	gen, err := f.tenants.Create(f.ctx, TenantInput{Name: new("Globex"), Environment: new("sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(gen.ID, id.Tenant) || gen.Environment != domain.Sandbox {
		t.Fatalf("created %+v", gen)
	}
	if empty, err := f.tenants.Create(f.ctx, TenantInput{ID: new(""), Name: new("Initech")}); err != nil || !strings.HasPrefix(empty.ID, id.Tenant) {
		t.Fatalf("empty id: %+v, %v", empty, err)
	}

	_, err = f.tenants.Create(f.ctx, TenantInput{ID: new("acme"), Name: new("Again")})
	wantAccessError(t, err, domain.ECONFLICT, "id")
	if !strings.Contains(domain.ErrorMessage(err), `a tenant with id "acme" already exists`) {
		t.Fatalf("conflict message %q", domain.ErrorMessage(err))
	}
	for name, c := range map[string]struct {
		in    TenantInput
		field string
	}{
		"bad id":           {TenantInput{ID: new("a b"), Name: new("x")}, "id"},
		"no name":          {TenantInput{ID: new("x")}, "name"},
		"bad environment":  {TenantInput{Name: new("x"), Environment: new("staging")}, "environment"},
		"negative cap":     {TenantInput{Name: new("x"), MaxWebhooks: new(-1)}, "max_webhooks"},
		"retention beyond": {TenantInput{Name: new("x"), RetentionDays: new(domain.MaxRetentionDays + 1)}, "retention_days"},
	} {
		_, err := f.tenants.Create(f.ctx, c.in)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != c.field {
			t.Errorf("%s: err %v, want EINVALID on %s", name, err, c.field)
		}
	}
	ts, _, err := f.tenants.List(f.ctx, store.Page{Limit: 10})
	if err != nil || len(ts) != 3 {
		t.Fatalf("listed %d tenants, %v; want 3", len(ts), err)
	}
}

func TestUpdateTenant(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	f.clock.Advance(time.Minute)

	// A tenant may rename itself, nothing more.
	up, err := f.tenants.Update(f.ctx, "acme", TenantInput{Name: new("Acme Learning")}, RoleTenant)
	if err != nil || up.Name != "Acme Learning" || !up.UpdatedAt.Equal(accessStart.Add(time.Minute)) || !up.CreatedAt.Equal(accessStart) {
		t.Fatalf("renamed %+v, %v", up, err)
	}
	for field, in := range map[string]TenantInput{
		"max_webhooks":   {MaxWebhooks: new(100)},
		"environment":    {Environment: new("sandbox")},
		"retention_days": {RetentionDays: new(7)},
	} {
		_, err := f.tenants.Update(f.ctx, "acme", in, RoleTenant)
		wantAccessError(t, err, domain.EFORBIDDEN, field)
	}
	// The first field refused is always the same.
	_, err = f.tenants.Update(f.ctx, "acme", TenantInput{RetentionDays: new(7), Environment: new("sandbox"), MaxWebhooks: new(1)}, RoleTenant)
	wantAccessError(t, err, domain.EFORBIDDEN, "max_webhooks")

	up, err = f.tenants.Update(f.ctx, "acme", TenantInput{MaxWebhooks: new(3), Environment: new("sandbox"), RetentionDays: new(7)}, RoleOperator)
	if err != nil || up.MaxWebhooks != 3 || up.Environment != domain.Sandbox || up.RetentionDays != 7 || up.Name != "Acme Learning" {
		t.Fatalf("operator update %+v, %v", up, err)
	}
	_, err = f.tenants.Update(f.ctx, "acme", TenantInput{ID: new("other")}, RoleOperator)
	wantAccessError(t, err, domain.EINVALID, "id")
	if _, err := f.tenants.Update(f.ctx, "acme", TenantInput{ID: new("acme")}, RoleTenant); err != nil {
		t.Fatalf("its own id: %v", err)
	}
	_, err = f.tenants.Update(f.ctx, "acme", TenantInput{Name: new(" ")}, RoleOperator)
	wantAccessError(t, err, domain.EINVALID, "name")
	_, err = f.tenants.Update(f.ctx, "nope", TenantInput{Name: new("x")}, RoleOperator)
	wantAccessError(t, err, domain.ENOTFOUND, "")
}

// Deleting a tenant tells the delivery engine about each of its webhooks
// and makes its cached keys stop working on this node at once.
func TestDeleteTenantNotifies(t *testing.T) {
	f := newAccessFixture(t)
	f.tenant("acme")
	f.tenant("globex")
	var hooks []string
	for _, tenant := range []string{"acme", "acme", "globex"} {
		w := &domain.Webhook{
			ID: f.ids.New(id.Webhook), TenantID: tenant, Name: "hook", URL: "https://example.com/hook", EventTypes: []string{"*"},
			Enabled: true, Format: domain.DefaultFormat, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			Timeout: domain.DefaultTimeout, RetryPolicy: domain.DefaultRetryPolicy, SuccessRule: domain.DefaultSuccessRule,
			CreatedAt: accessStart, UpdatedAt: accessStart,
		}
		if err := f.store.CreateWebhook(f.ctx, w); err != nil {
			t.Fatal(err)
		}
		if tenant == "acme" {
			hooks = append(hooks, w.ID)
		}
	}
	_, acmeKey, err := f.keys.Create(f.ctx, "acme", "lms")
	if err != nil {
		t.Fatal(err)
	}
	_, globexKey, err := f.keys.Create(f.ctx, "globex", "lms")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{acmeKey, globexKey} {
		if _, err := f.keys.Authenticate(f.ctx, k); err != nil { // now cached
			t.Fatal(err)
		}
	}

	if err := f.tenants.Delete(f.ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	got := f.heard.webhooks()
	slices.Sort(got)
	slices.Sort(hooks)
	if !slices.Equal(got, hooks) {
		t.Fatalf("notified %v, want acme's webhooks %v", got, hooks)
	}
	_, err = f.keys.Authenticate(f.ctx, acmeKey)
	wantAccessError(t, err, domain.EUNAUTHORIZED, "")
	if _, err := f.keys.Authenticate(f.ctx, globexKey); err != nil {
		t.Fatalf("another tenant's key: %v", err)
	}
	wantAccessError(t, f.tenants.Delete(f.ctx, "acme"), domain.ENOTFOUND, "")
	if n := len(f.heard.webhooks()); n != len(hooks) {
		t.Fatalf("a failed delete notified: %d changes", n)
	}
}
