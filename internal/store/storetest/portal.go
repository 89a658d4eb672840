package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// portalTests cover what makes portal links and sessions die: the tenant's
// portal epoch, and the record of the links used.
var portalTests = []test{
	{"EpochStoredAndReplaced", func(t *testing.T, f *fixture) {
		tn := &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, PortalEpoch: "epoch-1", CreatedAt: base, UpdatedAt: base}
		if err := f.s.CreateTenant(f.ctx, tn); err != nil {
			t.Fatalf("CreateTenant: %v", err)
		}
		got, err := f.s.GetTenant(f.ctx, "acme")
		if err != nil || got.PortalEpoch != "epoch-1" {
			t.Fatalf("GetTenant = %+v, %v; want epoch-1", got, err)
		}
		if err := f.s.SetPortalEpoch(f.ctx, "acme", "epoch-2"); err != nil {
			t.Fatalf("SetPortalEpoch: %v", err)
		}
		// A change of the tenant made from a read before the epoch was
		// replaced leaves the new epoch alone.
		upd := *tn
		upd.Name = "Acme Corp"
		if err := f.s.UpdateTenant(f.ctx, &upd); err != nil {
			t.Fatalf("UpdateTenant: %v", err)
		}
		want := upd
		want.PortalEpoch = "epoch-2"
		got, err = f.s.GetTenant(f.ctx, "acme")
		if err != nil {
			t.Fatalf("GetTenant: %v", err)
		}
		same(t, "tenant after a new epoch and an update", *got, want, normTenant)
		list, _, err := f.s.ListTenants(f.ctx, store.Page{})
		if err != nil || len(list) != 1 || list[0].PortalEpoch != "epoch-2" {
			t.Fatalf("ListTenants = %+v, %v; want the tenant with epoch-2", list, err)
		}
		wantCode(t, f.s.SetPortalEpoch(f.ctx, "nope", "epoch-3"), domain.ENOTFOUND)
	}},
	{"EpochOfATenantCreatedAgain", func(t *testing.T, f *fixture) {
		tn := &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, PortalEpoch: "old", CreatedAt: base, UpdatedAt: base}
		if err := f.s.CreateTenant(f.ctx, tn); err != nil {
			t.Fatalf("CreateTenant: %v", err)
		}
		if err := f.s.DeleteTenant(f.ctx, "acme"); err != nil {
			t.Fatalf("DeleteTenant: %v", err)
		}
		again := *tn
		again.PortalEpoch = "new"
		if err := f.s.CreateTenant(f.ctx, &again); err != nil {
			t.Fatalf("CreateTenant again: %v", err)
		}
		got, err := f.s.GetTenant(f.ctx, "acme")
		if err != nil || got.PortalEpoch != "new" {
			t.Fatalf("GetTenant = %+v, %v; want the new epoch", got, err)
		}
	}},
	{"LinkUsedOnce", func(t *testing.T, f *fixture) {
		exp := base.Add(15 * time.Minute)
		if err := f.s.UsePortalLink(f.ctx, "link-1", exp); err != nil {
			t.Fatalf("first use: %v", err)
		}
		wantCode(t, f.s.UsePortalLink(f.ctx, "link-1", exp), domain.ECONFLICT)
		if err := f.s.UsePortalLink(f.ctx, "link-2", exp); err != nil {
			t.Fatalf("another link: %v", err)
		}
	}},
	{"LinkUsedOnceConcurrently", func(t *testing.T, f *fixture) {
		const callers = 16
		errs := make([]error, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				<-start
				errs[i] = f.s.UsePortalLink(f.ctx, "link-raced", base.Add(time.Minute))
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch domain.ErrorCode(err) {
			case "":
				won++
			case domain.ECONFLICT:
			default:
				t.Fatalf("UsePortalLink: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d racing callers used the link; want exactly 1", won, callers)
		}
	}},
	{"ForgetExpiredLinks", func(t *testing.T, f *fixture) {
		for i, exp := range []time.Time{base.Add(-time.Hour), base.Add(-time.Second), base, base.Add(time.Hour)} {
			if err := f.s.UsePortalLink(f.ctx, string(rune('a'+i)), exp); err != nil {
				t.Fatal(err)
			}
		}
		n, err := f.s.ForgetUsedPortalLinks(f.ctx, base)
		if err != nil || n != 2 {
			t.Fatalf("ForgetUsedPortalLinks = %d, %v; want the 2 that expired before base", n, err)
		}
		// Forgotten links could be recorded again; those kept could not.
		for id, code := range map[string]string{"a": "", "b": "", "c": domain.ECONFLICT, "d": domain.ECONFLICT} {
			if got := domain.ErrorCode(f.s.UsePortalLink(f.ctx, id, base.Add(time.Hour))); got != code {
				t.Errorf("link %s after forgetting: code %q, want %q", id, got, code)
			}
		}
	}},
}
