package main

// Every HTTP call lmsbench makes to lmshooks is in this file: the API with
// the operator key, and the console signed in with the operator password.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"time"
)

const (
	benchKey      = "lmsk_benchmark_operator_key_0123456789"
	benchPassword = "benchmark-console-password"
	// benchEncryptionKeys seal the benchmark's webhook secrets on
	// PostgreSQL, which needs keys configured (LMSHOOKS_ENCRYPTION_KEYS).
	benchEncryptionKeys = "bench1:bG1zaG9va3MtYmVuY2htYXJrLWtleS0zMi1ieXRlcyE="
)

// client calls one lmshooks server.
type client struct {
	base    string
	http    *http.Client
	console *http.Client // keeps the console's session cookie
}

func newClient(base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{
		base: base,
		http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		console: &http.Client{Timeout: time.Minute, Jar: jar,
			// A redirect is an answer to look at (the sign-in page means
			// no session), not to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// eventIn is an event to publish.
type eventIn struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// webhookIn is a webhook to create.
type webhookIn struct {
	Name           string   `json:"name"`
	URL            string   `json:"url"`
	EventTypes     []string `json:"event_types"`
	MaxConcurrency int      `json:"max_concurrency,omitempty"`
}

// deliveryOut is a delivery as the API lists it.
type deliveryOut struct {
	ID        string `json:"id"`
	EventID   string `json:"event_id"`
	WebhookID string `json:"webhook_id"`
	EventType string `json:"event_type"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	CreatedAt string `json:"created_at"`
}

// attemptOut is one attempt of a delivery, as the API shows it.
type attemptOut struct {
	Number    int    `json:"number"`
	StartedAt string `json:"started_at"`
	Success   bool   `json:"success"`
	Request   struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	} `json:"request"`
	Response *struct {
		Status int `json:"status"`
	} `json:"response"`
	Error string `json:"error"`
}

func (c *client) createTenant(ctx context.Context, id, name string) error {
	return c.call(ctx, "POST", "/api/v1/tenants", map[string]string{"id": id, "name": name}, nil)
}

// tenantExists reports whether the tenant id exists.
func (c *client) tenantExists(ctx context.Context, id string) (bool, error) {
	err := c.call(ctx, "GET", "/api/v1/tenants/"+url.PathEscape(id), nil, nil)
	var se *statusError
	if errors.As(err, &se) && se.status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

func (c *client) createWebhook(ctx context.Context, tenant string, w webhookIn) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.call(ctx, "POST", "/api/v1/tenants/"+url.PathEscape(tenant)+"/webhooks", w, &out)
	return out.ID, err
}

// publish sends one event on its own request and returns its id.
func (c *client) publish(ctx context.Context, tenant string, ev eventIn) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.call(ctx, "POST", "/api/v1/tenants/"+url.PathEscape(tenant)+"/events", ev, &out)
	return out.ID, err
}

// publishBatch sends events in one request and returns their ids.
func (c *client) publishBatch(ctx context.Context, tenant string, evs []eventIn) ([]string, error) {
	var out struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	err := c.call(ctx, "POST", "/api/v1/tenants/"+url.PathEscape(tenant)+"/events/batch", map[string]any{"events": evs}, &out)
	ids := make([]string, len(out.Data))
	for i, d := range out.Data {
		ids[i] = d.ID
	}
	return ids, err
}

// deliveries returns the first page of the tenant's audit log.
func (c *client) deliveries(ctx context.Context, tenant string) ([]deliveryOut, error) {
	var out struct {
		Data []deliveryOut `json:"data"`
	}
	err := c.call(ctx, "GET", "/api/v1/tenants/"+url.PathEscape(tenant)+"/deliveries", nil, &out)
	return out.Data, err
}

// attempts returns a delivery's attempts.
func (c *client) attempts(ctx context.Context, tenant, delivery string) ([]attemptOut, error) {
	var out struct {
		Attempts []attemptOut `json:"attempts"`
	}
	err := c.call(ctx, "GET", "/api/v1/tenants/"+url.PathEscape(tenant)+"/deliveries/"+url.PathEscape(delivery), nil, &out)
	return out.Attempts, err
}

// calls returns the calls the tenant's webhooks made over the window (a
// Go duration back from now), by webhook id.
func (c *client) calls(ctx context.Context, tenant, window string) (map[string]int, error) {
	var out struct {
		Data []struct {
			WebhookID string `json:"webhook_id"`
			Calls     int    `json:"calls"`
		} `json:"data"`
	}
	err := c.call(ctx, "GET", "/api/v1/tenants/"+url.PathEscape(tenant)+"/stats?window="+url.QueryEscape(window), nil, &out)
	calls := map[string]int{}
	for _, d := range out.Data {
		calls[d.WebhookID] = d.Calls
	}
	return calls, err
}

// statusError is an answer of the API outside 2xx.
type statusError struct {
	method, path string
	status       int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.method, e.path, e.status, http.StatusText(e.status), e.body)
}

// call sends an API request with the operator key and decodes a 2xx
// answer into out (when not nil).
func (c *client) call(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return &statusError{method, path, resp.StatusCode, strings.TrimSpace(string(raw))}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// signIn starts an operator session of the console.
func (c *client) signIn(ctx context.Context) error {
	form := url.Values{"password": {benchPassword}, "next": {"/"}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.console.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("console sign-in: %s", resp.Status)
	}
	return nil
}

// page loads a console page, signed in, and returns its size.
func (c *client) page(ctx context.Context, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.console.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("console GET %s: %s (location %q)", path, resp.Status, resp.Header.Get("Location"))
	}
	return len(b), nil
}

// waitReady polls /readyz until the server answers 200.
func waitReady(ctx context.Context, base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		// The child server's only readiness signal is /readyz: poll it.
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server at %s not ready after %s", base, timeout)
		case <-t.C:
		}
	}
}

// fetchProfile saves a CPU profile of seconds from the server's debug
// listener.
func fetchProfile(ctx context.Context, debugBase string, seconds int, path string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(seconds+30)*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", debugBase, seconds), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}
