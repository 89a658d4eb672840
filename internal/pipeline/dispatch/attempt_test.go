package dispatch

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/signature"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func testWebhook(t *testing.T) *domain.Webhook {
	secret, err := signature.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{
		ID: "wh_1", TenantID: "acme", Name: "n", URL: "https://example.com/hook",
		EventTypes: []string{"*"}, Enabled: true, Secret: secret,
		Headers:   map[string]string{"X-Env": "prod"},
		BasicAuth: &domain.BasicAuth{Username: "lms", Password: "s3cret"},
	}
	w.Normalize()
	return w
}

func testDispatcher() *Dispatcher {
	return New(Config{Owner: "n1", Clock: clock.NewFake(t0), Rand: func() float64 { return 0.5 }})
}

func TestBuildRequestSignsExactBody(t *testing.T) {
	d := testDispatcher()
	w := testWebhook(t)
	ev := &domain.Event{ID: "evt_1", Type: "user.created", OccurredAt: t0, Data: []byte(`{"user":{"id":"u_1"}}`)}
	dl := &domain.Delivery{ID: "dlv_1", WebhookID: w.ID, EventID: ev.ID}
	req, err := d.buildRequest(w, ev, dl, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := signature.VerifyRequest([]string{w.Secret}, req.Header, req.Body, t0, time.Minute); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	if req.Header.Get("webhook-id") != "dlv_1" {
		t.Fatalf("webhook-id = %q", req.Header.Get("webhook-id"))
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("lms:s3cret"))
	if req.Header.Get("Authorization") != want || req.Header.Get("X-Env") != "prod" {
		t.Fatalf("headers = %v", req.Header)
	}
	if !strings.Contains(string(req.Body), `"data":{"user":{"id":"u_1"}}`) || req.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("body = %s", req.Body)
	}
	// Tampering with one byte breaks the signature.
	tampered := append([]byte(nil), req.Body...)
	tampered[len(tampered)-2] = 'X'
	if signature.VerifyRequest([]string{w.Secret}, req.Header, tampered, t0, time.Minute) == nil {
		t.Fatal("tampered body verified")
	}
}

// The User-Agent is part of the request as built, so the attempt log shows
// it; a webhook's own User-Agent header wins.
func TestBuildRequestSetsUserAgent(t *testing.T) {
	d := testDispatcher()
	d.cfg.UserAgent = "lmshooks/v1.2.3"
	w := testWebhook(t)
	ev := &domain.Event{ID: "evt_1", Type: "user.created", OccurredAt: t0, Data: []byte(`{}`)}
	dl := &domain.Delivery{ID: "dlv_1"}
	req, err := d.buildRequest(w, ev, dl, t0)
	if err != nil {
		t.Fatal(err)
	}
	if ua := req.Header.Get("User-Agent"); ua != "lmshooks/v1.2.3" {
		t.Fatalf("User-Agent = %q, want the dispatcher's", ua)
	}
	w.Headers["User-Agent"] = "acme-hooks"
	if req, err = d.buildRequest(w, ev, dl, t0); err != nil {
		t.Fatal(err)
	}
	if ua := req.Header.Get("User-Agent"); ua != "acme-hooks" {
		t.Fatalf("User-Agent = %q, want the webhook's own", ua)
	}
}

func TestBuildRequestSignsWithPreviousSecretDuringOverlap(t *testing.T) {
	d := testDispatcher()
	w := testWebhook(t)
	old := w.Secret
	w.Secret, _ = signature.NewSecret()
	w.PreviousSecret = old
	w.PreviousSecretExpiresAt = t0.Add(time.Hour)
	ev := &domain.Event{ID: "evt_1", Type: "user.created", OccurredAt: t0, Data: []byte(`{}`)}
	dl := &domain.Delivery{ID: "dlv_1"}
	req, err := d.buildRequest(w, ev, dl, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{old, w.Secret} {
		if err := signature.VerifyRequest([]string{s}, req.Header, req.Body, t0, time.Minute); err != nil {
			t.Fatalf("secret does not verify during the overlap: %v", err)
		}
	}
	req, _ = d.buildRequest(w, ev, dl, t0.Add(2*time.Hour))
	if signature.VerifyRequest([]string{old}, req.Header, req.Body, t0.Add(2*time.Hour), time.Minute) == nil {
		t.Fatal("the previous secret still signs after the overlap")
	}
}

func TestOutcome(t *testing.T) {
	d := testDispatcher()
	w := testWebhook(t)
	w.RetryPolicy = domain.CustomRetryPolicy
	w.RetryWaits = []time.Duration{10 * time.Second, time.Minute}
	att := func(n int, success bool) domain.Attempt {
		return domain.Attempt{Number: n, Success: success, StartedAt: t0}
	}
	proxyFailed := func(n int) domain.Attempt {
		return domain.Attempt{Number: n, StartedAt: t0, Error: "egress proxy: connection refused (10.0.0.7:3128)"}
	}
	tests := []struct {
		name      string
		dl        domain.Delivery
		att       domain.Attempt
		res       outbound.Result
		earlier   []domain.Attempt
		state     domain.DeliveryState
		wait      time.Duration
		tolerance time.Duration
	}{
		{"success", domain.Delivery{}, att(1, true), outbound.Result{StatusCode: 200}, nil, domain.Succeeded, 0, 0},
		{"first failure retries", domain.Delivery{}, att(1, false), outbound.Result{StatusCode: 500}, nil, domain.Scheduled, 10 * time.Second, time.Second},
		{"second failure waits longer", domain.Delivery{Attempts: 1}, att(2, false), outbound.Result{StatusCode: 500}, nil, domain.Scheduled, time.Minute, 6 * time.Second},
		{"exhausted", domain.Delivery{Attempts: 2}, att(3, false), outbound.Result{StatusCode: 500}, nil, domain.Failed, 0, 0},
		{"resend starts over", domain.Delivery{Attempts: 3, RetryFrom: 3}, att(4, false), outbound.Result{StatusCode: 500}, nil, domain.Scheduled, 10 * time.Second, time.Second},
		{"gone fails at once", domain.Delivery{}, att(1, false), outbound.Result{StatusCode: 410}, nil, domain.Failed, 0, 0},
		{"retry-after on 429", domain.Delivery{}, att(1, false), outbound.Result{StatusCode: 429, RetryAfter: 45 * time.Second}, nil, domain.Scheduled, 45 * time.Second, time.Second},
		{"retry-after capped by policy", domain.Delivery{}, att(1, false), outbound.Result{StatusCode: 503, RetryAfter: time.Hour}, nil, domain.Scheduled, time.Minute, time.Second},
		{"a proxy failure waits a fixed time, even past the schedule", domain.Delivery{Attempts: 5}, proxyFailed(6),
			outbound.Result{Err: outbound.ErrProxy}, nil, domain.Scheduled, domain.ProxyRetryWait, 0},
		{"proxy failures leave the schedule where it was", domain.Delivery{Attempts: 3}, att(4, false), outbound.Result{StatusCode: 500},
			[]domain.Attempt{proxyFailed(1), proxyFailed(2), att(3, false)}, domain.Scheduled, time.Minute, 6 * time.Second},
		{"without them listed, every attempt counts", domain.Delivery{Attempts: 3}, att(4, false), outbound.Result{StatusCode: 500},
			nil, domain.Failed, 0, 0},
		{"retry-after ignored on 500", domain.Delivery{}, att(1, false), outbound.Result{StatusCode: 500, RetryAfter: time.Hour}, nil, domain.Scheduled, 10 * time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := d.outcome(w, &tt.dl, tt.att, tt.res, tt.earlier)
			if rec.State != tt.state {
				t.Fatalf("state = %s, want %s", rec.State, tt.state)
			}
			if tt.state != domain.Scheduled {
				if !rec.NextAttemptAt.IsZero() {
					t.Fatalf("next attempt set on a final state")
				}
				return
			}
			got := rec.NextAttemptAt.Sub(t0)
			if got < tt.wait-tt.tolerance || got > tt.wait+tt.tolerance {
				t.Fatalf("wait = %s, want %s ± %s", got, tt.wait, tt.tolerance)
			}
		})
	}
}

func TestAttemptClassifiesRedirectAsFailure(t *testing.T) {
	d := testDispatcher()
	d.cfg.Sender = senderFunc(func(outbound.Request) outbound.Result {
		return outbound.Result{StatusCode: 302, Header: http.Header{"Location": {"https://elsewhere"}}}
	})
	w := testWebhook(t)
	ev := &domain.Event{ID: "evt_1", Type: "user.created", OccurredAt: t0, Data: []byte(`{}`)}
	att, _ := d.attempt(d.sendCtx, w, ev, &domain.Delivery{ID: "dlv_1"}, domain.TriggerScheduled)
	if att.Success || !strings.Contains(att.Error, "redirect") {
		t.Fatalf("attempt = %+v, want a failure explaining redirects are not followed", att)
	}
	w.SuccessRule = domain.SuccessRule{Min: 200, Max: 308}
	att, _ = d.attempt(d.sendCtx, w, ev, &domain.Delivery{ID: "dlv_1"}, domain.TriggerScheduled)
	if !att.Success {
		t.Fatalf("302 with success rule 200-308 = %+v, want success", att)
	}
}

// A test send takes its message id and its attempt's id from the
// configured generator: both are made between two ids it makes around it.
func TestTestSendTakesIDsFromConfig(t *testing.T) {
	fake := clock.NewFake(t0)
	ids := id.NewGenerator(fake)
	var sentID string
	d := New(Config{Owner: "n1", Clock: fake, IDs: ids, Sender: senderFunc(func(r outbound.Request) outbound.Result {
		sentID = r.Header.Get("webhook-id")
		return outbound.Result{StatusCode: 204}
	})})
	ev := &domain.Event{ID: "evt_1", Type: "user.created", OccurredAt: t0, Data: []byte(`{}`)}
	before := ids.New(id.Attempt)
	att := d.Test(context.Background(), testWebhook(t), ev)
	after := ids.New(id.Attempt)
	msg, ok := strings.CutPrefix(sentID, "msg_test_")
	if !ok {
		t.Fatalf("webhook-id = %q, want a msg_test_ id", sentID)
	}
	seq := []string{before[len(id.Attempt):], msg, att.ID[len(id.Attempt):], after[len(id.Attempt):]}
	if !strings.HasPrefix(att.ID, id.Attempt) || !slices.IsSorted(seq) || len(slices.Compact(slices.Clone(seq))) != len(seq) {
		t.Fatalf("ids out of the generator's order: before %s, message %s, attempt %s, after %s", before, sentID, att.ID, after)
	}
}

type senderFunc func(outbound.Request) outbound.Result

func (f senderFunc) Do(_ context.Context, r outbound.Request) outbound.Result { return f(r) }

func TestPacer(t *testing.T) {
	var p pacer
	if w := p.reserve(t0, 0); w != 0 {
		t.Fatalf("unlimited wait = %s", w)
	}
	var waits []time.Duration
	for i := 0; i < 3; i++ {
		waits = append(waits, p.reserve(t0, 10))
	}
	if waits[0] != 0 || waits[1] != 100*time.Millisecond || waits[2] != 200*time.Millisecond {
		t.Fatalf("waits at 10/s = %v", waits)
	}
}
