package outbound

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// Defaults and bounds of the client.
const (
	// DefaultMaxIdleConnsPerHost keeps enough warm connections for a busy
	// receiver: the dispatcher allows up to domain.MaxMaxConcurrency
	// requests in flight per webhook, and about a thousand in all (with
	// its default memory budget), which may all go to one host when many
	// webhooks share a receiver. With 256, a fan-out to 1,000 webhooks of
	// one receiver closed and dialed connections all along (9 % of the
	// CPU). Idle connections close after 90 s.
	DefaultMaxIdleConnsPerHost = 1024
	// DefaultUserAgent is sent when Options.UserAgent is empty.
	DefaultUserAgent = "lmshooks"
	// maxDrain is how much of a long answer is read and thrown away after
	// the logged part, so that the connection can be reused. Past it,
	// closing the connection is cheaper than reading on.
	maxDrain = 64 << 10
	// maxResponseHeaderBytes bounds the receiver's response headers.
	maxResponseHeaderBytes = 64 << 10
)

// Options configures a Client. The zero value is a safe production client.
type Options struct {
	// AllowPrivate lets deliveries reach private, loopback and link-local
	// addresses. For development and tests only (--allow-private-targets).
	AllowPrivate bool
	// MaxIdleConnsPerHost is how many idle keep-alive connections are kept
	// per receiver host; 0 means DefaultMaxIdleConnsPerHost.
	MaxIdleConnsPerHost int
	// UserAgent is sent unless a request sets its own; empty means
	// DefaultUserAgent.
	UserAgent string
	// TLSConfig, when set, replaces the default TLS settings (for example
	// to trust a private CA). It is cloned; nil uses the system roots.
	TLSConfig *tls.Config
	// Clock converts a Retry-After date into a wait; nil is the wall clock.
	Clock clock.Clock
	// Proxy, when set, is the egress proxy every delivery goes through:
	// http://[user:password@]host:port (config validates it). Each
	// connection is a CONNECT tunnel to the target's checked IP; see
	// tunnelDialer.
	Proxy *url.URL
	// Resolver looks up target names when deliveries go through Proxy
	// (lmshooks resolves them itself, to check the addresses and CONNECT to
	// one of them); nil is net.DefaultResolver. Without a proxy, the dialer
	// resolves and checks each address as it connects.
	Resolver Resolver
}

// Client delivers HTTP requests under the rules described in the package
// documentation. It is safe for concurrent use and meant to be shared.
type Client struct {
	http      *http.Client
	transport *http.Transport
	userAgent string
	clock     clock.Clock
}

// Request is one outgoing HTTP request.
type Request struct {
	// URL is the absolute http or https target.
	URL string
	// Method defaults to POST.
	Method string
	// Header is sent as is, plus User-Agent when it has none.
	Header http.Header
	// Body is the exact body (already signed by the caller).
	Body []byte
	// Timeout bounds the whole exchange: connect, TLS, request, response
	// headers and reading the logged body. 0 means domain.DefaultTimeout.
	Timeout time.Duration
}

// Result is what happened to one Request. Do never returns an error
// separately: a failure is a Result with Err set, ready for the attempt log.
type Result struct {
	// StatusCode is the receiver's status, or 0 when no response arrived.
	StatusCode int
	// Header holds the response headers (nil without a response).
	Header http.Header
	// Body holds at most domain.MaxResponseBody bytes of the answer.
	Body []byte
	// Truncated reports that the answer was longer than Body.
	Truncated bool
	// Duration is the time from sending to having read Body.
	Duration time.Duration
	// Err is set when no response arrived: a refused target, a timeout, a
	// DNS, connection or TLS failure. Its message is written for people
	// ("timeout after 15s", "connection refused (203.0.113.9:443)") and it
	// wraps the cause, so errors.Is(Err, ErrForbiddenTarget) and
	// errors.Is(Err, context.Canceled) work. A failure while reading the
	// body after the status arrived is not an error: the receiver has
	// answered, and Body keeps what was read.
	Err error
	// RetryAfter is the response's Retry-After (seconds or HTTP date) as a
	// wait, 0 when absent or unparseable. It is parsed for every status;
	// which statuses honour it is the dispatcher's decision.
	RetryAfter time.Duration
}

// New returns a Client configured by opts.
func New(opts Options) *Client {
	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	if !opts.AllowPrivate {
		dialer.Control = guardControl
	}
	dial := dialer.DialContext
	if opts.Proxy != nil {
		dial = newTunnelDialer(opts.Proxy, opts.Resolver, opts.AllowPrivate).DialContext
	}
	var tlsConfig *tls.Config
	if opts.TLSConfig != nil {
		tlsConfig = opts.TLSConfig.Clone()
	}
	t := &http.Transport{
		// Never net/http's proxy support, not even from the environment:
		// it would hand the proxy the target's name, unchecked (see the
		// package documentation). An egress proxy is reached by the dialer.
		Proxy:       nil,
		DialContext: dial,
		// A custom dialer and TLS config turn HTTP/2 off unless forced;
		// receivers that speak it get multiplexing.
		ForceAttemptHTTP2:   true,
		TLSClientConfig:     tlsConfig,
		MaxIdleConnsPerHost: cmp.Or(opts.MaxIdleConnsPerHost, DefaultMaxIdleConnsPerHost),
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// Without transparent gzip, the headers recorded in the attempt
		// log are exactly the headers sent, and the logged body is what
		// came over the wire.
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	return &Client{
		http: &http.Client{
			Transport: t,
			// Return the 3xx itself: following would re-send the signed
			// body to a URL nobody configured.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		transport: t,
		userAgent: cmp.Or(opts.UserAgent, DefaultUserAgent),
		clock:     clk,
	}
}

// CloseIdleConnections closes the kept-alive connections that are idle;
// the app calls it on shutdown.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// Do sends req and reports the outcome. It never follows redirects and
// never reads more than domain.MaxResponseBody bytes of the answer into
// memory (plus a bounded drain that is discarded).
func (c *Client) Do(ctx context.Context, req Request) Result {
	timeout := cmp.Or(req.Timeout, domain.DefaultTimeout)
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	hreq, err := http.NewRequestWithContext(tctx, cmp.Or(req.Method, http.MethodPost), req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return Result{Err: &attemptError{msg: "invalid request: " + err.Error(), err: err}}
	}
	if req.Header != nil {
		hreq.Header = req.Header.Clone()
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", c.userAgent)
	}

	start := time.Now()
	resp, err := c.http.Do(hreq)
	if err != nil {
		return Result{Duration: time.Since(start), Err: describe(ctx, tctx, timeout, err)}
	}
	body, truncated := readBody(resp.Body)
	return Result{
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       body,
		Truncated:  truncated,
		Duration:   time.Since(start),
		RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now()),
	}
}

// readBody keeps the first domain.MaxResponseBody bytes of rc, drains up to
// maxDrain more so the connection can go back to the pool, and closes rc.
// Read errors end the read quietly: the status has already arrived.
func readBody(rc io.ReadCloser) (body []byte, truncated bool) {
	defer rc.Close()
	body, _ = io.ReadAll(io.LimitReader(rc, domain.MaxResponseBody+1))
	if len(body) > domain.MaxResponseBody {
		body, truncated = body[:domain.MaxResponseBody], true
		_, _ = io.CopyN(io.Discard, rc, maxDrain)
	}
	return body, truncated
}
