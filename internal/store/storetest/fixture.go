package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// fixture bundles a fresh store with helpers that fail the test on error.
type fixture struct {
	t   *testing.T
	s   store.Store
	ctx context.Context
	// ids makes every id the helpers give: one generator per test, so the
	// ids of a test sort in the order it made them.
	ids *id.Generator
	// leases holds, by delivery id, the lease of its last claim by turn
	// (see ordering.go).
	leases map[string]time.Time
}

// tenant creates a tenant with a new id.
func (f *fixture) tenant(maxWebhooks int) *domain.Tenant {
	f.t.Helper()
	tn := &domain.Tenant{
		ID:          f.ids.New(id.Tenant),
		Name:        "Acme Learning",
		Environment: domain.Production,
		MaxWebhooks: maxWebhooks,
		CreatedAt:   base,
		UpdatedAt:   base,
	}
	if err := f.s.CreateTenant(f.ctx, tn); err != nil {
		f.t.Fatalf("CreateTenant: %v", err)
	}
	return tn
}

// newWebhook returns a valid, enabled webhook of tenantID subscribed to
// types, not yet stored.
func (f *fixture) newWebhook(tenantID string, types ...string) *domain.Webhook {
	if len(types) == 0 {
		types = []string{"*"}
	}
	return &domain.Webhook{
		ID:          f.ids.New(id.Webhook),
		TenantID:    tenantID,
		Name:        "HRIS sync",
		URL:         "https://hris.example.com/hooks",
		EventTypes:  types,
		Enabled:     true,
		Format:      domain.DefaultFormat,
		Secret:      "whsec_" + f.ids.New(""),
		Timeout:     domain.DefaultTimeout,
		RetryPolicy: domain.DefaultRetryPolicy,
		SuccessRule: domain.DefaultSuccessRule,
		CreatedAt:   base,
		UpdatedAt:   base,
	}
}

// webhook creates an enabled webhook subscribed to types ("*" if none).
func (f *fixture) webhook(tenantID string, types ...string) *domain.Webhook {
	f.t.Helper()
	w := f.newWebhook(tenantID, types...)
	if err := f.s.CreateWebhook(f.ctx, w); err != nil {
		f.t.Fatalf("CreateWebhook: %v", err)
	}
	return w
}

// event returns a new event of tenantID, not yet stored.
func (f *fixture) event(tenantID, typ, key string) domain.Event {
	return domain.Event{
		ID:             f.ids.New(id.Event),
		TenantID:       tenantID,
		Type:           typ,
		OccurredAt:     base.Add(-time.Minute),
		ReceivedAt:     base,
		Data:           json.RawMessage(`{"user":{"id":"u1","email":"ada@example.com"},"n":1}`),
		IdempotencyKey: key,
	}
}

// publish publishes events at now and fails the test on error.
func (f *fixture) publish(tenantID string, now time.Time, events ...domain.Event) []store.PublishResult {
	f.t.Helper()
	res, err := Seed{TenantID: tenantID, Events: events, Now: now, IDs: f.ids}.Publish(f.ctx, f.s)
	if err != nil {
		f.t.Fatalf("Publish: %v", err)
	}
	if len(res) != len(events) {
		f.t.Fatalf("Publish returned %d results for %d events", len(res), len(events))
	}
	return res
}

// deliveries publishes n events of type "user.created" at now and returns
// all their deliveries (one per subscribed webhook per event).
func (f *fixture) deliveries(tenantID string, now time.Time, n int) []domain.Delivery {
	f.t.Helper()
	events := make([]domain.Event, n)
	for i := range events {
		events[i] = f.event(tenantID, "user.created", "")
	}
	var out []domain.Delivery
	for _, r := range f.publish(tenantID, now, events...) {
		out = append(out, r.Deliveries...)
	}
	return out
}

// get returns a delivery and fails the test on error.
func (f *fixture) get(tenantID, id string) *domain.Delivery {
	f.t.Helper()
	d, err := f.s.GetDelivery(f.ctx, tenantID, id)
	if err != nil {
		f.t.Fatalf("GetDelivery(%s): %v", id, err)
	}
	return d
}

// claim claims due work and fails the test on error.
func (f *fixture) claim(owner string, now, until time.Time, limit int) []domain.Job {
	f.t.Helper()
	jobs, err := f.s.ClaimDue(f.ctx, store.ClaimParams{Owner: owner, Now: now, LeaseUntil: until, Limit: limit})
	if err != nil {
		f.t.Fatalf("ClaimDue: %v", err)
	}
	return jobs
}

// renew renews leases for owner and returns those renewed, sorted.
func (f *fixture) renew(owner string, now, until time.Time, leases ...store.Lease) []store.Lease {
	f.t.Helper()
	got, err := f.s.RenewLeases(f.ctx, owner, leases, now, until)
	if err != nil {
		f.t.Fatalf("RenewLeases: %v", err)
	}
	slices.SortFunc(got, func(a, b store.Lease) int { return strings.Compare(a.DeliveryID, b.DeliveryID) })
	return got
}

func lease(id string, until time.Time) store.Lease { return store.Lease{DeliveryID: id, Until: until} }

// equalLeases compares leases by delivery and instant.
func equalLeases(a, b []store.Lease) bool {
	return slices.EqualFunc(a, b, func(x, y store.Lease) bool { return x.DeliveryID == y.DeliveryID && x.Until.Equal(y.Until) })
}

// attempt returns a finished attempt of d, numbered after d's attempts.
func (f *fixture) attempt(d *domain.Delivery, started time.Time, status int, success bool) domain.Attempt {
	return domain.Attempt{
		ID:              f.ids.New(id.Attempt),
		DeliveryID:      d.ID,
		TenantID:        d.TenantID,
		WebhookID:       d.WebhookID,
		EventID:         d.EventID,
		Number:          d.Attempts + 1,
		Trigger:         domain.TriggerScheduled,
		StartedAt:       started,
		Duration:        1234567 * time.Nanosecond,
		RequestURL:      "https://hris.example.com/hooks?x=1",
		RequestHeaders:  map[string][]string{"Webhook-Id": {d.ID}, "X-Multi": {"a", "b"}},
		RequestBody:     []byte(`{"type":"user.created"}`),
		StatusCode:      status,
		ResponseHeaders: map[string][]string{"Content-Type": {"text/plain"}},
		ResponseBody:    []byte("ok\x00binary\xff"),
		Error:           "",
		Success:         success,
	}
}

// record records attempts and fails the test on error.
func (f *fixture) record(records ...store.AttemptRecord) {
	f.t.Helper()
	if err := f.s.RecordAttempts(f.ctx, records); err != nil {
		f.t.Fatalf("RecordAttempts: %v", err)
	}
}

// wantCode fails the test unless err carries the domain error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

// ids returns the ids of deliveries, in order.
func ids(ds []domain.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// jobIDs returns the delivery ids of jobs, sorted.
func jobIDs(jobs []domain.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.Delivery.ID
	}
	slices.Sort(out)
	return out
}

// sortedDesc returns a copy of ss sorted newest (largest id) first.
func sortedDesc(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// utc converts t to UTC so that reflect.DeepEqual compares instants (stores
// may hand times back in any location).
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func normTenant(t domain.Tenant) domain.Tenant {
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	return t
}

func normWebhook(w domain.Webhook) domain.Webhook {
	w.CreatedAt, w.UpdatedAt = utc(w.CreatedAt), utc(w.UpdatedAt)
	w.PreviousSecretExpiresAt = utc(w.PreviousSecretExpiresAt)
	if len(w.Headers) == 0 {
		w.Headers = nil
	}
	if len(w.SecretHeaders) == 0 {
		w.SecretHeaders = nil
	}
	if len(w.RetryWaits) == 0 {
		w.RetryWaits = nil
	}
	if len(w.EventTypes) == 0 {
		w.EventTypes = nil
	}
	return w
}

func normEvent(e domain.Event) domain.Event {
	e.OccurredAt, e.ReceivedAt = utc(e.OccurredAt), utc(e.ReceivedAt)
	if len(e.Data) == 0 {
		e.Data = nil
	}
	return e
}

func normDelivery(d domain.Delivery) domain.Delivery {
	d.NextAttemptAt = utc(d.NextAttemptAt)
	d.CreatedAt, d.UpdatedAt = utc(d.CreatedAt), utc(d.UpdatedAt)
	d.SkippedAt = utc(d.SkippedAt)
	return d
}

func normAttempt(a domain.Attempt) domain.Attempt {
	a.StartedAt = utc(a.StartedAt)
	if len(a.RequestHeaders) == 0 {
		a.RequestHeaders = nil
	}
	if len(a.ResponseHeaders) == 0 {
		a.ResponseHeaders = nil
	}
	if len(a.RequestBody) == 0 {
		a.RequestBody = nil
	}
	if len(a.ResponseBody) == 0 {
		a.ResponseBody = nil
	}
	return a
}

// same fails the test unless got and want are deeply equal after norm.
func same[T any](t *testing.T, what string, got, want T, norm func(T) T) {
	t.Helper()
	g, w := norm(got), norm(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, dump(g), dump(w))
	}
}

func dump(v any) string { return fmt.Sprintf("%+v", v) }
