package main

// Every HTTP call lmsbench makes to lmshooks starts here: the API with the
// operator key (through the public Go client), and the console signed in
// with the operator password.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/client"
)

const (
	benchKey      = "lmsk_benchmark_operator_key_0123456789"
	benchPassword = "benchmark-console-password"
	// benchEncryptionKeys seal the benchmark's webhook secrets on
	// PostgreSQL, which needs keys configured (LMSHOOKS_ENCRYPTION_KEYS).
	benchEncryptionKeys = "bench1:bG1zaG9va3MtYmVuY2htYXJrLWtleS0zMi1ieXRlcyE="
)

// benchClient calls one lmshooks server: its API through the public Go
// client, its console (HTML pages) as a browser would.
type benchClient struct {
	base    string
	api     *client.Client
	console *http.Client // keeps the console's session cookie
}

func newBenchClient(base string) *benchClient {
	jar, _ := cookiejar.New(nil)
	// One transport for every API call, with enough idle connections that
	// the concurrent publishers reuse theirs instead of dialing anew.
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return &benchClient{
		base: base,
		api:  client.New(client.WithBaseURL(base), client.WithKey(benchKey), client.WithHTTPClient(hc)),
		console: &http.Client{Timeout: time.Minute, Jar: jar,
			// A redirect is an answer to look at (the sign-in page means
			// no session), not to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// tenantExists reports whether the tenant id exists.
func (c *benchClient) tenantExists(ctx context.Context, id string) (bool, error) {
	_, err := c.api.GetTenant(ctx, id)
	var e *client.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// signIn starts an operator session of the console.
func (c *benchClient) signIn(ctx context.Context) error {
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
func (c *benchClient) page(ctx context.Context, path string) (int, error) {
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
