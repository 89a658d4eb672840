package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lmshooks/lmshooks/internal/api"
	"github.com/lmshooks/lmshooks/internal/catalog"
)

// openAPISources are what the OpenAPI document is made of.
type openAPISources struct {
	// Source is internal/api/openapi.src.yaml, the hand-written part.
	Source []byte
	// APIDoc is docs/API.md, whose examples the document shows.
	APIDoc []byte
	// Routes are the routes the API registers (api.Routes).
	Routes  []api.Route
	Catalog *catalog.Catalog
}

// renderOpenAPI builds the OpenAPI document: the hand-written source, with
// each operation's security and common errors taken from its route, the
// catalog's event types, and docs/API.md's examples.
func renderOpenAPI(src openAPISources) ([]byte, error) {
	root, err := parseTree(src.Source)
	if err != nil {
		return nil, fmt.Errorf("openapi.src.yaml: %w", err)
	}
	if v := get(get(root, "info"), "version"); v == nil || v.Value != api.OpenAPIVersionPlaceholder {
		return nil, fmt.Errorf("openapi.src.yaml: info.version must be %q (the server sets its own)", api.OpenAPIVersionPlaceholder)
	}
	ops, err := matchRoutes(get(root, "paths"), src.Routes)
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		completeOperation(op)
	}
	if err := addCatalog(root, src.Catalog); err != nil {
		return nil, err
	}
	if err := addExamples(root, ops, src.APIDoc); err != nil {
		return nil, fmt.Errorf("docs/API.md: %w", err)
	}
	return encodeJSON(root)
}

// operation is one route with its operation in the document.
type operation struct {
	route    api.Route
	pathItem *yaml.Node
	op       *yaml.Node
	// success is the first 2xx status the source lists: the one the
	// examples of docs/API.md show.
	success string
}

// matchRoutes pairs every route with its operation, and fails on a route
// without one or an operation without a route.
func matchRoutes(paths *yaml.Node, routes []api.Route) ([]operation, error) {
	var errs []error
	var ops []operation
	known := map[string]bool{}
	for _, rt := range routes {
		known[rt.Method+" "+rt.Path] = true
		item := get(paths, rt.Path)
		op := get(item, strings.ToLower(rt.Method))
		if op == nil {
			errs = append(errs, fmt.Errorf("route %s %s has no operation in openapi.src.yaml", rt.Method, rt.Path))
			continue
		}
		ops = append(ops, operation{route: rt, pathItem: item, op: op, success: successStatus(op)})
	}
	for _, path := range keys(paths) {
		for _, method := range keys(get(paths, path)) {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			if !known[strings.ToUpper(method)+" "+path] {
				errs = append(errs, fmt.Errorf("openapi.src.yaml describes %s %s, which the API does not serve", strings.ToUpper(method), path))
			}
		}
	}
	return ops, errors.Join(errs...)
}

// securityOf says which keys an operation takes.
func securityOf(a api.Access) *yaml.Node {
	switch a {
	case api.OperatorKey:
		return seq(obj("operatorKey", seq()))
	case api.AnyKey, api.TenantKey:
		return seq(obj("operatorKey", seq()), obj("tenantKey", seq()))
	}
	return seq()
}

// completeOperation adds the operation's security and the errors that any
// route of its kind can answer (unless the source describes them itself),
// and sorts its responses by status.
func completeOperation(o operation) {
	op := o.op
	setAfter(op, "tags", "security", securityOf(o.route.Access))
	responses := child(op, "responses")
	common := map[string]string{"400": "Malformed", "422": "Invalid"}
	if o.route.Access != api.Public {
		common["401"] = "Unauthorized"
		common["500"] = "Internal"
		common["503"] = "Unavailable"
	}
	switch o.route.Access {
	case api.OperatorKey:
		common["403"] = "Forbidden"
	}
	if strings.Contains(o.route.Path, "{") {
		common["404"] = "NotFound"
	}
	if get(op, "requestBody") != nil {
		common["413"] = "TooLarge"
	}
	for status, name := range common {
		if get(responses, status) == nil {
			set(responses, status, ref("#/components/responses/"+name))
		}
	}
	sortMapping(responses)
}

// sortMapping orders a mapping's keys.
func sortMapping(m *yaml.Node) {
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, pair{m.Content[i], m.Content[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].k.Value < pairs[j].k.Value })
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p.k, p.v)
	}
}

// successStatus is the first 2xx status an operation answers.
func successStatus(op *yaml.Node) string {
	for _, s := range keys(get(op, "responses")) {
		if strings.HasPrefix(s, "2") {
			return s
		}
	}
	return ""
}
