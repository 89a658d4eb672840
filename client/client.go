package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DefaultBaseURL is where `lmshooks serve` listens by default.
const DefaultBaseURL = "http://127.0.0.1:8080"

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// Client calls the API of one lmshooks server with one key. It is safe
// for concurrent use.
type Client struct {
	base string // no trailing slash
	key  string
	http *http.Client
	// check, when set, vets each success answer against the type it is
	// decoded into (the tests set it: export_test.go).
	check func(raw []byte, out any) error
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the server's URL, e.g. "https://hooks.example.com" or
// one with a path prefix ("https://example.com/lmshooks"). Default:
// DefaultBaseURL.
func WithBaseURL(u string) Option {
	return func(c *Client) { c.base = strings.TrimRight(u, "/") }
}

// WithKey sets the API key sent as a bearer token: the operator key, or a
// tenant key.
func WithKey(key string) Option {
	return func(c *Client) { c.key = key }
}

// WithHTTPClient sets the HTTP client requests go through (default
// http.DefaultClient). Its Timeout, if any, bounds every call; a test send
// may take as long as the webhook's timeout (up to 60 s).
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) { c.http = h }
}

// New returns a client configured by opts.
func New(opts ...Option) *Client {
	c := &Client{base: DefaultBaseURL, http: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// With returns a copy of c changed by opts: the same server with another
// key, say.
func (c *Client) With(opts ...Option) *Client {
	cp := *c
	for _, o := range opts {
		o(&cp)
	}
	return &cp
}

// BaseURL returns the server's URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// route is one request to send: method, path and query.
type route struct {
	method string
	path   string // escaped, from apiPath
	query  url.Values
	err    error // from apiPath
}

// apiPath builds method /api/v1/<segments…>, escaping each segment. An
// empty or dot segment (an empty tenant or id, "..") is refused before
// anything is sent: the server would read another path.
func apiPath(method string, segments ...string) route {
	r := route{method: method}
	var b strings.Builder
	b.WriteString("/api/v1")
	for _, s := range segments {
		if s == "" || s == "." || s == ".." {
			r.err = fmt.Errorf("lmshooks client: %s /api/v1/%s: a tenant, id or type in the path is empty, . or ..", method, strings.Join(segments, "/"))
		}
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	r.path = b.String()
	return r
}

// withQuery adds query parameters from a params struct (query tags).
func (r route) withQuery(params any) route {
	r.query = encodeQuery(params)
	return r
}

// do sends r with body (encoded as JSON when not nil) and decodes a 2xx
// answer into out (when not nil). It returns the answer's status; any
// other answer is an *Error.
func (c *Client) do(ctx context.Context, r route, body, out any) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	target := c.base + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("lmshooks client: encode the request of %s %s: %w", r.method, r.path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, rd)
	if err != nil {
		return 0, fmt.Errorf("lmshooks client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the method and URL: say it once, plainly.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("cannot reach lmshooks at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, c.readError(resp)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("lmshooks client: read the answer of %s %s: %w", r.method, r.path, err)
	}
	if out != nil {
		err := json.Unmarshal(raw, out)
		if err == nil && c.check != nil {
			err = c.check(raw, out)
		}
		if err != nil {
			return resp.StatusCode, fmt.Errorf("lmshooks client: decode the answer of %s %s: %w", r.method, r.path, err)
		}
	}
	return resp.StatusCode, nil
}

// readError turns an error answer into an *Error.
func (c *Client) readError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{Status: resp.StatusCode}
	var body ErrorResponse
	if json.Unmarshal(raw, &body) == nil && body.Error.Code != "" {
		if c.check != nil {
			if err := c.check(raw, &body); err != nil {
				return fmt.Errorf("lmshooks client: decode the error answer %d: %w", resp.StatusCode, err)
			}
		}
		e.Code, e.Message, e.Field = body.Error.Code, body.Error.Message, body.Error.Field
	} else {
		e.Body = strings.TrimSpace(string(raw))
	}
	return e
}

// call sends r with body (when not nil) and answers the decoded T.
func call[T any](ctx context.Context, c *Client, r route, body any) (*T, error) {
	var out T
	if _, err := c.do(ctx, r, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
