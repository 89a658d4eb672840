package storetest

import (
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

var secretTests = []test{
	{"SwapWritesOnlyOverTheSecretsItWasGiven", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.fullWebhook(tn.ID)
		m := f.newWebhook(tn.ID, "user.created") // no basic auth, no headers
		for _, x := range []*domain.Webhook{w, m} {
			if err := f.s.CreateWebhook(f.ctx, x); err != nil {
				t.Fatalf("CreateWebhook: %v", err)
			}
		}
		to := store.WebhookSecrets{Secret: "enc:a", PreviousSecret: "enc:b", BasicAuthPassword: "enc:c",
			Headers: map[string]string{"X-Api-Key": "enc:d", "X-Tenant": "acme", "X-Shared": "enc:e"}}
		// Stale: the stored secrets are not these.
		stale := store.SecretsOf(w)
		stale.Secret = "whsec_other"
		if ok, err := f.s.SwapWebhookSecrets(f.ctx, w.ID, stale, to); err != nil || ok {
			t.Fatalf("stale swap = %v, %v; want false", ok, err)
		}
		if ok, err := f.s.SwapWebhookSecrets(f.ctx, w.ID, store.SecretsOf(w), to); err != nil || !ok {
			t.Fatalf("swap = %v, %v", ok, err)
		}
		want := *w
		want.Secret, want.PreviousSecret = to.Secret, to.PreviousSecret
		want.BasicAuth = &domain.BasicAuth{Username: w.BasicAuth.Username, Password: to.BasicAuthPassword}
		want.Headers = to.Headers
		got, err := f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "swapped webhook", *got, want, normWebhook)
		// EnabledWebhooks sees it (SQLite's cache is invalidated).
		hooks, err := f.s.EnabledWebhooks(f.ctx, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hooks {
			if h.ID == w.ID && h.Secret != to.Secret {
				t.Errorf("EnabledWebhooks still has %q", h.Secret)
			}
		}

		// A webhook without basic auth or headers keeps none.
		mTo := store.WebhookSecrets{Secret: "enc:m"}
		if ok, err := f.s.SwapWebhookSecrets(f.ctx, m.ID, store.SecretsOf(m), mTo); err != nil || !ok {
			t.Fatalf("swap minimal = %v, %v", ok, err)
		}
		wantM := *m
		wantM.Secret = mTo.Secret
		got, err = f.s.GetWebhook(f.ctx, tn.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "swapped minimal webhook", *got, wantM, normWebhook)

		if ok, err := f.s.SwapWebhookSecrets(f.ctx, "wh_absent", store.SecretsOf(m), mTo); err != nil || ok {
			t.Errorf("swap of an absent webhook = %v, %v", ok, err)
		}
	}},
}
