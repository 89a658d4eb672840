package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/testsupport/tinyproxy"
)

// hosts is a resolver with fixed answers: the tests give receivers on
// loopback public-looking names, and names to private addresses.
type hosts map[string][]string

func (h hosts) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range h[host] {
		out = append(out, netip.MustParseAddr(a))
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

// seen is what a receiver saw of one request.
type seen struct {
	host, sni, body string
}

// receiverOn starts a test server, with TLS when useTLS, that answers 200
// and records what it receives.
func receiverOn(t *testing.T, useTLS bool) (*httptest.Server, chan seen) {
	t.Helper()
	got := make(chan seen, 10)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s := seen{host: r.Host, body: string(b)}
		if r.TLS != nil {
			s.sni = r.TLS.ServerName
		}
		got <- s
		io.WriteString(w, "thanks")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, got
}

// port returns the port of a test server's URL.
func port(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// Plain HTTP goes through a CONNECT tunnel too, so every delivery leaves
// from the proxy: the proxy is asked for the checked IP, and the receiver
// sees the name in Host.
func TestProxyTunnelsHTTP(t *testing.T) {
	p := tinyproxy.Start(t, tinyproxy.Options{User: "alice", Password: "s3cret"})
	srv, got := receiverOn(t, false)
	c := New(Options{AllowPrivate: true, Proxy: p.URL("alice", "s3cret"), Resolver: hosts{"hooks.example.com": {"127.0.0.1"}}})
	u := "http://hooks.example.com:" + port(t, srv.URL) + "/hook"
	for range 2 {
		res := c.Do(t.Context(), Request{URL: u, Body: []byte(`{"a":1}`)})
		if res.Err != nil || res.StatusCode != http.StatusOK || string(res.Body) != "thanks" {
			t.Fatalf("result = %+v", res)
		}
		if s := <-got; s.host != "hooks.example.com:"+port(t, srv.URL) || s.body != `{"a":1}` {
			t.Fatalf("receiver saw %+v", s)
		}
	}
	// One tunnel, kept alive for the second request; to the IP, not the name.
	if cs := p.Connects(); !slices.Equal(cs, []string{"127.0.0.1:" + port(t, srv.URL)}) {
		t.Fatalf("proxy got CONNECT %q, want one to the checked IP", cs)
	}
}

// When the proxy cannot reach one of a name's addresses, the next is
// tried, as a direct dial would.
func TestProxyTriesTheNextAddress(t *testing.T) {
	p := tinyproxy.Start(t, tinyproxy.Options{})
	srv, got := receiverOn(t, false) // on 127.0.0.1 only
	c := New(Options{AllowPrivate: true, Proxy: p.URL("", ""), Resolver: hosts{"dual.example": {"::1", "127.0.0.1"}}})
	res := c.Do(t.Context(), Request{URL: "http://dual.example:" + port(t, srv.URL)})
	if res.Err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("result = %+v", res)
	}
	<-got
	want := []string{"[::1]:" + port(t, srv.URL), "127.0.0.1:" + port(t, srv.URL)}
	if cs := p.Connects(); !slices.Equal(cs, want) {
		t.Fatalf("proxy got CONNECT %q, want %q", cs, want)
	}
}

// HTTPS runs end to end inside the tunnel: SNI and the certificate check
// use the name, while the proxy only ever sees the IP.
func TestProxyTunnelsHTTPSWithTheNamesCertificate(t *testing.T) {
	p := tinyproxy.Start(t, tinyproxy.Options{})
	srv, got := receiverOn(t, true)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate()) // valid for example.com and 127.0.0.1
	c := New(Options{AllowPrivate: true, Proxy: p.URL("", ""), TLSConfig: &tls.Config{RootCAs: pool},
		Resolver: hosts{"example.com": {"127.0.0.1"}, "other.example": {"127.0.0.1"}}})

	res := c.Do(t.Context(), Request{URL: "https://example.com:" + port(t, srv.URL) + "/hook", Body: []byte("x")})
	if res.Err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("result = %+v", res)
	}
	if s := <-got; s.sni != "example.com" || s.host != "example.com:"+port(t, srv.URL) {
		t.Fatalf("receiver saw %+v, want SNI and Host example.com", s)
	}
	// The same IP under a name the certificate does not cover is refused:
	// the check is against the name, not the address tunnelled to.
	res = c.Do(t.Context(), Request{URL: "https://other.example:" + port(t, srv.URL) + "/hook"})
	if res.Err == nil || !strings.HasPrefix(res.Err.Error(), "TLS handshake failed: certificate is valid for") ||
		!strings.HasSuffix(res.Err.Error(), "not other.example") || errors.Is(res.Err, ErrProxy) {
		t.Fatalf("wrong name: Err = %v", res.Err)
	}
	want := "127.0.0.1:" + port(t, srv.URL)
	if cs := p.Connects(); len(cs) != 2 || cs[0] != want || cs[1] != want {
		t.Fatalf("proxy got CONNECT %q, want two to %s", cs, want)
	}
}

// The SSRF guard still holds behind a proxy: every address a name
// resolves to is checked before the proxy is asked for anything.
func TestProxyKeepsTheGuard(t *testing.T) {
	p := tinyproxy.Start(t, tinyproxy.Options{})
	srv, _ := receiverOn(t, false)
	c := New(Options{Proxy: p.URL("", ""), Resolver: hosts{
		"internal.example": {"10.0.0.5"},
		"mixed.example":    {"203.0.113.9", "127.0.0.1"},
		"metadata.example": {"::ffff:169.254.169.254"},
	}})
	for u, want := range map[string]string{
		"http://internal.example/hook":           "refused to connect to 10.0.0.5: private address",
		"http://mixed.example/hook":              "refused to connect to 127.0.0.1: loopback address",
		"https://metadata.example/hook":          "refused to connect to 169.254.169.254: link-local address (cloud metadata service)",
		"http://127.0.0.1:" + port(t, srv.URL):   "refused to connect to 127.0.0.1: loopback address",
		"http://[::1]:" + port(t, srv.URL) + "/": "refused to connect to ::1: loopback address",
	} {
		res := c.Do(t.Context(), Request{URL: u})
		if !errors.Is(res.Err, ErrForbiddenTarget) || !strings.HasPrefix(res.Err.Error(), want) || errors.Is(res.Err, ErrProxy) {
			t.Errorf("%s: Err = %v, want %q…", u, res.Err, want)
		}
	}
	if cs := p.Connects(); len(cs) != 0 {
		t.Fatalf("proxy got CONNECT %q for refused targets", cs)
	}
}

// A proxy that refuses lmshooks' credentials fails as the proxy, with its
// status, and never shows the password.
func TestProxyAuthenticationRefused(t *testing.T) {
	p := tinyproxy.Start(t, tinyproxy.Options{User: "alice", Password: "s3cret"})
	srv, got := receiverOn(t, false)
	for _, tc := range []struct {
		proxy *url.URL
		want  []string
	}{
		// tinyproxy before 1.11.2 (Debian 12 has 1.11.1) answers wrong
		// credentials with 401 rather than 407.
		{p.URL("alice", "wrong-pass"), []string{
			`egress proxy: 407 Proxy Authentication Required (the proxy refused the credentials of user "alice")`,
			`egress proxy: 401 Unauthorized (the proxy refused the credentials of user "alice")`}},
		{p.URL("", ""), []string{
			"egress proxy: 407 Proxy Authentication Required (the proxy wants credentials: give them as http://user:password@host:port)"}},
	} {
		res := New(Options{AllowPrivate: true, Proxy: tc.proxy}).Do(t.Context(), Request{URL: srv.URL})
		if !errors.Is(res.Err, ErrProxy) || !slices.Contains(tc.want, res.Err.Error()) || strings.Contains(res.Err.Error(), "wrong-pass") {
			t.Fatalf("Err = %v, want one of %q", res.Err, tc.want)
		}
		if res.StatusCode != 0 {
			t.Fatalf("StatusCode = %d, want none: the receiver was not reached", res.StatusCode)
		}
	}
	if len(got) != 0 {
		t.Fatal("the receiver got a request")
	}
}

// A proxy that is not there fails as the proxy.
func TestProxyDown(t *testing.T) {
	p := tinyproxy.Start(t, tinyproxy.Options{})
	srv, _ := receiverOn(t, false)
	p.Stop()
	res := New(Options{AllowPrivate: true, Proxy: p.URL("alice", "s3cret")}).Do(t.Context(), Request{URL: srv.URL})
	if !errors.Is(res.Err, ErrProxy) || res.Err.Error() != "egress proxy: connection refused ("+p.Addr()+")" {
		t.Fatalf("Err = %v", res.Err)
	}
}

// A proxy that cannot reach the target answers CONNECT with an error: that
// is the target's failure (a dead receiver must use up its retries), told
// in the proxy's words.
func TestProxyCannotReachTheTarget(t *testing.T) {
	p := tinyproxy.Start(t, tinyproxy.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res := New(Options{AllowPrivate: true, Proxy: p.URL("", "")}).Do(t.Context(), Request{URL: "http://" + addr + "/hook"})
	if res.Err == nil || errors.Is(res.Err, ErrProxy) ||
		res.Err.Error() != "the egress proxy could not open a tunnel to "+addr+": 500 Unable to connect" {
		t.Fatalf("Err = %v", res.Err)
	}
}

// Something that is not an HTTP proxy fails as the proxy. (A fake proxy:
// the only way to get a malformed answer.)
func TestProxyMalformedAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			io.WriteString(conn, "SSH-2.0-OpenSSH_9.2\r\n\r\n")
			conn.Close()
		}
	}()
	res := New(Options{AllowPrivate: true, Proxy: &url.URL{Scheme: "http", Host: ln.Addr().String()}}).
		Do(t.Context(), Request{URL: "http://127.0.0.1:9/hook"})
	if !errors.Is(res.Err, ErrProxy) || !strings.HasPrefix(res.Err.Error(), "egress proxy: malformed answer to CONNECT: ") {
		t.Fatalf("Err = %v", res.Err)
	}
}
