package web

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestAbsURL(t *testing.T) {
	r := httptest.NewRequest("GET", "http://lms.example:8080/x", nil)
	if got := AbsURL(r, "/portal/abc"); got != "http://lms.example:8080/portal/abc" {
		t.Errorf("plain: %s", got)
	}
	r.Header.Set("X-Forwarded-Proto", "https")
	if got := AbsURL(r, "/p"); got != "https://lms.example:8080/p" {
		t.Errorf("behind a TLS proxy: %s", got)
	}
	r = httptest.NewRequest("GET", "https://hooks.example/x", nil)
	r.TLS = &tls.ConnectionState{}
	if got := AbsURL(r, "/p"); got != "https://hooks.example/p" {
		t.Errorf("TLS: %s", got)
	}
}
