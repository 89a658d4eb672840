package client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// TestEveryRoute calls every method against the real server on SQLite,
// with a client that refuses answers holding fields its types lack, and
// then checks that the calls reached every route the API registers: a
// route added to the API without a method here fails this test.
func TestEveryRoute(t *testing.T) {
	op, rec := startServer(t)
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Tenants.
	acme, err := op.CreateTenant(ctx, client.TenantRequest{ID: "acme", Name: "Acme", Environment: client.EnvironmentSandbox, MaxWebhooks: 5})
	must(err)
	if acme.ID != "acme" || acme.Environment != client.EnvironmentSandbox || acme.MaxWebhooks != 5 || acme.CreatedAt.IsZero() {
		t.Fatalf("created tenant = %+v", acme)
	}
	_, err = op.CreateTenant(ctx, client.TenantRequest{ID: "globex", Name: "Globex"})
	must(err)
	page, err := op.ListTenants(ctx, client.ListParams{Limit: 1})
	must(err)
	if len(page.Data) != 1 || page.NextCursor == "" {
		t.Fatalf("first page of 1 = %+v, want one tenant and a cursor", page)
	}
	var ids []string
	for tn, err := range op.AllTenants(ctx, client.ListParams{Limit: 1}) {
		must(err)
		ids = append(ids, tn.ID)
	}
	if slices.Sort(ids); !slices.Equal(ids, []string{"acme", "globex"}) {
		t.Fatalf("all tenants = %v", ids)
	}
	renamed, err := op.UpdateTenant(ctx, "acme", client.TenantUpdate{Name: new("Acme Inc"), RetentionDays: new(30)})
	must(err)
	got, err := op.GetTenant(ctx, "acme")
	must(err)
	if renamed.Name != "Acme Inc" || *got != *renamed || got.RetentionDays != 30 {
		t.Fatalf("renamed %+v, read %+v", renamed, got)
	}

	// Keys: a tenant key reaches its tenant until it is revoked.
	key, err := op.CreateAPIKey(ctx, "acme", client.APIKeyRequest{Name: "LMS backend"})
	must(err)
	if !strings.HasPrefix(key.Key, key.Prefix) || key.TenantID != "acme" {
		t.Fatalf("created key = %+v", key)
	}
	tenant := op.With(client.WithKey(key.Key))
	keys, err := tenant.ListAPIKeys(ctx, "acme")
	must(err)
	if len(keys) != 1 || keys[0] != key.APIKey {
		t.Fatalf("keys = %+v, want %+v", keys, key.APIKey)
	}

	// Event types: the builtin catalog and the tenant's own.
	builtin, err := op.ListEventTypes(ctx, client.EventTypeParams{Entity: "course_enrollment"})
	must(err)
	if len(builtin) == 0 || builtin[0].Entity != "course_enrollment" {
		t.Fatalf("course_enrollment types = %+v", builtin)
	}
	completed, err := op.GetEventType(ctx, "course_enrollment.completed")
	must(err)
	if !json.Valid(completed.Schema) || !json.Valid(completed.Example) || string(completed.Example) == "null" || completed.OrderingKey != "/id" {
		t.Fatalf("course_enrollment.completed = %+v", completed)
	}
	kudos := client.EventTypeRequest{
		Title:       "Kudos awarded",
		Schema:      map[string]any{"type": "object", "required": []string{"kudos"}, "properties": map[string]any{"kudos": map[string]any{"type": "object"}}},
		Example:     map[string]any{"kudos": map[string]any{"points": 5}},
		OrderingKey: "/kudos/points",
	}
	et, created, err := tenant.PutEventType(ctx, "acme", "acme_kudos.awarded", kudos)
	must(err)
	if !created || !et.Custom || et.Title != "Kudos awarded" || et.OrderingKey != "/kudos/points" {
		t.Fatalf("put = %+v, created %v", et, created)
	}
	if _, created, err = tenant.PutEventType(ctx, "acme", "acme_kudos.awarded", kudos); err != nil || created {
		t.Fatalf("put again: created %v, %v; want a replacement", created, err)
	}
	own, err := tenant.ListTenantEventTypes(ctx, "acme", client.EventTypeParams{Entity: "acme_kudos"})
	must(err)
	if len(own) != 1 || own[0].Type != "acme_kudos.awarded" || !own[0].Custom {
		t.Fatalf("acme_kudos types = %+v", own)
	}
	et, err = tenant.GetTenantEventType(ctx, "acme", "acme_kudos.awarded")
	must(err)
	if string(et.Example) != `{"kudos":{"points":5}}` {
		t.Fatalf("example = %s", et.Example)
	}

	// Webhooks.
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	wh, err := tenant.CreateWebhook(ctx, "acme", client.WebhookRequest{
		Name: "HRIS", URL: srv.URL, EventTypes: []string{"user.*", "acme_kudos.*"},
		BasicAuth: &client.BasicAuthRequest{Username: "lms", Password: "s3cret"},
		Headers:   map[string]client.HeaderValue{"X-Tenant": client.Plain("acme"), "X-Api-Key": client.SecretHeader("k-123")},
	})
	must(err)
	if !strings.HasPrefix(wh.Secret, "whsec_") || wh.BasicAuth == nil || !wh.BasicAuth.PasswordSet || wh.Headers["X-Tenant"] != client.Plain("acme") || !wh.Enabled {
		t.Fatalf("created webhook = %+v", wh)
	}
	if h := wh.Headers["X-Api-Key"]; h != (client.HeaderValue{Secret: true, Set: true}) {
		t.Fatalf("secret header in the answer = %+v, want set and no value", h)
	}
	second, err := tenant.CreateWebhook(ctx, "acme", client.WebhookRequest{Name: "spare", URL: srv.URL, Entity: "course_enrollment", Actions: []string{"completed"}, Enabled: new(false)})
	must(err)
	if second.Enabled || !slices.Equal(second.EventTypes, []string{"course_enrollment.completed"}) {
		t.Fatalf("second webhook = %+v", second)
	}
	hooks, err := tenant.ListWebhooks(ctx, "acme", client.ListParams{Limit: 1})
	must(err)
	if len(hooks.Data) != 1 || hooks.NextCursor == "" {
		t.Fatalf("first page of webhooks = %+v", hooks)
	}
	n := 0
	for _, err := range tenant.AllWebhooks(ctx, "acme", client.ListParams{Limit: 1}) {
		must(err)
		n++
	}
	if n != 2 {
		t.Fatalf("all webhooks: %d, want 2", n)
	}
	read, err := tenant.GetWebhook(ctx, "acme", wh.ID)
	must(err)
	if read.ID != wh.ID || read.URL != srv.URL {
		t.Fatalf("read webhook = %+v", read)
	}
	sec, err := tenant.RevealSecret(ctx, "acme", wh.ID)
	must(err)
	if sec.Secret != wh.Secret || sec.SignatureScheme != client.SchemeHMACSHA256 {
		t.Fatalf("revealed %+v", sec)
	}
	rotated, err := tenant.RotateSecret(ctx, "acme", wh.ID, client.RotateSecretRequest{OverlapSeconds: new(60)})
	must(err)
	if rotated.Secret == wh.Secret || rotated.PreviousSecretExpiresAt == nil {
		t.Fatalf("rotated = %+v", rotated)
	}
	changed, err := tenant.UpdateWebhook(ctx, "acme", wh.ID, client.WebhookUpdate{
		Description: new("to Workday"), BasicAuth: client.NoBasicAuth(), Headers: map[string]client.HeaderValue{},
		RetrySchedule: []float64{3600},
	})
	must(err)
	if changed.Description != "to Workday" || changed.BasicAuth != nil || len(changed.Headers) != 0 || changed.RetryPolicy != "custom" || changed.CanceledDeliveries != 0 {
		t.Fatalf("changed = %+v", changed)
	}
	if _, err := tenant.UpdateWebhook(ctx, "acme", second.ID, client.WebhookUpdate{BasicAuth: &client.BasicAuthRequest{Username: "u", Password: "p"}}); err != nil {
		t.Fatal(err)
	}
	res, err := tenant.TestWebhook(ctx, "acme", wh.ID, client.TestRequest{EventType: "acme_kudos.awarded"})
	must(err)
	if !res.Success || res.Status != 200 || res.Event.Type != "acme_kudos.awarded" || !strings.HasPrefix(res.Event.ID, "evt_test_") {
		t.Fatalf("test send = %+v", res)
	}
	res, err = tenant.TestUnsavedWebhook(ctx, "acme", client.UnsavedTestRequest{
		WebhookRequest: client.WebhookRequest{Name: "draft", URL: srv.URL, EventTypes: []string{"user.created"}},
		Data:           map[string]any{"id": "u_9", "email": "ana@acme.com"},
	})
	must(err)
	if !res.Success || res.Event.Type != "user.created" || !strings.Contains(res.Request.Body, "u_9") {
		t.Fatalf("unsaved test send = %+v", res)
	}
	check, err := tenant.CheckFilter(ctx, "acme", client.FilterCheckRequest{Filter: `data.course.id == "c_1042"`, EventType: "course_enrollment.completed"})
	must(err)
	if !check.Valid || check.Result == nil || check.Error != nil {
		t.Fatalf("filter check = %+v", check)
	}
	check, err = tenant.CheckFilter(ctx, "acme", client.FilterCheckRequest{Filter: "data.cours.id == 1", EventType: "course_enrollment.completed"})
	must(err)
	if check.Valid || check.Error == nil || check.Result != nil {
		t.Fatalf("check of a bad filter = %+v", check)
	}

	// Events: an idempotent publish, a batch, the event with its deliveries.
	since := time.Now().Add(-time.Minute)
	pub := client.PublishRequest{Type: "acme_kudos.awarded", Data: json.RawMessage(`{"kudos":{"points":7}}`), IdempotencyKey: "k-1", OccurredAt: since}
	first, err := tenant.Publish(ctx, "acme", pub)
	must(err)
	replay, err := tenant.Publish(ctx, "acme", pub)
	must(err)
	if first.Replayed || first.Deliveries != 1 || !first.OccurredAt.Equal(since.Truncate(time.Millisecond)) || !replay.Replayed || replay.ID != first.ID {
		t.Fatalf("publish %+v, replay %+v", first, replay)
	}
	items, err := tenant.PublishBatch(ctx, "acme", []client.PublishRequest{
		{Type: "user.created", Data: map[string]any{"id": "u_1", "email": "ana@acme.com"}},
		{Type: "course_enrollment.completed", Data: completed.Example},
	})
	must(err)
	if len(items) != 2 || items[0].Deliveries != 1 || items[1].Deliveries != 0 {
		t.Fatalf("batch = %+v", items)
	}
	ev, err := tenant.GetEvent(ctx, "acme", first.ID)
	must(err)
	if ev.IdempotencyKey != "k-1" || len(ev.Deliveries) != 1 || ev.Deliveries[0].WebhookID != wh.ID {
		t.Fatalf("event = %+v", ev)
	}

	// Deliveries.
	var dp *client.DeliveryPage
	poll.For(t, 10*time.Second, "both deliveries to succeed", func() bool {
		dp, err = tenant.ListDeliveries(ctx, "acme", client.DeliveryParams{WebhookID: wh.ID, Since: since, IncludeCounts: true, ListParams: client.ListParams{Limit: 1}})
		return err == nil && dp.Counts[client.Succeeded] == 2
	})
	if len(dp.Data) != 1 || dp.NextCursor == "" {
		t.Fatalf("first page of deliveries = %+v", dp)
	}
	var dlv []client.Delivery
	for d, err := range tenant.AllDeliveries(ctx, "acme", client.DeliveryParams{State: client.Succeeded, ListParams: client.ListParams{Limit: 1}}) {
		must(err)
		dlv = append(dlv, d)
	}
	if len(dlv) != 2 || rc.count() != 4 { // 2 deliveries, 2 test sends
		t.Fatalf("%d succeeded deliveries, %d requests received; want 2 and 4", len(dlv), rc.count())
	}
	detail, err := tenant.GetDelivery(ctx, "acme", dlv[0].ID)
	must(err)
	if detail.Delivery.ID != dlv[0].ID || len(detail.Attempts) != 1 || !detail.Attempts[0].Success ||
		detail.Attempts[0].Response == nil || detail.Attempts[0].Response.Status != 200 || detail.Attempts[0].Trigger != client.TriggerScheduled {
		t.Fatalf("delivery detail = %+v", detail)
	}
	resent, err := tenant.ResendDelivery(ctx, "acme", dlv[0].ID)
	must(err)
	if resent.State != client.Scheduled || resent.NextAttemptAt == nil {
		t.Fatalf("resent = %+v", resent)
	}
	recovered, err := tenant.RecoverWebhook(ctx, "acme", wh.ID, client.RecoverRequest{Since: since})
	must(err)
	if recovered != 0 {
		t.Fatalf("recovered %d, want 0: nothing failed", recovered)
	}
	stats, err := tenant.GetStats(ctx, "acme", client.StatsParams{Window: time.Hour})
	must(err)
	if len(stats.Data) != 2 || stats.Until.Sub(stats.Since) != time.Hour {
		t.Fatalf("stats = %+v", stats)
	}

	// Ordering: a delivery that finally failed blocks its key until it is
	// skipped.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	t.Cleanup(down.Close)
	ordered, err := tenant.CreateWebhook(ctx, "acme", client.WebhookRequest{
		Name: "ordered", URL: down.URL, EventTypes: []string{"user.deleted"}, RetryPolicy: "none",
		Ordering: client.OrderingKey, OrderingFailure: client.FailureBlock,
	})
	must(err)
	if ordered.Ordering != client.OrderingKey || ordered.OrderingFailure != client.FailureBlock {
		t.Fatalf("ordered webhook = %+v", ordered)
	}
	gone, err := tenant.Publish(ctx, "acme", client.PublishRequest{Type: "user.deleted", Data: map[string]any{"id": "u_1", "email": "ana@acme.com"}, OrderingKey: "usr-1"})
	must(err)
	if ev, err := tenant.GetEvent(ctx, "acme", gone.ID); err != nil || ev.OrderingKey != "usr-1" {
		t.Fatalf("event published with an ordering key = %+v, %v", ev, err)
	}
	var blocked []client.BlockedKey
	poll.For(t, 10*time.Second, "the ordered delivery to fail and block its key", func() bool {
		blocked, err = tenant.BlockedKeys(ctx, "acme", client.BlockedKeyParams{WebhookID: ordered.ID})
		return err == nil && len(blocked) == 1
	})
	if h := blocked[0].Head; h.State != client.Failed || !h.Ordered || !h.HoldsKey || blocked[0].WebhookID != ordered.ID || blocked[0].Key != "usr-1" {
		t.Fatalf("blocked key = %+v", blocked[0])
	}
	skipped, err := tenant.SkipDelivery(ctx, "acme", blocked[0].Head.ID)
	must(err)
	if skipped.HoldsKey || skipped.SkippedAt == nil || skipped.State != client.Failed {
		t.Fatalf("skipped = %+v", skipped)
	}
	if _, err := tenant.UpdateWebhook(ctx, "acme", ordered.ID, client.WebhookUpdate{Ordering: new(client.OrderingNone)}); err != nil {
		t.Fatal(err)
	}

	link, err := tenant.CreatePortalLink(ctx, "acme", client.PortalLinkRequest{TTLSeconds: 600})
	must(err)
	if !strings.Contains(link.URL, "/portal/") || link.ExpiresAt.IsZero() {
		t.Fatalf("portal link = %+v", link)
	}
	must(tenant.RevokePortalAccess(ctx, "acme"))

	// Deletes.
	must(tenant.DeleteEventType(ctx, "acme", "acme_kudos.awarded"))
	must(tenant.DeleteWebhook(ctx, "acme", second.ID))
	must(tenant.DeleteAPIKey(ctx, "acme", key.ID))
	var e *client.Error
	if _, err := tenant.GetTenant(ctx, "acme"); !errors.As(err, &e) || e.Status != 401 || e.Code != client.CodeUnauthorized {
		t.Fatalf("a revoked key = %v, want a 401", err)
	}
	must(op.DeleteTenant(ctx, "globex"))

	// Every request went to a route of the API and, when it succeeded,
	// was answered with a status the wire table gives for that route; and
	// every route was called with success.
	patterns := apiRoutes(t)
	route := routeMatcher(patterns)
	succeeded := map[string]bool{}
	reqs, statuses := rec.exchanges()
	for i, r := range reqs {
		p := route(r)
		if p == "" {
			t.Errorf("%s %s matches no route of the API", r.Method, r.URL.Path)
			continue
		}
		if statuses[i] >= 300 {
			continue
		}
		if op := wire[p]; !slices.Contains(op.statuses, statuses[i]) {
			t.Errorf("%s answered %d, the wire table says %v", p, statuses[i], op.statuses)
		}
		succeeded[p] = true
	}
	var missed []string
	for _, p := range patterns {
		if !succeeded[p] {
			missed = append(missed, p)
		}
	}
	if len(missed) > 0 {
		t.Fatalf("no call of the client succeeded on %d routes of %s; add methods for them and call them here:\n%s",
			len(missed), routesFile, strings.Join(missed, "\n"))
	}
}

// A refused request is an *Error with the status, code, message and the
// field at fault; errors.As finds it through wrapping.
func TestErrorsAreTyped(t *testing.T) {
	op, _ := startServer(t)
	ctx := t.Context()
	if _, err := op.CreateTenant(ctx, client.TenantRequest{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	_, err := op.CreateWebhook(ctx, "acme", client.WebhookRequest{Name: "h", URL: "ftp://example.com/h", EventTypes: []string{"user.created"}})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || e.Code != client.CodeInvalid || e.Field != "url" || e.Message == "" {
		t.Fatalf("bad url = %#v, want a 422 invalid on url", err)
	}
	if !strings.HasPrefix(err.Error(), "lmshooks answered 422 invalid: url ") || e.Temporary() {
		t.Fatalf("error text %q (temporary %v)", err, e.Temporary())
	}
	_, err = op.PublishBatch(ctx, "acme", []client.PublishRequest{
		{Type: "user.created", Data: map[string]any{"id": "u_1", "email": "ana@acme.com"}},
		{Type: "user.created", Data: map[string]any{"id": 7}},
	})
	if !errors.As(err, &e) || e.Field != "events[1].data/id" {
		t.Fatalf("bad batch = %v, want the field of the second event's id", err)
	}
	_, err = op.CreateTenant(ctx, client.TenantRequest{ID: "acme", Name: "Again"})
	if !errors.As(err, &e) || e.Status != http.StatusConflict || e.Code != client.CodeConflict || e.Field != "id" {
		t.Fatalf("taken id = %v, want a 409 on id", err)
	}
	_, err = op.GetWebhook(ctx, "acme", "wh_nope")
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Code != client.CodeNotFound {
		t.Fatalf("unknown webhook = %v, want a 404", err)
	}
	_, err = op.ListDeliveries(ctx, "acme", client.DeliveryParams{ListParams: client.ListParams{Limit: 5000}})
	if !errors.As(err, &e) || e.Field != "limit" {
		t.Fatalf("limit 5000 = %v, want a 422 on limit", err)
	}
	_, err = op.With(client.WithKey("lmsk_"+strings.Repeat("x", 43))).GetTenant(ctx, "acme")
	if !errors.As(err, &e) || e.Status != http.StatusUnauthorized {
		t.Fatalf("unknown key = %v, want a 401", err)
	}
	// An empty or dot id would name another path: refused before sending.
	for _, id := range []string{"", ".."} {
		if _, err := op.GetWebhook(ctx, "acme", id); err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), "empty, . or ..") {
			t.Fatalf("id %q = %v, want the client's own refusal", id, err)
		}
	}
}

// An answer that is not the API's (a proxy's error page) is an *Error
// with the body; a server that cannot be reached is not an *Error.
func TestErrorsFromOutsideTheAPI(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream down", http.StatusBadGateway)
	}))
	defer proxy.Close()
	_, err := client.New(client.WithBaseURL(proxy.URL+"/")).GetTenant(t.Context(), "acme")
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusBadGateway || e.Code != "" || e.Body != "upstream down" || !e.Temporary() {
		t.Fatalf("proxy error = %#v", err)
	}
	proxy.Close()
	_, err = client.New(client.WithBaseURL(proxy.URL)).GetTenant(t.Context(), "acme")
	if err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), "cannot reach lmshooks at "+proxy.URL) {
		t.Fatalf("closed server = %v", err)
	}
}

// The iterators fetch page after page, stop fetching when the loop
// breaks, and end with an error that a page fetch returns.
func TestIteratorsFetchPagesLazily(t *testing.T) {
	op, rec := startServer(t)
	ctx := t.Context()
	for _, id := range []string{"t1", "t2", "t3", "t4", "t5"} {
		if _, err := op.CreateTenant(ctx, client.TenantRequest{ID: id, Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	lists := func() int {
		n := 0
		for _, r := range rec.requests() {
			if r.Method == http.MethodGet && r.URL.Path == "/api/v1/tenants" {
				n++
			}
		}
		return n
	}
	var got []string
	for tn, err := range op.AllTenants(ctx, client.ListParams{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tn.ID)
	}
	if len(got) != 5 || lists() != 3 {
		t.Fatalf("iterated %v in %d pages, want 5 tenants in 3", got, lists())
	}
	before := lists()
	for range op.AllTenants(ctx, client.ListParams{Limit: 2}) {
		break
	}
	if lists() != before+1 {
		t.Fatalf("breaking after the first item fetched %d pages", lists()-before)
	}
	var errs int
	for _, err := range op.AllTenants(ctx, client.ListParams{Limit: 5000}) {
		var e *client.Error
		if !errors.As(err, &e) || e.Field != "limit" {
			t.Fatalf("bad limit = %v", err)
		}
		errs++
	}
	if errs != 1 {
		t.Fatalf("%d errors yielded, want 1", errs)
	}
}
