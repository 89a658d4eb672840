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
	if code, body := get("/api/v1/anything"); code != 500 || !strings.Contains(body, "internal_error") {
		t.Fatalf("panic = %d %s", code, body)
	}
}
