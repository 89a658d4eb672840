package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/web"
)

var start = time.Date(2030, 3, 4, 5, 6, 7, 123000000, time.UTC)

// recorder hears what the service tells the dispatcher and answers test
// sends with a success.
type recorder struct {
	mu      sync.Mutex
	changed []string
	tests   []*domain.Event
}

func (r *recorder) WebhookChanged(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changed = append(r.changed, id)
}

func (r *recorder) WorkDue() {}

func (r *recorder) Test(_ context.Context, w *domain.Webhook, ev *domain.Event) domain.Attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tests = append(r.tests, ev)
	return domain.Attempt{RequestURL: w.URL, RequestBody: ev.Data, StatusCode: 200, Success: true}
}

func (r *recorder) changes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.changed)
}

// env is a webhooks service over a real SQLite store with the builtin
// catalog and the tenant "acme".
type env struct {
	t     *testing.T
	ctx   context.Context
	store store.Store
	clock *clock.Fake
	rec   *recorder
	svc   *service.Webhooks
}

var builtin = func() *catalog.Catalog {
	c, err := catalog.Load()
	if err != nil {
		panic(err)
	}
	return c
}()

func newEnv(t *testing.T, withCatalog bool) *env {
	t.Helper()
	return newEnvWith(t, withCatalog, nil)
}

// newEnvWith is newEnv with the service's configuration changed by tweak
// (when not nil).
func newEnvWith(t *testing.T, withCatalog bool, tweak func(*service.WebhooksConfig)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "svc.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, ctx: ctx, store: st, clock: clock.NewFake(start), rec: &recorder{}}
	cfg := service.WebhooksConfig{Tester: e.rec}
	if withCatalog {
		cfg.Catalogs = catalog.NewViews(catalog.ViewsConfig{Store: st, Builtin: builtin, Clock: e.clock})
	}
	if tweak != nil {
		tweak(&cfg)
	}
	e.svc = service.NewWebhooks(service.Deps{Store: st, Clock: e.clock, Notify: e.rec}, cfg)
	if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: "production", CreatedAt: start, UpdatedAt: start}); err != nil {
		t.Fatal(err)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

// valid is a create input that passes every check.
func valid() service.WebhookInput {
	return service.WebhookInput{
		Name: ptr("HRIS"), URL: ptr("https://hooks.example.com/lms"),
		EventTypes: &[]string{"course_enrollment.completed", "user.created"},
	}
}

func (e *env) create(in service.WebhookInput) *domain.Webhook {
	e.t.Helper()
	saved, err := e.svc.Create(e.ctx, "acme", in)
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	return saved.Webhook
}

// wantField checks that err is an EINVALID on field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != field {
		t.Fatalf("error %v, want invalid on %q", err, field)
	}
}

func TestCreateTakesDefaultsAndHandsOutTheSecretOnce(t *testing.T) {
	e := newEnv(t, true)
	saved, err := e.svc.Create(e.ctx, "acme", valid())
	if err != nil {
		t.Fatal(err)
	}
	w := saved.Webhook
	if !strings.HasPrefix(w.ID, "wh_") || !w.Enabled || w.Format != "standard" || w.RetryPolicy != "standard" || w.Timeout != 15*time.Second || !w.CreatedAt.Equal(start) {
		t.Fatalf("created %+v", w)
	}
	if saved.Secret == nil || saved.Secret.Secret != w.Secret || saved.Secret.Scheme != service.SchemeHMAC || !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("secret handed out %+v", saved.Secret)
	}
	if got, err := e.svc.Get(e.ctx, "acme", w.ID); err != nil || got.Secret != w.Secret {
		t.Fatalf("stored %+v, %v", got, err)
	}
	if _, _, err := e.svc.List(e.ctx, "nope", store.Page{}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("list of an absent tenant: %v", err)
	}
	// A format's own defaults apply to what the input leaves out.
	in := valid()
	in.Format = ptr("cypher")
	c := e.create(in)
	if c.Timeout != 10*time.Second || c.RetryPolicy != "cypher" {
		t.Fatalf("cypher defaults not applied: %s %s", c.Timeout, c.RetryPolicy)
	}
	if len(e.rec.changes()) != 0 {
		t.Fatalf("creating told the dispatcher %v", e.rec.changes())
	}
}

// A secret supplied without base64 padding is stored and handed out
// padded: the same key, as strict decoders want it.
func TestSuppliedSecretIsPadded(t *testing.T) {
	e := newEnv(t, true)
	const padded = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAA==" // 25 bytes
	in := valid()
	in.Secret = ptr(strings.TrimRight(padded, "="))
	saved, err := e.svc.Create(e.ctx, "acme", in)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Webhook.Secret != padded || saved.Secret.Secret != padded {
		t.Fatalf("stored %.12s…, handed out %.12s…; want the padded %.12s…", saved.Webhook.Secret, saved.Secret.Secret, padded)
	}
}

func TestValidationNamesTheAPIsFields(t *testing.T) {
	e := newEnv(t, true)
	hmac := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	cases := []struct {
		name   string
		change func(*service.WebhookInput)
		field  string
		msg    string
	}{
		{"bad URL", func(in *service.WebhookInput) { in.URL = ptr("ftp://x") }, "url", "http"},
		{"bad pattern", func(in *service.WebhookInput) { in.EventTypes = &[]string{"user.created", "NOPE"} }, "event_types[1]", "not an event type pattern"},
		{"unknown type", func(in *service.WebhookInput) { in.EventTypes = &[]string{"user.craeted"} }, "event_types[0]", `did you mean "user.created"`},
		{"both subscriptions", func(in *service.WebhookInput) { in.Entity, in.Actions = ptr("user"), &[]string{"created"} }, "event_types", "not both"},
		{"unknown action", func(in *service.WebhookInput) {
			in.EventTypes, in.Entity, in.Actions = nil, ptr("course_enrollment"), &[]string{"completed", "finished"}
		}, "actions[1]", "is not an action of course_enrollment"},
		{"timeout", func(in *service.WebhookInput) { in.TimeoutSeconds = ptr(61) }, "timeout_seconds", "between 1 and 60"},
		{"negative wait", func(in *service.WebhookInput) { in.RetrySchedule = &[]float64{1, -1} }, "retry_schedule[1]", "between 0"},
		{"options not an object", func(in *service.WebhookInput) { in.FormatOptions = json.RawMessage(`[1]`) }, "format_options", "must be a JSON object"},
		{"unknown option", func(in *service.WebhookInput) {
			in.Format, in.FormatOptions = ptr("cloudevents"), json.RawMessage(`{"mood":"binary"}`)
		}, "format_options.mood", "is not an option of the cloudevents format"},
		{"unknown format", func(in *service.WebhookInput) { in.Format = ptr("soap") }, "format", "is not a format"},
		{"filter syntax", func(in *service.WebhookInput) { in.Filter = ptr(`data.course.id in [`) }, "filter", "Syntax error"},
		{"filter on a type without the field", func(in *service.WebhookInput) { in.Filter = ptr(`data.course.id == "c_1"`) }, "filter", "fails on the example of user.created"},
		{"password with a line break", func(in *service.WebhookInput) {
			in.BasicAuth = &service.BasicAuthInput{Username: ptr("u"), Password: ptr("a\nb")}
		}, "basic_auth.password", "line breaks"},
		{"unknown scheme", func(in *service.WebhookInput) { in.SignatureScheme = ptr("rsa") }, "signature_scheme", "not a signature scheme"},
		{"secret of another scheme", func(in *service.WebhookInput) { in.SignatureScheme, in.Secret = ptr("ed25519"), &hmac }, "secret", "signature_scheme is \"ed25519\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
			c.change(&in)
			_, err := e.svc.Create(e.ctx, "acme", in)
			wantField(t, err, c.field)
			if msg := domain.ErrorMessage(err); !strings.Contains(msg, c.msg) {
				t.Fatalf("message %q lacks %q", msg, c.msg)
			}
			// A test before saving refuses it alike, and sends nothing.
			_, terr := e.svc.TestUnsaved(e.ctx, "acme", "", in, service.TestInput{})
			if domain.ErrorMessage(terr) != domain.ErrorMessage(err) {
				t.Fatalf("unsaved test: %v, create: %v", terr, err)
			}
		})
	}
	if hs, _, _ := e.svc.List(e.ctx, "acme", store.Page{}); len(hs) != 0 || len(e.rec.tests) != 0 {
		t.Fatalf("refused inputs stored %d webhooks and sent %d tests", len(hs), len(e.rec.tests))
	}
}

func TestUpdateChangesOnlyWhatIsGiven(t *testing.T) {
	e := newEnv(t, true)
	in := valid()
	in.BasicAuth = &service.BasicAuthInput{Username: ptr("lms"), Password: ptr("pw")}
	in.Headers = map[string]service.HeaderInput{"X-A": {Value: ptr("1")}}
	w := e.create(in)

	e.clock.Advance(time.Second)
	saved, err := e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{Name: ptr("Renamed"), BasicAuth: &service.BasicAuthInput{Username: ptr("lms2")}})
	if err != nil {
		t.Fatal(err)
	}
	got := saved.Webhook
	if got.Name != "Renamed" || got.URL != w.URL || !slices.Equal(got.EventTypes, w.EventTypes) || got.Headers["X-A"] != "1" ||
		got.BasicAuth.Username != "lms2" || got.BasicAuth.Password != "pw" || got.Secret != w.Secret || !got.UpdatedAt.Equal(start.Add(time.Second)) {
		t.Fatalf("after a patch of the name: %+v", got)
	}
	if saved.Secret != nil {
		t.Fatal("a change hands out the secret")
	}
	_, err = e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{Secret: ptr("whsec_x")})
	wantField(t, err, "secret")
	_, err = e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{SignatureScheme: ptr("ed25519")})
	wantField(t, err, "signature_scheme")
	if _, err := e.svc.Update(e.ctx, "acme", "wh_nope", service.WebhookInput{}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("absent webhook: %v", err)
	}
	// Switching the format moves the settings that still had the old
	// format's defaults, and keeps the others.
	saved, err = e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{Format: ptr("cypher"), TimeoutSeconds: ptr(30)})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Webhook.Timeout != 30*time.Second || saved.Webhook.RetryPolicy != "cypher" {
		t.Fatalf("after the format switch: %s %s", saved.Webhook.Timeout, saved.Webhook.RetryPolicy)
	}
	if ch := e.rec.changes(); !slices.Equal(ch, []string{w.ID, w.ID}) {
		t.Fatalf("WebhookChanged %v, want one per saved change", ch)
	}
}

func TestDisablingCancelsOrAsksFirst(t *testing.T) {
	e := newEnv(t, false)
	w := e.create(valid())
	pub := ingest.New(ingest.Config{Store: e.store, Clock: e.clock})
	for range 3 {
		if _, err := pub.Publish(e.ctx, "acme", []ingest.Input{{Type: "user.created", Data: json.RawMessage(`{}`)}}, false); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := e.svc.CancelableDeliveries(e.ctx, "acme", w.ID); err != nil || n != 3 {
		t.Fatalf("cancelable = %d, %v; want 3", n, err)
	}
	off := false
	_, err := e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{Enabled: &off, AskBeforeCanceling: true})
	var pending *service.CancelPending
	if !errors.As(err, &pending) || pending.Scheduled != 3 {
		t.Fatalf("asking first: %v", err)
	}
	if code, status := web.Code(err); code != domain.ECONFLICT || status != 409 {
		t.Fatalf("asking first is %s %d, want a conflict", code, status)
	}
	if got, _ := e.svc.Get(e.ctx, "acme", w.ID); !got.Enabled {
		t.Fatal("asking disabled the webhook")
	}
	saved, err := e.svc.SetEnabled(e.ctx, "acme", w.ID, false)
	if err != nil || saved.Canceled != 3 || saved.Webhook.Enabled {
		t.Fatalf("disable: %+v, %v", saved, err)
	}
	if n, _ := e.svc.CancelableDeliveries(e.ctx, "acme", w.ID); n != 0 {
		t.Fatalf("%d still scheduled", n)
	}
	if err := e.store.DisableWebhook(e.ctx, w.ID, "the receiver answered 410 Gone", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if saved, err = e.svc.SetEnabled(e.ctx, "acme", w.ID, true); err != nil || !saved.Webhook.Enabled || saved.Webhook.DisabledReason != "" {
		t.Fatalf("re-enable: %+v, %v", saved, err)
	}
	if err := e.svc.Delete(e.ctx, "acme", w.ID); err != nil {
		t.Fatal(err)
	}
	if ch := e.rec.changes(); len(ch) != 3 {
		t.Fatalf("WebhookChanged %v, want disable, enable and delete", ch)
	}
}

func TestTenantCap(t *testing.T) {
	e := newEnv(t, false)
	tn, _ := e.store.GetTenant(e.ctx, "acme")
	tn.MaxWebhooks = 1
	if err := e.store.UpdateTenant(e.ctx, tn); err != nil {
		t.Fatal(err)
	}
	e.create(valid())
	_, err := e.svc.Create(e.ctx, "acme", valid())
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "maximum of 1 webhooks") {
		t.Fatalf("over the cap: %v", err)
	}
}

func TestSecretsRotateWithOverlap(t *testing.T) {
	e := newEnv(t, false)
	w := e.create(valid())
	saved, err := e.svc.RotateSecret(e.ctx, "acme", w.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Secret.Secret == w.Secret || !saved.Secret.PreviousExpiresAt.Equal(start.Add(24*time.Hour)) {
		t.Fatalf("rotation %+v", saved.Secret)
	}
	_, sec, err := e.svc.Secret(e.ctx, "acme", w.ID)
	if err != nil || sec.Secret != saved.Secret.Secret {
		t.Fatalf("reveal after rotation: %+v, %v", sec, err)
	}
	if saved, _ = e.svc.RotateSecret(e.ctx, "acme", w.ID, ptr(int64(0))); !saved.Secret.PreviousExpiresAt.IsZero() {
		t.Fatal("no overlap still shows a previous secret")
	}
	_, err = e.svc.RotateSecret(e.ctx, "acme", w.ID, ptr(int64(-1)))
	wantField(t, err, "overlap_seconds")

	in := valid()
	in.SignatureScheme = ptr("ed25519")
	ed, err := e.svc.Create(e.ctx, "acme", in)
	if err != nil || !strings.HasPrefix(ed.Secret.Secret, "whsk_") || !strings.HasPrefix(ed.Secret.PublicKey, "whpk_") {
		t.Fatalf("ed25519: %+v, %v", ed, err)
	}
	rot, err := e.svc.RotateSecret(e.ctx, "acme", ed.Webhook.ID, nil)
	if err != nil || !strings.HasPrefix(rot.Secret.Secret, "whsk_") || rot.Secret.PublicKey == ed.Secret.PublicKey {
		t.Fatalf("ed25519 rotation: %+v, %v", rot.Secret, err)
	}
	if s := service.SigningOf(rot.Webhook); s.Scheme != service.SchemeEd25519 || s.PublicKey != rot.Secret.PublicKey {
		t.Fatalf("signing %+v", s)
	}
	if n := len(e.rec.changes()); n != 3 {
		t.Fatalf("%d WebhookChanged for 3 rotations", n)
	}
}

// A subscription that was stored is not checked again: a webhook whose
// own type was deleted can still be saved.
func TestStoredSubscriptionIsNotRechecked(t *testing.T) {
	e := newEnv(t, true)
	if err := e.store.PutEventType(e.ctx, &domain.CustomEventType{TenantID: "acme", Type: "acme_badge.earned", CreatedAt: start, UpdatedAt: start}); err != nil {
		t.Fatal(err)
	}
	in := valid()
	in.EventTypes = &[]string{"acme_badge.earned", "user.created"}
	w := e.create(in)
	if err := e.store.DeleteEventType(e.ctx, "acme", "acme_badge.earned"); err != nil {
		t.Fatal(err)
	}
	same := []string{"user.created", "acme_badge.earned"}
	if _, err := e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{EventTypes: &same, Name: ptr("x")}); err != nil {
		t.Fatalf("re-saving the stored subscription: %v", err)
	}
	more := []string{"acme_badge.earned", "acme_badge.lost"}
	_, err := e.svc.Update(e.ctx, "acme", w.ID, service.WebhookInput{EventTypes: &more})
	wantField(t, err, "event_types[1]")
}

func TestTestSends(t *testing.T) {
	e := newEnv(t, true)
	in := valid()
	in.EventTypes = &[]string{"course_enrollment.*"}
	w := e.create(in)
	res, err := e.svc.Test(e.ctx, "acme", w.ID, service.TestInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantType, wantData, _ := builtin.TestEvent([]string{"course_enrollment.*"})
	if res.Event.Type != wantType || !strings.HasPrefix(res.Event.ID, "evt_test_") || !res.Attempt.Success {
		t.Fatalf("test sent %+v", res.Event)
	}
	var a, b any
	_ = json.Unmarshal(res.Event.Data, &a)
	_ = json.Unmarshal(wantData, &b)
	if ja, _ := json.Marshal(a); string(ja) != string(must(json.Marshal(b))) {
		t.Fatalf("data %s, want the catalog's example", res.Event.Data)
	}
	res, err = e.svc.Test(e.ctx, "acme", w.ID, service.TestInput{EventType: ptr("user.updated"), Data: json.RawMessage(`{"user": {"id": "u9"}}`)})
	if err != nil || res.Event.Type != "user.updated" || string(res.Event.Data) != `{"user":{"id":"u9"}}` {
		t.Fatalf("chosen event: %+v, %v", res, err)
	}
	_, err = e.svc.Test(e.ctx, "acme", w.ID, service.TestInput{Data: json.RawMessage(`[1]`)})
	wantField(t, err, "data")

	// An edit tested before saving: the stored webhook with the change,
	// its secret included, and nothing stored.
	url := "https://elsewhere.example.com/in"
	res, err = e.svc.TestUnsaved(e.ctx, "acme", w.ID, service.WebhookInput{URL: &url}, service.TestInput{})
	if err != nil || res.Attempt.RequestURL != url {
		t.Fatalf("unsaved change: %+v, %v", res, err)
	}
	if got, _ := e.svc.Get(e.ctx, "acme", w.ID); got.URL != w.URL {
		t.Fatal("testing a change saved it")
	}
	if _, err := e.svc.TestUnsaved(e.ctx, "nope", "", valid(), service.TestInput{}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("unsaved test of an absent tenant: %v", err)
	}
}

func TestTestSendWithoutCatalogNeedsAPlainType(t *testing.T) {
	e := newEnv(t, false)
	in := valid()
	in.EventTypes = &[]string{"*"}
	w := e.create(in)
	_, err := e.svc.Test(e.ctx, "acme", w.ID, service.TestInput{})
	wantField(t, err, "event_type")
	res, err := e.svc.Test(e.ctx, "acme", w.ID, service.TestInput{EventType: ptr("user.created")})
	if err != nil || string(res.Event.Data) != `{}` {
		t.Fatalf("without a catalog: %+v, %v", res, err)
	}
}

func TestTryFilter(t *testing.T) {
	e := newEnv(t, true)
	try := func(ft service.FilterTrial) *service.FilterOutcome {
		ft.Subscribed = []string{"user.created", "course_enrollment.*"}
		return e.svc.TryFilter(e.ctx, "acme", ft)
	}
	if o := try(service.FilterTrial{Filter: `data.email.endsWith("@acme.com")`, EventType: "user.created"}); o.Outcome != "true" || o.Pasted {
		t.Fatalf("on the example: %+v", o)
	}
	if o := try(service.FilterTrial{Filter: `data.email.endsWith("@acme.com")`, EventType: "user.created", Data: json.RawMessage(`{"email":"b@globex.com"}`)}); o.Outcome != "false" || !o.Pasted {
		t.Fatalf("on pasted data: %+v", o)
	}
	if o := try(service.FilterTrial{Filter: `data.score.raw >= 80.0`}); o.EventType != "course_enrollment.completed" || o.Outcome != "true" {
		t.Fatalf("first subscribed type: %+v", o)
	}
	if o := try(service.FilterTrial{Filter: `data.email ==`, EventType: "user.created"}); o.Outcome != "error" || !strings.Contains(o.Error, "Syntax error") {
		t.Fatalf("syntax: %+v", o)
	}
	if o := try(service.FilterTrial{Filter: `data.course.id == "c_1042"`, EventType: "course_enrollment.completed"}); o.Outcome != "true" || !strings.Contains(o.SaveError, "fails on the example of user.created") {
		t.Fatalf("save error: %+v", o)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
