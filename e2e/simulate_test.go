package e2e

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/cli"
)

// `lmshooks simulate` against the real server: every simulated event is
// accepted (valid for the catalog) and delivered, signed, to a webhook
// subscribed to everything.
func TestSimulateDeliversEveryEvent(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	rc := newReceiver(t, nil)
	w := s.createWebhook("acme", client.WebhookRequest{Name: "all", URL: rc.URL, EventTypes: []string{"*"}})
	rc.setSecret(w.Secret)

	var out, errOut bytes.Buffer
	env := map[string]string{"LMSHOOKS_API_KEY": s.key, "LMSHOOKS_SERVER": s.base}
	code := cli.Main([]string{"simulate", "--tenant", "acme", "--rate", "2000", "--events", "300", "--seed", "11"},
		func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("simulate = %d: %s\n%s", code, errOut.String(), out.String())
	}
	eventually(t, 30*time.Second, "300 deliveries", func() bool { return rc.count() >= 300 })
	got, bad := rc.snapshot()
	if len(bad) > 0 {
		t.Fatalf("bad signatures: %v", bad[0])
	}
	types := map[string]int{}
	events := map[string]bool{}
	for _, r := range got {
		types[r.Type]++
		events[r.EventID] = true
	}
	if len(events) != 300 || len(types) < 6 {
		t.Fatalf("%d distinct events of %d types (%v), want 300 of the simulation's many types", len(events), len(types), types)
	}
	eventually(t, 10*time.Second, "the audit to show 300 succeeded", func() bool {
		return s.counts("acme")["succeeded"] == 300
	})
}
