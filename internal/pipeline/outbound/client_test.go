package outbound

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// dev is a client that may reach the loopback test servers.
func dev() *Client { return New(Options{AllowPrivate: true, UserAgent: "lmshooks/test"}) }

// serve starts a test server and counts the requests it handles.
func serve(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// blocking returns a handler that, after optionally starting a response,
// waits until the client goes away or the test ends.
func blocking(t *testing.T, startBody bool) http.HandlerFunc {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before srv.Close (LIFO)
	return func(w http.ResponseWriter, r *http.Request) {
		if startBody {
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
}

func TestRefusesPrivateTargetsByDefault(t *testing.T) {
	srv, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	c := New(Options{})
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		res := c.Do(t.Context(), Request{URL: u, Body: []byte(`{}`)})
		if !errors.Is(res.Err, ErrForbiddenTarget) {
			t.Fatalf("%s: Err = %v, want ErrForbiddenTarget", u, res.Err)
		}
		if msg := res.Err.Error(); !strings.HasPrefix(msg, "refused to connect to ") || !strings.Contains(msg, "loopback address") ||
			!strings.Contains(msg, "--allow-private-targets") {
			t.Fatalf("%s: message %q", u, msg)
		}
		if res.StatusCode != 0 {
			t.Fatalf("%s: StatusCode = %d", u, res.StatusCode)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("server got %d requests, want 0", n)
	}
}

func TestAllowPrivateReachesAndSendsTheRequest(t *testing.T) {
	type seen struct {
		method, ua, ct, custom string
		body                   []byte
	}
	got := make(chan seen, 1)
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.UserAgent(), r.Header.Get("Content-Type"), r.Header.Get("X-Custom"), b}
		w.Header().Set("X-Answer", "yes")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "thanks")
	})
	h := http.Header{"Content-Type": {"application/json"}, "X-Custom": {"1"}}
	res := dev().Do(t.Context(), Request{URL: srv.URL + "/hook", Header: h, Body: []byte(`{"a":1}`)})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.StatusCode != http.StatusCreated || string(res.Body) != "thanks" || res.Truncated || res.Header.Get("X-Answer") != "yes" {
		t.Fatalf("result = %+v", res)
	}
	if res.RetryAfter != 0 {
		t.Fatalf("RetryAfter = %v without the header", res.RetryAfter)
	}
	s := <-got
	if s.method != http.MethodPost || s.ua != "lmshooks/test" || s.ct != "application/json" || s.custom != "1" || string(s.body) != `{"a":1}` {
		t.Fatalf("server saw %+v", s)
	}
	if h.Get("User-Agent") != "" {
		t.Fatal("Do changed the caller's header")
	}
}

func TestMethodAndUserAgentCanBeSet(t *testing.T) {
	got := make(chan string, 1)
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { got <- r.Method + " " + r.UserAgent() })
	res := New(Options{AllowPrivate: true}).Do(t.Context(), Request{URL: srv.URL, Method: http.MethodPut})
	if res.Err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("result = %+v", res)
	}
	if s := <-got; s != "PUT lmshooks" {
		t.Fatalf("server saw %q", s)
	}
	res = dev().Do(t.Context(), Request{URL: srv.URL, Header: http.Header{"User-Agent": {"custom/1"}}})
	if s := <-got; res.Err != nil || s != "POST custom/1" {
		t.Fatalf("server saw %q (%v)", s, res.Err)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var elsewhere atomic.Int64
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			elsewhere.Add(1)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	res := dev().Do(t.Context(), Request{URL: srv.URL + "/hook", Body: []byte("x")})
	if res.Err != nil || res.StatusCode != http.StatusTemporaryRedirect || res.Header.Get("Location") != "/elsewhere" {
		t.Fatalf("result = %+v", res)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("redirect target got %d requests", n)
	}
}

func TestBodyIsCappedAtMaxResponseBody(t *testing.T) {
	for _, n := range []int{0, 100, domain.MaxResponseBody - 1, domain.MaxResponseBody, domain.MaxResponseBody + 1, 1 << 20} {
		payload := bytes.Repeat([]byte("0123456789"), n/10+1)[:n]
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(payload) })
		res := dev().Do(t.Context(), Request{URL: srv.URL})
		if res.Err != nil {
			t.Fatalf("n=%d: %v", n, res.Err)
		}
		want := payload[:min(n, domain.MaxResponseBody)]
		if !bytes.Equal(res.Body, want) || res.Truncated != (n > domain.MaxResponseBody) {
			t.Fatalf("n=%d: len(Body) = %d, Truncated = %v", n, len(res.Body), res.Truncated)
		}
	}
}

func TestLongAnswerIsDrainedSoTheConnectionIsReused(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 10*domain.MaxResponseBody))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := dev()
	for range 3 {
		if res := c.Do(t.Context(), Request{URL: srv.URL}); res.Err != nil || !res.Truncated {
			t.Fatalf("result = %+v", res)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("opened %d connections for 3 sequential requests, want 1", n)
	}
}

func TestTimeoutProducesAnErrorResult(t *testing.T) {
	srv, _ := serve(t, blocking(t, false))
	res := dev().Do(t.Context(), Request{URL: srv.URL, Timeout: 100 * time.Millisecond})
	if res.Err == nil || res.Err.Error() != "timeout after 100ms" || res.StatusCode != 0 {
		t.Fatalf("result = %+v", res)
	}
}

func TestTimeoutWhileReadingTheBodyKeepsTheStatus(t *testing.T) {
	srv, _ := serve(t, blocking(t, true))
	res := dev().Do(t.Context(), Request{URL: srv.URL, Timeout: 200 * time.Millisecond})
	if res.Err != nil || res.StatusCode != http.StatusOK || string(res.Body) != "partial" {
		t.Fatalf("result = %+v", res)
	}
}

func TestCanceledByCaller(t *testing.T) {
	srv, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res := dev().Do(ctx, Request{URL: srv.URL})
	if !errors.Is(res.Err, context.Canceled) || !strings.HasPrefix(res.Err.Error(), "canceled") {
		t.Fatalf("Err = %v", res.Err)
	}
	if hits.Load() != 0 {
		t.Fatal("a canceled request reached the server")
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res := dev().Do(t.Context(), Request{URL: "http://" + addr + "/hook"})
	if res.Err == nil || res.Err.Error() != "connection refused ("+addr+")" {
		t.Fatalf("Err = %v", res.Err)
	}
}

func TestClosedWithoutAnswer(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	res := dev().Do(t.Context(), Request{URL: srv.URL})
	if res.Err == nil || res.Err.Error() != "the receiver closed the connection without answering" {
		t.Fatalf("Err = %v", res.Err)
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)

	res := dev().Do(t.Context(), Request{URL: srv.URL})
	if res.Err == nil || res.Err.Error() != "TLS handshake failed: certificate signed by an unknown authority" {
		t.Fatalf("untrusted certificate: Err = %v", res.Err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c := New(Options{AllowPrivate: true, TLSConfig: &tls.Config{RootCAs: pool}})
	if res := c.Do(t.Context(), Request{URL: srv.URL}); res.Err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("trusted certificate: %+v", res)
	}

	res = c.Do(t.Context(), Request{URL: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)})
	if res.Err == nil || !strings.HasPrefix(res.Err.Error(), "TLS handshake failed: certificate is valid for") ||
		!strings.HasSuffix(res.Err.Error(), "not localhost") {
		t.Fatalf("wrong host name: Err = %v", res.Err)
	}

	plain, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	res = dev().Do(t.Context(), Request{URL: strings.Replace(plain.URL, "http://", "https://", 1)})
	if res.Err == nil || !strings.HasPrefix(res.Err.Error(), "TLS handshake failed: the server did not answer with TLS") {
		t.Fatalf("https to a plain server: Err = %v", res.Err)
	}
}

func TestInvalidRequest(t *testing.T) {
	res := dev().Do(t.Context(), Request{URL: "http://[::1", Body: nil})
	if res.Err == nil || !strings.HasPrefix(res.Err.Error(), "invalid request: ") {
		t.Fatalf("Err = %v", res.Err)
	}
	res = dev().Do(t.Context(), Request{URL: "http://127.0.0.1/", Method: "BAD METHOD"})
	if res.Err == nil || !strings.HasPrefix(res.Err.Error(), "invalid request: ") {
		t.Fatalf("Err = %v", res.Err)
	}
}

func TestRetryAfterIsParsed(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", r.URL.Query().Get("ra"))
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := New(Options{AllowPrivate: true, Clock: clock.NewFake(now)})
	tests := map[string]time.Duration{
		"120": 2 * time.Minute,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		"garbage": 0,
	}
	for ra, want := range tests {
		res := c.Do(t.Context(), Request{URL: srv.URL + "?ra=" + strings.ReplaceAll(ra, " ", "%20")})
		if res.Err != nil || res.StatusCode != http.StatusTooManyRequests || res.RetryAfter != want {
			t.Errorf("Retry-After %q: status %d, RetryAfter %v, Err %v; want %v", ra, res.StatusCode, res.RetryAfter, res.Err, want)
		}
	}
}
