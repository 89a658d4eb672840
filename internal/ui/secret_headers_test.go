package ui

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// The console treats secret headers as it treats the basic auth password:
// the form never carries their values back to the browser, an empty value
// keeps one, Remove drops it, and the audit and test results mask them.
func TestSecretHeadersAreWriteOnlyInTheConsole(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	var mu sync.Mutex
	var got []http.Header
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
	}))
	defer rc.Close()
	const apiKey, shared = "k-ui-secret-1", "shared-ui-secret-2"
	noSecret := func(what string, p page) {
		t.Helper()
		body := html.UnescapeString(p.body)
		if strings.Contains(body, apiKey) || strings.Contains(body, shared) {
			t.Errorf("%s shows a secret header value", what)
		}
	}

	// Created with one secret by name (typed with the others) and one
	// flagged in the secret rows.
	f := validForm(rc.URL)
	f.Set("headers", "X-Api-Key: "+apiKey+"\nX-Tenant: acme")
	f["secret_header_name"] = []string{"X-Shared", ""}
	f["secret_header_value"] = []string{shared, ""}
	f.Set("action", "save")
	p := b.post("/t/acme/webhooks", f)
	wantStatus(t, p, 200)
	noSecret("the created page", p)
	hs, _, _ := b.store.ListWebhooks(context.Background(), "acme", store.Page{})
	if len(hs) != 1 || hs[0].Headers["X-Api-Key"] != apiKey || hs[0].Headers["X-Shared"] != shared || !hs[0].SecretHeader("X-Shared") {
		t.Fatalf("stored %+v", hs)
	}
	w := hs[0]
	path := "/t/acme/webhooks/" + w.ID

	// The edit form lists them by name, values empty.
	edit := b.get(path)
	wantStatus(t, edit, 200)
	noSecret("the edit form", edit)
	if headers := fieldBlock(t, edit.body, "headers"); !strings.Contains(headers, "X-Tenant: acme") || strings.Contains(headers, "X-Api-Key") {
		t.Errorf("the plain headers field holds %q", headers)
	}
	for _, name := range []string{"X-Api-Key", "X-Shared"} {
		mustContain(t, edit, `name="secret_header_name" value="`+name+`" readonly`, `name="secret_header_stored" value="`+name+`"`)
	}

	// Saved as the browser sends it back: the values are kept.
	edited := validForm(rc.URL)
	edited.Set("headers", "X-Tenant: acme")
	edited["secret_header_name"] = []string{"X-Api-Key", "X-Shared", ""}
	edited["secret_header_value"] = []string{"", "", ""}
	edited["secret_header_stored"] = []string{"X-Api-Key", "X-Shared"}
	edited.Set("action", "save")
	wantStatus(t, b.post(path, edited), http.StatusSeeOther)
	stored, _ := b.store.GetWebhook(context.Background(), "acme", w.ID)
	if stored.Headers["X-Api-Key"] != apiKey || stored.Headers["X-Shared"] != shared || !stored.SecretHeader("X-Shared") {
		t.Fatalf("after saving the form untouched: %v %v", stored.Headers, stored.SecretHeaders)
	}

	// A test send from the form carries the values; the result masks them.
	edited.Set("action", "test")
	p = b.post(path, edited)
	mustContain(t, p, `id="test-result"`, "[redacted]")
	noSecret("the test result", p)
	mu.Lock()
	last := got[len(got)-1]
	mu.Unlock()
	if last.Get("X-Api-Key") != apiKey || last.Get("X-Shared") != shared {
		t.Errorf("the receiver got X-Api-Key %q, X-Shared %q", last.Get("X-Api-Key"), last.Get("X-Shared"))
	}

	// The audit masks them, even in an attempt recorded in clear.
	d := b.publish("acme", "user.created", 1)[0].Deliveries[0]
	now := time.Now().UTC()
	at := domain.Attempt{ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: "acme", WebhookID: d.WebhookID, EventID: d.EventID, Number: 1,
		Trigger: domain.TriggerScheduled, StartedAt: now, RequestURL: rc.URL,
		RequestHeaders: map[string][]string{"X-Api-Key": {apiKey}, "X-Shared": {shared}, "X-Tenant": {"acme"}}, StatusCode: 200, Success: true}
	if err := b.store.RecordAttempts(context.Background(), []store.AttemptRecord{{Attempt: at, State: domain.Succeeded}}); err != nil {
		t.Fatal(err)
	}
	audit := b.get("/t/acme/deliveries/" + d.ID)
	wantStatus(t, audit, 200)
	mustContain(t, audit, "X-Shared", "[redacted]", "acme")
	noSecret("the delivery page", audit)

	// A new value replaces one; Remove drops one.
	edited.Set("action", "save")
	edited["secret_header_value"] = []string{"k-ui-new", "", ""}
	edited["secret_header_remove"] = []string{"X-Shared"}
	wantStatus(t, b.post(path, edited), http.StatusSeeOther)
	stored, _ = b.store.GetWebhook(context.Background(), "acme", w.ID)
	if stored.Headers["X-Api-Key"] != "k-ui-new" || stored.Headers["X-Shared"] != "" || len(stored.SecretHeaders) != 0 {
		t.Fatalf("after replacing and removing: %v %v", stored.Headers, stored.SecretHeaders)
	}

	// A new secret row needs a value; the error shows next to the rows.
	edited["secret_header_name"] = []string{"X-Api-Key", "X-New"}
	edited["secret_header_value"] = []string{"", ""}
	edited["secret_header_stored"] = []string{"X-Api-Key"}
	delete(edited, "secret_header_remove")
	p = b.post(path, edited)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if block := fieldBlock(t, p.body, "secret_header_name"); !strings.Contains(block, "needs a value") {
		t.Errorf("the error is not shown next to the secret headers:\n%s", block)
	}
}
