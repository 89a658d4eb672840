package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/lmshooks/lmshooks/internal/version"
)

// rawDocument is openapi.json decoded as plain JSON.
func rawDocument(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPIDescribesEveryRoute fails when a route registered on the mux
// is missing from openapi.json, when the document names a route the mux
// lacks, or when an operation's security does not say who may call it.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	paths := rawDocument(t)["paths"].(map[string]any)
	documented := map[string]map[string]any{}
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = op.(map[string]any)
		}
	}
	registered := map[string]bool{}
	for _, rt := range routeTable {
		name := rt.Method + " " + rt.Path
		registered[name] = true
		op, ok := documented[name]
		if !ok {
			t.Errorf("%s is served but not in openapi.json: describe it in openapi.src.yaml and run `go run ./cmd/gendocs`", name)
			continue
		}
		if got, want := securityNames(op["security"]), wantSecurity(rt.Access); !slices.Equal(got, want) {
			t.Errorf("%s: security %v in openapi.json, want %v", name, got, want)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(documented)) {
		if !registered[name] {
			t.Errorf("openapi.json describes %s, which the API does not serve", name)
		}
	}
	// The mux serves what the table says: each documented operation's
	// path, with values for its parameters, reaches that very pattern.
	a := &API{mux: http.NewServeMux()}
	a.routes()
	for name := range documented {
		method, path, _ := strings.Cut(name, " ")
		concrete := pathParam.ReplaceAllString(path, "x")
		req := httptest.NewRequest(method, concrete, nil)
		if _, pattern := a.mux.Handler(req); pattern != name {
			t.Errorf("%s %s reaches the mux's %q, want %q", method, concrete, pattern, name)
		}
	}
}

var pathParam = regexp.MustCompile(`\{[a-z]+\}`)

// securityNames lists the schemes of an operation's security requirements.
func securityNames(sec any) []string {
	var out []string
	list, _ := sec.([]any)
	for _, req := range list {
		for name := range req.(map[string]any) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func wantSecurity(a Access) []string {
	switch a {
	case OperatorKey:
		return []string{"operatorKey"}
	case AnyKey, TenantKey:
		return []string{"operatorKey", "tenantKey"}
	}
	return nil
}

// TestOpenAPIDocumentIsValid checks openapi.json against the OpenAPI 3.1
// specification's own schema.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	if doc := rawDocument(t); doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	if ok, errs := c.validator.ValidateDocument(); !ok {
		t.Fatalf("openapi.json is not a valid OpenAPI document:\n%s", describe(errs))
	}
}

// TestOpenAPIExamplesFollowTheirSchemas validates every example of the
// document (docs/API.md's and the catalog's) against its schema, so that
// a wrong example in API.md fails here.
func TestOpenAPIExamplesFollowTheirSchemas(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	doc := rawDocument(t)
	n := 0
	check := func(where string, schema *base.Schema, value any) {
		t.Helper()
		n++
		b, _ := json.Marshal(value)
		if ok, errs := c.schemas.ValidateSchemaBytes(schema, b); !ok {
			t.Errorf("the example %s does not follow its schema: %s\n%s", where, clip(b), describe(errs))
		}
	}
	for name, s := range doc["components"].(map[string]any)["schemas"].(map[string]any) {
		for i, ex := range asList(s.(map[string]any)["examples"]) {
			check(name+" #"+strconv.Itoa(i+1), c.schema(t, name), ex)
		}
	}
	for path, item := range doc["paths"].(map[string]any) {
		for method, o := range item.(map[string]any) {
			op, ok := o.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			mop, _ := c.model.Paths.PathItems.GetOrZero(path).GetOperations().Get(method)
			if body := mediaExamples(op["requestBody"]); body != nil {
				media, _ := mop.RequestBody.Content.Get("application/json")
				for name, ex := range body {
					check(method+" "+path+" request "+name, media.Schema.Schema(), ex.(map[string]any)["value"])
				}
			}
			for status, r := range asMap(op["responses"]) {
				res := mediaExamples(r)
				if res == nil {
					continue
				}
				mres, _ := mop.Responses.Codes.Get(status)
				media, _ := mres.Content.Get("application/json")
				for name, ex := range res {
					check(method+" "+path+" "+status+" "+name, media.Schema.Schema(), ex.(map[string]any)["value"])
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("checked %d examples; docs/API.md and the catalog give more", n)
	}
}

// mediaExamples returns the examples of a request body's or response's
// JSON content.
func mediaExamples(v any) map[string]any {
	media := asMap(asMap(asMap(v)["content"])["application/json"])
	return asMap(media["examples"])
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asList(v any) []any         { l, _ := v.([]any); return l }

// TestOpenAPIServed: the document is served without a key, stamped with
// the binary's version.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	r := e.call("GET", "/api/v1/openapi.json", "", nil)
	r.ok(200, nil)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Version string `json:"version"`
		} `json:"info"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info.Version != version.Version() {
		t.Fatalf("served openapi %q, info.version %q; want 3.1.0 and %q", doc.OpenAPI, doc.Info.Version, version.Version())
	}
	if strings.Contains(string(r.Body), OpenAPIVersionPlaceholder) {
		t.Fatal("the served document still holds the version placeholder")
	}
}
