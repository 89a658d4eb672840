package service_test

import (
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/service"
)

// A URL that names a private or loopback address is saved (the operator
// may allow such targets later, or the admin may be preparing a move), but
// every answer that saves it says that its deliveries will be refused.
func TestPrivateTargetsWarnWhenNotAllowed(t *testing.T) {
	e := newEnv(t, true)
	in := valid()
	in.URL = ptr("http://127.0.0.1:9000/hook")
	saved, err := e.svc.Create(e.ctx, "acme", in)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Warnings) != 1 || !strings.Contains(saved.Warnings[0], "loopback address") || !strings.Contains(saved.Warnings[0], "--allow-private-targets") {
		t.Fatalf("warnings %q", saved.Warnings)
	}
	for u, says := range map[string]string{
		"http://localhost:8080/x":        "loopback",
		"http://api.localhost/x":         "loopback",
		"https://10.1.2.3/x":             "private address",
		"http://[::ffff:192.168.0.9]/x":  "private address",
		"http://169.254.169.254/latest/": "cloud metadata",
	} {
		changed, err := e.svc.Update(e.ctx, "acme", saved.Webhook.ID, service.WebhookInput{URL: ptr(u)})
		if err != nil {
			t.Fatal(err)
		}
		if len(changed.Warnings) != 1 || !strings.Contains(changed.Warnings[0], says) {
			t.Errorf("%s: warnings %q, want one saying %q", u, changed.Warnings, says)
		}
	}
	// A test before saving warns alike.
	res, err := e.svc.TestUnsaved(e.ctx, "acme", "", in, service.TestInput{})
	if err != nil || len(res.Warnings) != 1 {
		t.Errorf("test before saving: %v, warnings %q", err, res.Warnings)
	}
	changed, err := e.svc.Update(e.ctx, "acme", saved.Webhook.ID, service.WebhookInput{URL: ptr("https://hooks.example.com/x")})
	if err != nil || len(changed.Warnings) != 0 {
		t.Errorf("a public URL: %v, warnings %q", err, changed.Warnings)
	}

	// Where private targets are allowed, nothing is said.
	allowed := newEnvWith(t, true, func(c *service.WebhooksConfig) { c.AllowPrivateTargets = true })
	saved, err = allowed.svc.Create(allowed.ctx, "acme", in)
	if err != nil || len(saved.Warnings) != 0 {
		t.Errorf("allowed: %v, warnings %q", err, saved.Warnings)
	}
}
