package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// opsReceiver is a real HTTP receiver that keeps what it got and answers
// 500 while failing is set, 200 otherwise.
type opsReceiver struct {
	srv     *httptest.Server
	failing atomic.Bool
	mu      sync.Mutex
	got     []opsDelivery
}

type opsDelivery struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func newOpsReceiver(t *testing.T) *opsReceiver {
	r := &opsReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var d opsDelivery
		_ = json.Unmarshal(b, &d)
		r.mu.Lock()
		r.got = append(r.got, d)
		r.mu.Unlock()
		if r.failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// of returns the deliveries of type typ received.
func (r *opsReceiver) of(typ string) []opsDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []opsDelivery
	for _, d := range r.got {
		if d.Type == typ {
			out = append(out, d)
		}
	}
	return out
}

// types returns the distinct types received.
func (r *opsReceiver) types() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, d := range r.got {
		out[d.Type]++
	}
	return out
}

// A webhook that fails, recovers, fails again and is auto-disabled: a
// second webhook subscribed to lmshooks' operational events hears
// webhook.failing once per streak, delivery.exhausted per delivery,
// webhook.recovered and webhook.disabled, through the normal delivery
// path; the failing webhook, subscribed to everything, hears nothing
// about itself.
func TestOperationalEvents(t *testing.T) {
	onBothStores(t, func(t *testing.T, db string) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2025, 3, 20, 14, 0, 0, 0, time.UTC))
		cfg := testConfig(t, "")
		cfg.DB = db
		cfg.Addr = "127.0.0.1:0"
		cfg.APIKey = "lmsk_configured_operator_key"
		cfg.AllowPrivateTargets = true
		cfg.OperatorTenant = "lms-ops"
		a, err := New(ctx, cfg, quiet(), Options{Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Start(); err != nil {
			a.Store.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := a.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		api := func(method, path, body string) map[string]any {
			t.Helper()
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+cfg.APIKey)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			a.Handler().ServeHTTP(rec, req)
			if rec.Code >= 300 {
				t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
			}
			var out map[string]any
			_ = json.Unmarshal(rec.Body.Bytes(), &out)
			return out
		}
		api("POST", "/api/v1/tenants", `{"id":"acme","name":"Acme"}`)
		api("POST", "/api/v1/tenants", `{"id":"lms-ops","name":"The operator"}`)
		shop, ops, operator := newOpsReceiver(t), newOpsReceiver(t), newOpsReceiver(t)
		api("POST", "/api/v1/tenants/lms-ops/webhooks", fmt.Sprintf(
			`{"name":"Operator","url":%q,"event_types":["webhook.*","delivery.*"]}`, operator.srv.URL))
		shop.failing.Store(true)
		hook := api("POST", "/api/v1/tenants/acme/webhooks", fmt.Sprintf(
			`{"name":"Shop","url":%q,"event_types":["*"],"retry_policy":"none"}`, shop.srv.URL))
		hookID := hook["id"].(string)
		api("POST", "/api/v1/tenants/acme/webhooks", fmt.Sprintf(
			`{"name":"Ops","url":%q,"event_types":["webhook.*","delivery.*"]}`, ops.srv.URL))
		publish := func() {
			clk.Advance(time.Second)
			api("POST", "/api/v1/tenants/acme/events", `{"type":"user.created","data":{"id":"u_1"}}`)
		}
		await := func(typ string, n int) []opsDelivery {
			t.Helper()
			if !poll.Until(15*time.Second, func() bool { return len(ops.of(typ)) >= n }) {
				t.Fatalf("the ops webhook got %v, want %d %s", ops.types(), n, typ)
			}
			return ops.of(typ)
		}

		// Two failed deliveries: one streak, two exhausted deliveries.
		publish()
		failing := await("webhook.failing", 1)
		await("delivery.exhausted", 1)
		publish()
		exhausted := await("delivery.exhausted", 2)
		var data struct {
			ID      string `json:"id"`
			Webhook struct {
				ID       string
				TenantID string `json:"tenant_id"`
				Name     string
				URL      string
			} `json:"webhook"`
			FailingSince string `json:"failing_since"`
		}
		if err := json.Unmarshal(failing[0].Data, &data); err != nil || data.Webhook.ID != hookID || data.Webhook.TenantID != "acme" || data.Webhook.Name != "Shop" || data.FailingSince == "" {
			t.Fatalf("webhook.failing data = %s (%v)", failing[0].Data, err)
		}
		if !strings.Contains(string(exhausted[1].Data), `"event_type":"user.created"`) {
			t.Errorf("delivery.exhausted data = %s", exhausted[1].Data)
		}

		// Back up: recovered, once.
		shop.failing.Store(false)
		publish()
		await("webhook.recovered", 1)
		if n := len(ops.of("webhook.failing")); n != 1 {
			t.Errorf("webhook.failing received %d times in one streak, want once", n)
		}

		// Down again: a new streak, then auto-disabled.
		shop.failing.Store(true)
		publish()
		await("webhook.failing", 2)
		clk.Advance(cfg.AutoDisableAfter + time.Hour)
		if n, err := a.webhooks.AutoDisable(ctx, clk.Now()); err != nil || n != 1 {
			t.Fatalf("AutoDisable = %d, %v; want 1", n, err)
		}
		disabled := await("webhook.disabled", 1)
		if !strings.Contains(string(disabled[0].Data), `"disabled_reason":"every delivery attempt failed`) {
			t.Errorf("webhook.disabled data = %s", disabled[0].Data)
		}

		// The failing webhook, subscribed to everything, got none of the
		// events about itself; the ops webhook's own deliveries announced
		// nothing.
		for typ := range shop.types() {
			if typ != "user.created" {
				t.Errorf("the failing webhook received a %s about itself", typ)
			}
		}
		if n := len(ops.of("webhook.failing")); n != 2 {
			t.Errorf("webhook.failing received %d times over two streaks, want 2", n)
		}

		// The operator tenant (--operator-tenant) got a copy of each, its
		// data naming the tenant the webhook belongs to.
		for typ, n := range map[string]int{"webhook.failing": 2, "webhook.recovered": 1, "webhook.disabled": 1, "delivery.exhausted": 2} {
			if !poll.Until(15*time.Second, func() bool { return len(operator.of(typ)) >= n }) {
				t.Fatalf("the operator's webhook got %v, want %d %s", operator.types(), n, typ)
			}
			for _, d := range operator.of(typ) {
				if !strings.Contains(string(d.Data), `"tenant_id":"acme"`) {
					t.Errorf("the operator's copy of %s names no tenant: %s", typ, d.Data)
				}
			}
		}
		if n := len(operator.of("webhook.failing")); n != 2 {
			t.Errorf("the operator got webhook.failing %d times over two streaks, want 2", n)
		}
	})
}
