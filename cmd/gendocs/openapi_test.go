package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/api"
	"github.com/lmshooks/lmshooks/internal/catalog"
)

// sources reads the real sources of the document.
func sources(t *testing.T) openAPISources {
	t.Helper()
	root := filepath.Join("..", "..")
	src, err := os.ReadFile(filepath.Join(root, openAPISource))
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(root, apiDoc))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	return openAPISources{Source: src, APIDoc: md, Routes: api.Routes(), Catalog: c}
}

func TestOpenAPIRefusesARouteWithoutOperation(t *testing.T) {
	src := sources(t)
	src.Routes = append(src.Routes, api.Route{Method: "POST", Path: "/api/v1/tenants/{tenant}/sessions/revoke", Access: api.TenantKey})
	_, err := renderOpenAPI(src)
	if err == nil || !strings.Contains(err.Error(), "route POST /api/v1/tenants/{tenant}/sessions/revoke has no operation in openapi.src.yaml") {
		t.Fatalf("got %v", err)
	}
}

func TestOpenAPIRefusesAnOperationWithoutRoute(t *testing.T) {
	src := sources(t)
	src.Routes = slices.DeleteFunc(src.Routes, func(r api.Route) bool { return r.Path == "/api/v1/tenants/{tenant}/stats" })
	_, err := renderOpenAPI(src)
	if err == nil || !strings.Contains(err.Error(), "describes GET /api/v1/tenants/{tenant}/stats, which the API does not serve") {
		t.Fatalf("got %v", err)
	}
}

// TestOpenAPIDerivesFromRoutesCatalogAndAPIDoc checks one thing of each
// source the generator adds.
func TestOpenAPIDerivesFromRoutesCatalogAndAPIDoc(t *testing.T) {
	out, err := renderOpenAPI(sources(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths    map[string]map[string]json.RawMessage
		Webhooks map[string]json.RawMessage
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	var del struct {
		Security  []map[string]any
		Responses map[string]any
	}
	if err := json.Unmarshal(doc.Paths["/api/v1/tenants/{tenant}"]["delete"], &del); err != nil {
		t.Fatal(err)
	}
	if len(del.Security) != 1 || del.Security[0]["operatorKey"] == nil {
		t.Errorf("DELETE tenant security %v, want the operator key only", del.Security)
	}
	for _, status := range []string{"204", "400", "401", "403", "404", "500", "503"} {
		if del.Responses[status] == nil {
			t.Errorf("DELETE tenant lacks %s", status)
		}
	}
	if c, _ := catalog.Load(); len(doc.Webhooks) != len(c.All()) {
		t.Errorf("%d webhooks, want one per builtin type", len(doc.Webhooks))
	}
	if !strings.Contains(string(doc.Webhooks["course_enrollment.completed"]), `"$ref": "#/components/schemas/EventData.course_enrollment.completed"`) {
		t.Errorf("course_enrollment.completed: %s", doc.Webhooks["course_enrollment.completed"])
	}
	publish := string(doc.Paths["/api/v1/tenants/{tenant}/events"]["post"])
	for _, s := range []string{`"idempotency_key": "enr_5531-completed"`, `"summary": "Publish an event (docs/API.md)"`} {
		if !strings.Contains(publish, s) {
			t.Errorf("publish lacks %s", s)
		}
	}
	if strings.Contains(string(out), "#/$defs/") {
		t.Error("a catalog reference still points into $defs")
	}
}

func TestCurlCalls(t *testing.T) {
	calls, err := curlCalls(`curl -s -X PATCH $LMSHOOKS/api/v1/tenants/acme -H "Authorization: Bearer $KEY" -d '{"name": "Acme Inc"}'
# operator key: a comment
curl -s "$LMSHOOKS/api/v1/tenants/acme/deliveries?state=failed" \
  -H "Authorization: Bearer $KEY"
curl -s -X POST $LMSHOOKS/api/v1/tenants/acme/events -H "Authorization: Bearer $KEY" -d '{
  "type": "user.created"
}'
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []curlCall{
		{"PATCH", "/api/v1/tenants/acme", `{"name": "Acme Inc"}`},
		{"GET", "/api/v1/tenants/acme/deliveries", ""},
		{"POST", "/api/v1/tenants/acme/events", "{\n  \"type\": \"user.created\"\n}"},
	}
	if !slices.Equal(calls, want) {
		t.Fatalf("got %q\nwant %q", calls, want)
	}
}
