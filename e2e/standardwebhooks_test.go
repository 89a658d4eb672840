package e2e

import (
	"github.com/lmshooks/lmshooks/client"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// A secret supplied without base64 padding is handed out padded, and the
// official Standard Webhooks Go library — which decodes secrets strictly
// and refused the unpadded spelling with "illegal base64 data" — verifies
// deliveries signed with it, as it does those of a generated secret.
func TestOfficialGoLibraryVerifiesDeliveries(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, nil)
	const padded = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAA==" // 25 bytes
	supplied := s.createWebhook("acme", client.WebhookRequest{Name: "supplied", URL: rc.URL, EventTypes: []string{"user.created"},
		Secret: strings.TrimRight(padded, "=")})
	if supplied.Secret != padded {
		t.Fatalf("the webhook's secret is %.12s…, want the padded %.12s…", supplied.Secret, padded)
	}
	generated := s.createWebhook("acme", client.WebhookRequest{Name: "generated", URL: rc.URL, EventTypes: []string{"user.created"}})
	s.publishBatch("acme", "user.created", 1, 0)
	eventually(t, 10*time.Second, "2 deliveries", func() bool { return rc.count() == 2 })

	got, _ := rc.snapshot()
	verified := map[string]bool{}
	for _, w := range []*client.WebhookWithSecret{supplied, generated} {
		wh, err := standardwebhooks.NewWebhook(w.Secret)
		if err != nil {
			t.Fatalf("the official library refuses the secret of %s: %v", w.ID, err)
		}
		for _, r := range got {
			if wh.Verify(r.Body, r.Header) == nil {
				verified[w.ID] = true
			}
		}
	}
	if !verified[supplied.ID] || !verified[generated.ID] {
		t.Fatalf("the official library verified the deliveries of %v, want both webhooks", verified)
	}
}
