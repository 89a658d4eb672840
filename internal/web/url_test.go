package web

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestPublicURLConfigured(t *testing.T) {
	p := NewPublicURL("https://hooks.example.com/lms/")
	r := httptest.NewRequest("POST", "http://evil.example/x", nil) // from 192.0.2.1
	r.Header.Set("X-Forwarded-Proto", "http")
	for _, remote := range []string{"192.0.2.1:1234", "127.0.0.1:1234"} {
		r.RemoteAddr = remote
		if got, err := p.Abs(r, "/portal/abc"); err != nil || got != "https://hooks.example.com/lms/portal/abc" {
			t.Errorf("from %s: %q, %v; want the configured base whatever the request says", remote, got, err)
		}
	}
}

func TestPublicURLFallsBackOnLoopbackOnly(t *testing.T) {
	var p PublicURL
	r := httptest.NewRequest("GET", "http://lms.example:8080/x", nil)
	for _, remote := range []string{"127.0.0.1:5555", "127.8.9.10:1", "[::1]:5555", "[::ffff:127.0.0.1]:5555"} {
		r.RemoteAddr = remote
		if got, err := p.Abs(r, "/portal/abc"); err != nil || got != "http://lms.example:8080/portal/abc" {
			t.Errorf("from %s: %q, %v", remote, got, err)
		}
	}
	r.RemoteAddr = "127.0.0.1:5555"
	r.Header.Set("X-Forwarded-Proto", "https")
	if got, _ := p.Abs(r, "/p"); got != "https://lms.example:8080/p" {
		t.Errorf("behind a local TLS proxy: %s", got)
	}
	r = httptest.NewRequest("GET", "https://hooks.example/x", nil)
	r.RemoteAddr = "[::1]:5555"
	r.TLS = &tls.ConnectionState{}
	if got, _ := p.Abs(r, "/p"); got != "https://hooks.example/p" {
		t.Errorf("TLS: %s", got)
	}

	r = httptest.NewRequest("GET", "http://evil.example/x", nil)
	r.Header.Set("X-Forwarded-For", "127.0.0.1")
	for _, remote := range []string{"192.0.2.1:1234", "10.0.0.1:80", "[2001:db8::1]:443", "[::ffff:10.0.0.1]:80", "", "@", "127.0.0.1"} {
		r.RemoteAddr = remote
		got, err := p.Abs(r, "/portal/abc")
		if err != ErrNoPublicURL || got != "" {
			t.Errorf("from %q: %q, %v; want ErrNoPublicURL", remote, got, err)
		}
	}
	if domain.ErrorCode(ErrNoPublicURL) != domain.ECONFLICT || Status(domain.ECONFLICT) != 409 {
		t.Fatal("a refused link is not a 409")
	}
}
