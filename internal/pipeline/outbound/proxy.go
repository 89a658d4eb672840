package outbound

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ErrProxy is matched (errors.Is) by a failure of the egress proxy itself:
// it could not be reached, refused lmshooks' credentials (407) or gave no
// valid answer to CONNECT. Such an attempt never reached the receiver; its
// message starts with domain.ProxyFailurePrefix. A proxy that answers
// CONNECT with another refusal (it could not reach the target, or its
// rules forbid it) is the target's failure, not this one.
var ErrProxy = errors.New("egress proxy failed")

// proxyError is a failure of the egress proxy itself. msg says what the
// proxy answered; without one, err (a dial error) is described like any
// connection failure, behind domain.ProxyFailurePrefix.
type proxyError struct {
	msg string
	err error
}

func (e *proxyError) Error() string {
	if e.msg != "" {
		return domain.ProxyFailurePrefix + e.msg
	}
	if msg, ok := connProblem(e.err, "the proxy"); ok {
		return domain.ProxyFailurePrefix + msg
	}
	var dnsErr *net.DNSError
	if errors.As(e.err, &dnsErr) {
		return domain.ProxyFailurePrefix + "DNS lookup of " + dnsErr.Name + " failed: " + dnsErr.Err
	}
	var netErr net.Error
	if errors.As(e.err, &netErr) && netErr.Timeout() {
		return domain.ProxyFailurePrefix + "no answer in time"
	}
	return domain.ProxyFailurePrefix + e.err.Error()
}

func (e *proxyError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrProxy) true.
func (e *proxyError) Is(target error) bool { return target == ErrProxy }

// tunnelSetupLimit bounds dialing the proxy and its answer to CONNECT.
// net/http dials on a context detached from the request's (so the
// connection may serve a later request), so without it a proxy that never
// answers would hold the dial forever; the request itself still ends at
// its own timeout.
const tunnelSetupLimit = domain.MaxTimeout

// proxyConnectTimeout bounds the TCP connect to the proxy, which sits on
// the operator's network: well within the default request timeout, so that
// an unreachable proxy is reported as such rather than as a slow receiver.
const proxyConnectTimeout = 10 * time.Second

// tunnelDialer opens every connection through an HTTP CONNECT proxy. It
// resolves the target's name itself, checks every address it resolves to
// with the same rules as the direct dialer, and asks the proxy for a
// tunnel to the checked IP, never to the name: a proxy given the name
// would resolve it again, and a DNS answer changed in between (rebinding)
// would reach the operator's network. TLS, when the URL is https, then
// runs end to end inside the tunnel, with SNI and certificate checks
// against the name (net/http does that on the connection returned).
type tunnelDialer struct {
	proxy        string // host:port
	auth         string // Proxy-Authorization value, or ""
	user         string // for messages; the password is never shown
	resolver     Resolver
	allowPrivate bool
	dialer       *net.Dialer
}

// newTunnelDialer returns a dialer through proxy, an http URL with host,
// port and optional user information (config validates it).
func newTunnelDialer(proxy *url.URL, resolver Resolver, allowPrivate bool) *tunnelDialer {
	d := &tunnelDialer{
		proxy:        proxy.Host,
		resolver:     resolver,
		allowPrivate: allowPrivate,
		dialer:       &net.Dialer{Timeout: proxyConnectTimeout, KeepAlive: 30 * time.Second},
	}
	if d.resolver == nil {
		d.resolver = net.DefaultResolver
	}
	if proxy.User != nil {
		d.user = proxy.User.Username()
		password, _ := proxy.User.Password()
		d.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(d.user+":"+password))
	}
	return d
}

// DialContext returns a tunnel to addr (the URL's host:port) through the
// proxy.
func (d *tunnelDialer) DialContext(ctx context.Context, _, addr string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("invalid port in %s", addr)
	}
	ctx, cancel := context.WithTimeout(ctx, tunnelSetupLimit)
	defer cancel()
	ips, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	// Every address must pass, not just the one used: a name that also
	// points inside the network is not one to deliver to.
	if !d.allowPrivate {
		for _, ip := range ips {
			if err := CheckAddr(ip); err != nil {
				return nil, err
			}
		}
	}
	var first error
	for _, ip := range ips {
		conn, err := d.tunnel(ctx, netip.AddrPortFrom(ip, uint16(port)))
		if err == nil {
			return conn, nil
		}
		// The proxy itself failing fails every address alike.
		if errors.Is(err, ErrProxy) || ctx.Err() != nil {
			return nil, err
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// resolve returns the addresses of host, a name or an IP literal, without
// zones and with IPv4-mapped addresses as IPv4.
func (d *tunnelDialer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.WithZone("").Unmap()}, nil
	}
	ips, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	for i, ip := range ips {
		ips[i] = ip.WithZone("").Unmap()
	}
	return ips, nil
}

// tunnel connects to the proxy and asks it for a tunnel to target.
func (d *tunnelDialer) tunnel(ctx context.Context, target netip.AddrPort) (net.Conn, error) {
	conn, err := d.dialer.DialContext(ctx, "tcp", d.proxy)
	if err != nil {
		return nil, &proxyError{err: err}
	}
	// The exchange below is bounded by ctx: a deadline now unblocks it.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	answer, err := d.connect(conn, target)
	if !stop() || err != nil {
		conn.Close()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, err
	}
	return answer, nil
}

// connect sends CONNECT target on conn and reads the proxy's answer. On
// success it returns the tunnel, including anything the proxy sent past
// its answer.
func (d *tunnelDialer) connect(conn net.Conn, target netip.AddrPort) (net.Conn, error) {
	authority := target.String() // [v6]:port for IPv6
	req := "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n"
	if d.auth != "" {
		req += "Proxy-Authorization: " + d.auth + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		return nil, &proxyError{err: err}
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &proxyError{msg: "closed the connection without answering CONNECT", err: err}
		}
		var netErr net.Error
		if errors.As(err, &netErr) {
			return nil, &proxyError{err: err}
		}
		return nil, &proxyError{msg: "malformed answer to CONNECT: " + err.Error(), err: err}
	}
	switch {
	case resp.StatusCode/100 == 2:
		if br.Buffered() > 0 {
			return &bufferedConn{Conn: conn, r: br}, nil
		}
		return conn, nil
	// An answer to CONNECT is the proxy's own (nothing reached the
	// target yet), so a 401 also means our credentials: tinyproxy before
	// 1.11.2 answers wrong ones with it (tinyproxy issue #532).
	case resp.StatusCode == http.StatusProxyAuthRequired, resp.StatusCode == http.StatusUnauthorized:
		hint := "the proxy wants credentials: give them as http://user:password@host:port"
		if d.user != "" {
			hint = "the proxy refused the credentials of user " + strconv.Quote(d.user)
		}
		return nil, &proxyError{msg: resp.Status + " (" + hint + ")"}
	default:
		return nil, &attemptError{msg: fmt.Sprintf("the egress proxy could not open a tunnel to %s: %s", authority, resp.Status)}
	}
}

// bufferedConn is a tunnel whose first bytes were read with the proxy's
// answer.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
