package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProbesAndRecovery(t *testing.T) {
	ready := error(nil)
	h := New(Config{
		API:    http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") }),
		Ready:  func(context.Context) error { return ready },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Fatalf("readyz = %d", code)
	}
	ready = errors.New("db down")
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "unavailable") {
		t.Fatalf("readyz when down = %d %s", code, body)
	}
	ready = reasoned{"writes are failing"}
	if code, body := get("/readyz"); code != 503 || body != `{"reason":"writes are failing","status":"unavailable"}`+"\n" {
		t.Fatalf("readyz with a reason = %d %s", code, body)
	}
	if code, body := get("/api/v1/anything"); code != 500 || !strings.Contains(body, "internal_error") {
		t.Fatalf("panic = %d %s", code, body)
	}
}

// reasoned is a readiness error with a reason to show.
type reasoned struct{ reason string }

func (r reasoned) Error() string  { return r.reason + ": disk full at /var/lib/secret-path" }
func (r reasoned) Reason() string { return r.reason }

// A portal link's token is a credential: the request log must not keep it.
func TestRequestLogHidesPortalTokens(t *testing.T) {
	var logs strings.Builder
	h := New(Config{
		UI:     http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusSeeOther) }),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	const token = "v1.acme.1893456000.c2lnbmF0dXJlLW9mLXRoZS1saW5r"
	for _, path := range []string{"/portal/" + token, "/tenants/acme/webhooks"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	out := logs.String()
	if strings.Contains(out, token) {
		t.Fatalf("the request log holds a portal token:\n%s", out)
	}
	if !strings.Contains(out, "path=/portal/[redacted]") || !strings.Contains(out, "path=/tenants/acme/webhooks") {
		t.Fatalf("request log lacks the (redacted) paths:\n%s", out)
	}
}
