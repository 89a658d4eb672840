package listen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/testsupport/syncbuf"
	"github.com/lmshooks/lmshooks/signature"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

var testNow = time.Date(2026, 3, 1, 10, 15, 4, 0, time.UTC)

// delivery is one request as lmshooks would send it.
type delivery struct {
	secrets []string // sign with these; none = unsigned
	sentAt  time.Time
	signed  string // body covered by the signature
	sent    string // body on the wire; differs when tampering
	header  http.Header
}

func post(t *testing.T, url string, d delivery) int {
	t.Helper()
	if d.sentAt.IsZero() {
		d.sentAt = testNow
	}
	if d.sent == "" {
		d.sent = d.signed
	}
	req, err := http.NewRequest(http.MethodPost, url+"/hooks/lms?x=1", strings.NewReader(d.sent))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range d.header {
		req.Header[k] = v
	}
	if len(d.secrets) > 0 {
		sig, err := signature.Sign(d.secrets, "dlv_01J8Z3K4M5", d.sentAt, []byte(d.signed))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(signature.HeaderID, "dlv_01J8Z3K4M5")
		req.Header.Set(signature.HeaderTimestamp, strconv.FormatInt(d.sentAt.Unix(), 10))
		req.Header.Set(signature.HeaderSignature, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func newReceiver(t *testing.T, cfg Config) (url string, out *syncbuf.Buffer) {
	t.Helper()
	out = &syncbuf.Buffer{}
	cfg.Out = out
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow.Add(3 * time.Second) }
	}
	srv := httptest.NewServer(Handler(cfg))
	t.Cleanup(srv.Close)
	return srv.URL, out
}

const payload = `{"id":"evt_1","type":"course_enrollment.completed","data":{"score":80}}`

func TestSignedDeliveryIsValid(t *testing.T) {
	url, out := newReceiver(t, Config{Secret: testSecret})
	got := post(t, url, delivery{secrets: []string{testSecret}, signed: payload})
	if got != http.StatusNoContent {
		t.Fatalf("status = %d, want 204", got)
	}
	s := out.String()
	for _, want := range []string{
		"── 2026-03-01T10:15:07Z  POST /hooks/lms?x=1",
		"webhook-id         dlv_01J8Z3K4M5",
		"webhook-timestamp  1772360104 (3s ago)",
		"event type         course_enrollment.completed",
		"signature          ✓ valid",
		"content-type       application/json",
		"webhook-signature  v1,",
		"\n     {\n       \"id\": \"evt_1\",\n",
		"\n         \"score\": 80\n",
		"→ answered 204 No Content",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, testSecret[6:]) {
		t.Error("output leaks the secret")
	}
}

func TestRejectedDeliveries(t *testing.T) {
	other, err := signature.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		d      delivery
		reason string
	}{
		{"tampered body", delivery{secrets: []string{testSecret}, signed: payload, sent: strings.Replace(payload, "80", "100", 1)}, "✗ no matching signature"},
		{"wrong secret", delivery{secrets: []string{other}, signed: payload}, "✗ no matching signature"},
		{"replayed", delivery{secrets: []string{testSecret}, signed: payload, sentAt: testNow.Add(-time.Hour)}, "✗ invalid webhook timestamp: too old"},
		{"unsigned", delivery{signed: payload}, "✗ missing webhook header webhook-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, out := newReceiver(t, Config{Secret: testSecret})
			if got := post(t, url, tt.d); got != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", got)
			}
			s := out.String()
			if !strings.Contains(s, tt.reason) || !strings.Contains(s, "→ answered 401 Unauthorized") {
				t.Fatalf("output lacks %q or the 401:\n%s", tt.reason, s)
			}
		})
	}
}

func TestEd25519AndRotation(t *testing.T) {
	sk, pk, err := signature.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	old, err := signature.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	// The receiver trusts the public key and an old secret, comma-separated.
	url, out := newReceiver(t, Config{Secret: pk + ", " + old})
	if got := post(t, url, delivery{secrets: []string{sk}, signed: payload}); got != http.StatusNoContent {
		t.Fatalf("ed25519 delivery: status %d, want 204\n%s", got, out.String())
	}
	if got := post(t, url, delivery{secrets: []string{testSecret, old}, signed: payload}); got != http.StatusNoContent {
		t.Fatalf("rotated delivery: status %d, want 204\n%s", got, out.String())
	}
	if n := strings.Count(out.String(), "✓ valid"); n != 2 {
		t.Fatalf("%d valid reports, want 2:\n%s", n, out.String())
	}
}

func TestStatusesCycleAndWin(t *testing.T) {
	url, out := newReceiver(t, Config{Secret: testSecret, Statuses: []int{200, 500, 503}})
	var got []int
	for i := range 5 {
		d := delivery{secrets: []string{testSecret}, signed: payload}
		if i == 1 {
			d.sent = "{}" // bad signature: the configured code still wins
		}
		got = append(got, post(t, url, d))
	}
	want := []int{200, 500, 503, 200, 500}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses = %v, want %v", got, want)
		}
	}
	if !strings.Contains(out.String(), "✗ no matching signature") {
		t.Fatalf("bad signature not reported:\n%s", out.String())
	}
}

func TestNoSecretAndRawBody(t *testing.T) {
	url, out := newReceiver(t, Config{})
	d := delivery{
		signed: "user_id=42&event=completed",
		header: http.Header{
			"Content-Type":  {"application/x-www-form-urlencoded"},
			"Authorization": {"Basic dXNlcjpodW50ZXIy"},
			"Ce-Type":       {"com.example.lms.user.created"},
		},
	}
	if got := post(t, url, d); got != http.StatusNoContent {
		t.Fatalf("status = %d, want 204", got)
	}
	s := out.String()
	for _, want := range []string{
		"signature          – not checked",
		"event type         com.example.lms.user.created",
		"authorization      Basic ••••••",
		"body               26 bytes\n     user_id=42&event=completed\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "dXNlcjpodW50ZXIy") {
		t.Error("output leaks the Authorization credentials")
	}
}

func TestValidate(t *testing.T) {
	bad := []Config{
		{Secret: "hunter2"},
		{Secret: "whpk_AAAA"},
		{Statuses: []int{200, 99}},
		{Statuses: []int{600}},
	}
	for _, cfg := range bad {
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", cfg)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %q repeats the secret", err)
		}
		if err := Run(context.Background(), cfg); err == nil {
			t.Errorf("Run(%+v) = nil, want an error", cfg)
		}
	}
	if err := (Config{Secret: testSecret, Statuses: []int{200, 410, 599}}).Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

func TestRun(t *testing.T) {
	out := &syncbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Addr: "127.0.0.1:0", Secret: testSecret, Out: out, Now: func() time.Time { return testNow }})
	}()

	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`)
	deadline := time.Now().Add(5 * time.Second)
	var m []string
	for m == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no banner within 5s; output:\n%s", out.String())
		}
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		m = addr.FindStringSubmatch(out.String())
	}
	if strings.Contains(out.String(), testSecret[6:]) {
		t.Fatal("banner leaks the secret")
	}
	if got := post(t, "http://"+m[1], delivery{secrets: []string{testSecret}, signed: payload}); got != http.StatusNoContent {
		t.Fatalf("status = %d, want 204", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if !strings.Contains(out.String(), "✓ valid") {
		t.Fatalf("delivery not reported:\n%s", out.String())
	}
}
