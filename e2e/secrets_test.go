package e2e

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

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
	var k struct {
		Key string `json:"key"`
	}
	s.mustCall(201, "POST", "/api/v1/tenants/acme/api-keys", map[string]any{"name": "lms"}, &k)
	secrets["tenant key"] = k.Key
	tenant := &server{t: t, app: s.app, base: s.base, key: k.Key}

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
	retry := map[string]any{"retry_policy": "custom", "retry_schedule": []float64{0.01, 0.01, 0.01}}
	hook := func(name, url string, extra map[string]any) webhookResp {
		body := map[string]any{"name": name, "url": url, "event_types": []string{"user.*"}}
		for k, v := range retry {
			body[k] = v
		}
		for k, v := range extra {
			body[k] = v
		}
		var w webhookResp
		tenant.mustCall(201, "POST", "/api/v1/tenants/acme/webhooks", body, &w)
		return w
	}
	hm := hook("hmac", ok.URL, map[string]any{
		"basic_auth": map[string]any{"username": "lms", "password": password},
		"headers":    map[string]any{"X-Api-Token": token, "X-Shared": map[string]any{"value": flagged, "secret": true}},
	})
	secrets["webhook secret"] = hm.Secret
	ed := hook("ed25519", ok.URL, map[string]any{"signature_scheme": "ed25519"})
	secrets["ed25519 signing key"] = ed.Secret
	g := hook("gone", gone.URL, nil)
	secrets["gone webhook secret"] = g.Secret
	var rotated webhookResp
	tenant.mustCall(200, "POST", "/api/v1/tenants/acme/webhooks/"+hm.ID+"/rotate-secret", map[string]any{"overlap_seconds": 3600}, &rotated)
	secrets["rotated secret"] = rotated.Secret

	for i := range 5 {
		tenant.publishBatch("acme", "user.created", 3, i*3)
	}
	tenant.mustCall(200, "POST", "/api/v1/tenants/acme/webhooks/"+hm.ID+"/test", nil, nil)
	tenant.mustCall(200, "POST", "/api/v1/tenants/acme/webhooks/test", map[string]any{
		"name": "draft", "url": "http://127.0.0.1:1/", "event_types": []string{"user.created"},
		"basic_auth": map[string]any{"username": "lms", "password": password},
		"secret":     hm.Secret,
	}, nil)
	// Refused requests carrying secrets.
	if code := callAPI(t, s.base, "lmsk_"+strings.Repeat("x", 43), "GET", "/api/v1/tenants/acme", nil, nil); code != 401 {
		t.Fatalf("wrong key = %d", code)
	}
	secrets["wrong key"] = "lmsk_" + strings.Repeat("x", 43)
	tenant.call("POST", "/api/v1/tenants/acme/webhooks", map[string]any{"name": "bad", "url": "ftp://x", "event_types": []string{"*"},
		"basic_auth": map[string]any{"username": "lms", "password": password}}, nil)

	var link struct {
		URL string `json:"url"`
	}
	s.mustCall(201, "POST", "/api/v1/tenants/acme/portal-links", nil, &link)
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
	var counts map[string]int
	if !poll.Until(20*time.Second, func() bool {
		counts = s.deliveries("acme", "include_counts=true&limit=1").Counts
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
