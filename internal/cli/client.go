package cli

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
	"time"
)

// apiClient calls the API of a running lmshooks with one key: the
// commands that publish (trigger, simulate) share it.
type apiClient struct {
	base string // e.g. http://127.0.0.1:8080, no trailing slash
	key  string
	http *http.Client
}

// newAPIClient returns a client for the server at base.
func newAPIClient(base, key string) *apiClient {
	return &apiClient{
		base: strings.TrimRight(base, "/"),
		key:  key,
		http: &http.Client{Timeout: 30 * time.Second},
	}
}

// tenantPath returns the API path of a tenant's sub-resource.
func tenantPath(tenant, rest string) string {
	return "/api/v1/tenants/" + url.PathEscape(tenant) + rest
}

// apiError is a non-2xx answer of the API, with the error body's parts.
type apiError struct {
	Status  int
	Code    string
	Message string
	Field   string
	Body    string // the raw answer when it is not the API's error shape
}

func (e *apiError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("the server answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Body)
	}
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + " " + msg
	}
	return fmt.Sprintf("the server answered %d %s: %s", e.Status, e.Code, msg)
}

// temporary reports whether the same request may succeed later: the
// server was overloaded or down, not the request wrong.
func (e *apiError) temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// isTemporary reports whether err is worth retrying: a network failure or
// a temporary answer. A 4xx is the caller's mistake and is not.
func isTemporary(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.temporary()
	}
	return err != nil && !errors.Is(err, context.Canceled)
}

// post sends body as JSON to path and decodes a 2xx answer into out (when
// not nil). A non-2xx answer is an *apiError.
func (c *apiClient) post(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	return c.do(ctx, http.MethodPost, path, bytes.NewReader(b), out)
}

// get reads path and decodes a 2xx answer into out. A non-2xx answer is an
// *apiError.
func (c *apiClient) get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, out)
}

// do sends one request with the key and decodes a 2xx answer into out
// (when not nil).
func (c *apiClient) do(ctx context.Context, method, path string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("server URL: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the method and URL: say it once, plainly.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("cannot reach lmshooks at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &apiError{Status: resp.StatusCode, Body: strings.TrimSpace(string(raw))}
		var eb struct {
			Error struct {
				Code, Message, Field string
			} `json:"error"`
		}
		if json.Unmarshal(raw, &eb) == nil {
			ae.Code, ae.Message, ae.Field = eb.Error.Code, eb.Error.Message, eb.Error.Field
		}
		return ae
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode the answer: %w", method, path, err)
		}
	}
	return nil
}
