package e2e

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/listen"
	"github.com/lmshooks/lmshooks/internal/testsupport/syncbuf"
	"github.com/lmshooks/lmshooks/signature"
)

// The README's retry demo: `lmshooks listen --secret … --status 500,500,200`
// as the receiver of the real server. It verifies every try, answers 500
// twice, and the delivery ends succeeded after three attempts with the
// same webhook-id.
func TestListenWithStatusesShowsRetries(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	var out syncbuf.Buffer
	secret, err := signature.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	rc := httptest.NewServer(listen.Handler(listen.Config{Secret: secret, Statuses: []int{500, 500, 200}, Out: &out}))
	t.Cleanup(rc.Close)
	s.createWebhook("acme", client.WebhookRequest{Name: "listen", URL: rc.URL + "/hooks", EventTypes: []string{"user.*"},
		Secret: secret, RetryPolicy: "custom", RetrySchedule: []float64{0.01, 0.01, 0.01}})
	s.publishBatch("acme", "user.created", 1, 0)

	var dl *client.DeliveryPage
	eventually(t, 20*time.Second, "the delivery to succeed", func() bool {
		dl = s.deliveries("acme", client.DeliveryParams{State: client.Succeeded})
		return len(dl.Data) == 1
	})
	d := s.delivery("acme", dl.Data[0].ID)
	status := func(i int) int {
		if d.Attempts[i].Response == nil {
			return 0
		}
		return d.Attempts[i].Response.Status
	}
	if len(d.Attempts) != 3 || status(0) != 500 || status(1) != 500 || !d.Attempts[2].Success {
		t.Fatalf("attempts = %+v, want 500, 500, then a success", d.Attempts)
	}
	printed := out.String()
	if n := strings.Count(printed, "✓ valid"); n != 3 {
		t.Fatalf("listen verified %d signatures, want 3:\n%s", n, printed)
	}
	if strings.Count(printed, d.Delivery.ID) != 3 || strings.Count(printed, "→ answered 500") != 2 || strings.Count(printed, "→ answered 200") != 1 {
		t.Fatalf("listen output does not show three tries of %s answered 500, 500, 200:\n%s", d.Delivery.ID, printed)
	}
}

// Rotating a secret keeps the old one signing for the overlap: a receiver
// that still has the old secret and one that already has the new one both
// verify every delivery, which carries both signatures; after a rotation
// without overlap, only the newest secret signs.
func TestRotationOverlapSignsWithBothSecrets(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, nil)
	w := s.createWebhook("acme", client.WebhookRequest{Name: "rotating", URL: rc.URL, EventTypes: []string{"user.*"}})
	old := w.Secret

	rotated, err := s.api.RotateSecret(t.Context(), "acme", w.ID, client.RotateSecretRequest{OverlapSeconds: new(3600)})
	s.must(err)
	if rotated.Secret == old || !strings.HasPrefix(rotated.Secret, "whsec_") {
		t.Fatalf("rotated secret %q", rotated.Secret)
	}
	s.publishBatch("acme", "user.created", 3, 0)
	eventually(t, 10*time.Second, "3 deliveries", func() bool { return rc.count() == 3 })
	got, _ := rc.snapshot()
	now := time.Now()
	for _, r := range got {
		if n := len(strings.Fields(r.Header.Get("webhook-signature"))); n != 2 {
			t.Fatalf("delivery %s carries %d signatures during the overlap, want 2", r.WebhookID, n)
		}
		for name, key := range map[string]string{"old": old, "new": rotated.Secret} {
			if err := signature.VerifyRequest([]string{key}, r.Header, r.Body, now, signature.DefaultTolerance); err != nil {
				t.Fatalf("a receiver with the %s secret rejects %s: %v", name, r.WebhookID, err)
			}
		}
	}

	again, err := s.api.RotateSecret(t.Context(), "acme", w.ID, client.RotateSecretRequest{OverlapSeconds: new(0)})
	s.must(err)
	s.publishBatch("acme", "user.created", 1, 3)
	eventually(t, 10*time.Second, "the delivery after the second rotation", func() bool { return rc.count() == 4 })
	got, _ = rc.snapshot()
	last := got[3]
	if n := len(strings.Fields(last.Header.Get("webhook-signature"))); n != 1 {
		t.Fatalf("%d signatures after a rotation without overlap, want 1", n)
	}
	if err := signature.VerifyRequest([]string{again.Secret}, last.Header, last.Body, time.Now(), signature.DefaultTolerance); err != nil {
		t.Fatalf("the newest secret does not verify: %v", err)
	}
	for _, stale := range []string{old, rotated.Secret} {
		if signature.VerifyRequest([]string{stale}, last.Header, last.Body, time.Now(), signature.DefaultTolerance) == nil {
			t.Fatal("a rotated-out secret still verifies after a rotation without overlap")
		}
	}
}

// An ed25519 webhook signs with v1a; a receiver holding only the public
// key (whpk_) verifies every delivery, and the HMAC way cannot.
func TestEd25519DeliveriesVerifyWithThePublicKey(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, nil)
	w := s.createWebhook("acme", client.WebhookRequest{Name: "ed", URL: rc.URL,
		EventTypes: []string{"*"}, SignatureScheme: client.SchemeEd25519})
	if !strings.HasPrefix(w.Secret, "whsk_") || !strings.HasPrefix(w.PublicKey, "whpk_") {
		t.Fatalf("secret %.8s…, public key %.8s…: want whsk_ and whpk_", w.Secret, w.PublicKey)
	}
	rc.setSecret(w.PublicKey)
	s.publishBatch("acme", "course_enrollment.completed", 5, 0)
	eventually(t, 10*time.Second, "5 deliveries", func() bool { return rc.count() == 5 })
	got, bad := rc.snapshot()
	if len(bad) > 0 {
		t.Fatalf("the public key rejects deliveries: %v", bad)
	}
	for _, r := range got {
		if sig := r.Header.Get("webhook-signature"); !strings.HasPrefix(sig, "v1a,") || strings.Contains(sig, "v1,") {
			t.Fatalf("webhook-signature %q, want only v1a entries", sig)
		}
	}
}
