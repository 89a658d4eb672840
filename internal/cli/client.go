package cli

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/client"
)

// newClient returns the API client of the commands that call a running
// lmshooks (trigger, simulate): the public client package, so that the
// command line speaks the API exactly as any Go program would.
func newClient(server, key string) *client.Client {
	return client.New(
		client.WithBaseURL(server),
		client.WithKey(key),
		client.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}),
	)
}

// isTemporary reports whether err is worth retrying: a network failure or
// a temporary answer. A 4xx is the caller's mistake and is not.
func isTemporary(err error) bool {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Temporary()
	}
	return err != nil && !errors.Is(err, context.Canceled)
}
