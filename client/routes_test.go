package client_test

import (
	"net/http"
	"testing"

	"github.com/lmshooks/lmshooks/internal/api"
)

// routesFile names where the API's routes are declared, for messages.
const routesFile = "internal/api/routes.go"

// apiRoutes returns the patterns ("POST /api/v1/tenants/{tenant}/events")
// the API registers, from its route table. The OpenAPI document itself is
// not part of the client's API.
func apiRoutes(t *testing.T) []string {
	t.Helper()
	var patterns []string
	for _, r := range api.Routes() {
		if r.Access == api.Public {
			continue
		}
		patterns = append(patterns, r.Method+" "+r.Path)
	}
	if len(patterns) < 30 {
		t.Fatalf("%s registers %d routes: the table misses some", routesFile, len(patterns))
	}
	return patterns
}

// routeMatcher returns the function that names the pattern a request
// matches ("" for none), as the API's mux would route it.
func routeMatcher(patterns []string) func(*http.Request) string {
	mux := http.NewServeMux()
	for _, p := range patterns {
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
	}
	return func(r *http.Request) string {
		_, p := mux.Handler(r)
		return p
	}
}
