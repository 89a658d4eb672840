package e2e

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
	"github.com/lmshooks/lmshooks/internal/testsupport/syncbuf"
)

// TestSecretsNeverLogged runs the server at debug level through every path
// that handles a secret — the generated operator key and console password,
// tenant keys (right and wrong), webhook secrets (HMAC and ed25519, before
// and after a rotation), basic auth, a custom header carrying a token,
// deliveries that succeed, fail and are refused, test sends, portal links —
// and then searches the whole log for each secret.
func TestSecretsNeverLogged(t *testing.T) {
	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := startServerWithLog(t, log, func(c *config.Config) { c.APIKey = "" })
	if !strings.HasPrefix(s.key, "lmsk_") || s.app.GeneratedPassword == "" {
		t.Fatalf("no generated operator key (%q) or console password", s.key)
	}
	secrets := map[string]string{"operator key": s.key, "console password": s.app.GeneratedPassword}

	s.createTenant("acme")
	ctx := t.Context()
	k, err := s.api.CreateAPIKey(ctx, "acme", client.APIKeyRequest{Name: "lms"})
	s.must(err)
	secrets["tenant key"] = k.Key
	tenant := &server{t: t, app: s.app, base: s.base, key: k.Key, api: newClient(s.base, k.Key)}

	const password, token = "pa55-w0rd-of-the-receiver", "tok_receiver_token_123456"
	secrets["basic auth password"] = password
	secrets["basic auth header"] = base64.StdEncoding.EncodeToString([]byte("lms:" + password))
	secrets["custom header token"] = token
	const flagged = "flagged-header-secret-0987"
	secrets["header flagged secret"] = flagged

	// Each delivery fails once, then succeeds: retries go through the log.
	var mu sync.Mutex
	tried := map[string]bool{}
	ok := newReceiver(t, func(_ int, r *http.Request) int {
		mu.Lock()
		defer mu.Unlock()
		id := r.Header.Get("webhook-id")
		if !tried[id] {
			tried[id] = true
			return 500
		}
		return 200
	})
	gone := newReceiver(t, func(int, *http.Request) int { return 410 })
	hook := func(req client.WebhookRequest) *client.WebhookWithSecret {
		req.EventTypes = []string{"user.*"}
		req.RetryPolicy, req.RetrySchedule = "custom", []float64{0.01, 0.01, 0.01}
		return tenant.createWebhook("acme", req)
	}
	basicAuth := &client.BasicAuthRequest{Username: "lms", Password: password}
	hm := hook(client.WebhookRequest{Name: "hmac", URL: ok.URL, BasicAuth: basicAuth,
		Headers: map[string]client.HeaderValue{"X-Api-Token": client.Plain(token), "X-Shared": client.SecretHeader(flagged)}})
	secrets["webhook secret"] = hm.Secret
	ed := hook(client.WebhookRequest{Name: "ed25519", URL: ok.URL, SignatureScheme: client.SchemeEd25519})
	secrets["ed25519 signing key"] = ed.Secret
	g := hook(client.WebhookRequest{Name: "gone", URL: gone.URL})
	secrets["gone webhook secret"] = g.Secret
	rotated, err := tenant.api.RotateSecret(ctx, "acme", hm.ID, client.RotateSecretRequest{OverlapSeconds: new(3600)})
	s.must(err)
	secrets["rotated secret"] = rotated.Secret

	for i := range 5 {
		tenant.publishBatch("acme", "user.created", 3, i*3)
	}
	_, err = tenant.api.TestWebhook(ctx, "acme", hm.ID, client.TestRequest{})
	s.must(err)
	_, err = tenant.api.TestUnsavedWebhook(ctx, "acme", client.UnsavedTestRequest{WebhookRequest: client.WebhookRequest{
		Name: "draft", URL: "http://127.0.0.1:1/", EventTypes: []string{"user.created"}, BasicAuth: basicAuth, Secret: hm.Secret,
	}})
	s.must(err)
	// Refused requests carrying secrets.
	wrongKey := "lmsk_" + strings.Repeat("x", 43)
	var refused *client.Error
	if _, err := newClient(s.base, wrongKey).GetTenant(ctx, "acme"); !errors.As(err, &refused) || refused.Status != 401 {
		t.Fatalf("wrong key = %v, want a 401", err)
	}
	secrets["wrong key"] = wrongKey
	_, err = tenant.api.CreateWebhook(ctx, "acme", client.WebhookRequest{Name: "bad", URL: "ftp://x", EventTypes: []string{"*"}, BasicAuth: basicAuth})
	if !errors.As(err, &refused) || refused.Status != 422 {
		t.Fatalf("an ftp URL = %v, want a 422", err)
	}

	link, err := s.api.CreatePortalLink(ctx, "acme", client.PortalLinkRequest{})
	s.must(err)
	i := strings.Index(link.URL, "/portal/")
	if i < 0 {
		t.Fatalf("portal link %q", link.URL)
	}
	secrets["portal token"] = link.URL[i+len("/portal/"):]
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// 15 events to two healthy webhooks (some after a retry), and to one
	// that answers 410 and is disabled by the first answer.
	var counts map[client.DeliveryState]int
	if !poll.Until(20*time.Second, func() bool {
		counts = s.counts("acme")
		return counts["scheduled"] == 0 && counts["succeeded"] == 30 && counts["failed"] >= 1
	}) {
		t.Fatalf("deliveries did not end as expected: %v", counts)
	}
	got, _ := ok.snapshot()
	withCredentials := 0
	for _, r := range got {
		if r.Header.Get("X-Api-Token") == token && r.Header.Get("Authorization") == "Basic "+secrets["basic auth header"] {
			withCredentials++
		}
	}
	if withCredentials < 15 {
		t.Fatalf("%d requests carried the credentials, want at least 15: this test would prove nothing", withCredentials)
	}

	out := logs.String()
	if !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "/portal/") || !strings.Contains(out, "410") {
		t.Fatalf("the debug log misses the requests it should show:\n%s", out)
	}
	for what, secret := range secrets {
		if secret == "" {
			t.Fatalf("%s is empty", what)
		}
		// The secret itself, and its base64 body without the prefix.
		probes := []string{secret}
		if _, body, ok := strings.Cut(secret, "_"); ok && len(body) >= 16 {
			probes = append(probes, body)
		}
		for _, p := range probes {
			if strings.Contains(out, p) {
				t.Errorf("the log holds the %s", what)
			}
		}
	}
}
