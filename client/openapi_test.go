package client_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/api"
)

// The client's types match the API's description (internal/api/openapi.json)
// route by route, field by field, both ways: query parameters, request
// bodies and success answers.
func TestWireTableMatchesOpenAPI(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("the OpenAPI document: %v", err)
	}
	d := openAPIDoc{root: doc}
	paths, _ := doc["paths"].(map[string]any)
	for _, route := range slices.Sorted(mapsKeys(wire)) {
		op := wire[route]
		method, path, _ := strings.Cut(route, " ")
		item, _ := d.resolve(paths[path]).(map[string]any)
		operation, _ := item[strings.ToLower(method)].(map[string]any)
		if operation == nil {
			t.Errorf("%s: the OpenAPI document has no such operation", route)
			continue
		}
		c := &schemaCheck{t: t, doc: d, route: route}
		c.query(op.query, item, operation)
		c.requestBody(op.body, operation)
		c.responses(op, operation)
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// openAPIDoc resolves local references ("#/components/…") in the document.
type openAPIDoc struct{ root map[string]any }

func (d openAPIDoc) resolve(v any) any {
	for range 20 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		var cur any = d.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cm, _ := cur.(map[string]any)
			cur = cm[part]
		}
		v = cur
	}
	return v
}

// schemaCheck reports the mismatches of one route.
type schemaCheck struct {
	t     *testing.T
	doc   openAPIDoc
	route string
}

func (c *schemaCheck) errorf(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf("%s: %s", c.route, fmt.Sprintf(format, args...))
}

func (c *schemaCheck) query(params any, item, operation map[string]any) {
	c.t.Helper()
	documented := map[string]any{}
	for _, list := range []any{item["parameters"], operation["parameters"]} {
		ps, _ := list.([]any)
		for _, p := range ps {
			pm, _ := c.doc.resolve(p).(map[string]any)
			if pm["in"] == "query" {
				documented[pm["name"].(string)] = pm["schema"]
			}
		}
	}
	goFields := map[string]reflect.Type{}
	if params != nil {
		queryFields(reflect.TypeOf(params), goFields)
	}
	for name, ft := range goFields {
		schema, ok := documented[name]
		if !ok {
			c.errorf("query parameter %q: the client sends it, the document does not describe it", name)
			continue
		}
		c.compatible(ft, schema, "query "+name, map[reflect.Type]int{})
	}
	for name := range documented {
		if _, ok := goFields[name]; !ok {
			c.errorf("query parameter %q: documented, the client cannot send it", name)
		}
	}
}

// queryFields adds t's query tags to out, embedded structs flattened.
func queryFields(t reflect.Type, out map[string]reflect.Type) {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("query"), ",")
		switch {
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			queryFields(f.Type, out)
		case name != "" && name != "-":
			out[name] = f.Type
		}
	}
}

func (c *schemaCheck) requestBody(body any, operation map[string]any) {
	c.t.Helper()
	rb, _ := c.doc.resolve(operation["requestBody"]).(map[string]any)
	schema := jsonSchema(c.doc, rb)
	switch {
	case body == nil && schema == nil:
		return
	case body == nil:
		c.errorf("request body: documented, the client sends none")
		return
	case schema == nil:
		c.errorf("request body: the client sends %T, the document describes none", body)
		return
	}
	c.compatible(reflect.TypeOf(body), schema, "request", map[reflect.Type]int{})
}

func (c *schemaCheck) responses(op wireOp, operation map[string]any) {
	c.t.Helper()
	responses, _ := operation["responses"].(map[string]any)
	for code, r := range responses {
		status, err := strconv.Atoi(code)
		if err != nil || status >= 300 || slices.Contains(op.statuses, status) {
			continue
		}
		_ = r
		c.errorf("status %d: documented as a success, the wire table lacks it", status)
	}
	for _, status := range op.statuses {
		r, ok := responses[strconv.Itoa(status)]
		if !ok {
			c.errorf("status %d: the document does not describe it", status)
			continue
		}
		schema := jsonSchema(c.doc, c.doc.resolve(r))
		where := fmt.Sprintf("answer %d", status)
		switch {
		case op.answer == nil && schema == nil:
		case op.answer == nil:
			c.errorf("%s: documented with a body, the client reads none", where)
		case schema == nil:
			c.errorf("%s: the client reads %T, the document describes no body", where, op.answer)
		default:
			c.compatible(reflect.TypeOf(op.answer), schema, where, map[reflect.Type]int{})
		}
	}
}

// jsonSchema returns the application/json schema of a request body or a
// response, or nil.
func jsonSchema(d openAPIDoc, v any) any {
	m, _ := v.(map[string]any)
	content, _ := m["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if media == nil {
		return nil
	}
	return media["schema"]
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	durationType    = reflect.TypeFor[time.Duration]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	headerValueType = reflect.TypeFor[client.HeaderValue]()
	marshalerType   = reflect.TypeFor[json.Marshaler]()
)

// flatSchema is a schema with its references, allOf and (loosely)
// oneOf/anyOf merged: the JSON types it admits and the object properties.
type flatSchema struct {
	types      map[string]bool // empty: any type
	properties map[string]any
	required   map[string]bool
	additional any   // additionalProperties, when a schema
	items      []any // array item schemas
	variants   []any // oneOf/anyOf alternatives
}

func (c *schemaCheck) flatten(s any) flatSchema {
	f := flatSchema{types: map[string]bool{}, properties: map[string]any{}, required: map[string]bool{}}
	c.merge(&f, s, 0)
	return f
}

func (c *schemaCheck) merge(f *flatSchema, s any, depth int) {
	if depth > 20 {
		return
	}
	m, _ := c.doc.resolve(s).(map[string]any)
	switch typ := m["type"].(type) {
	case string:
		f.types[typ] = true
	case []any:
		for _, x := range typ {
			f.types[x.(string)] = true
		}
	}
	if props, ok := m["properties"].(map[string]any); ok {
		f.types["object"] = true
		for k, v := range props {
			f.properties[k] = v
		}
	}
	for _, r := range asList(m["required"]) {
		f.required[r.(string)] = true
	}
	if ap, ok := m["additionalProperties"].(map[string]any); ok {
		f.additional = ap
	}
	if it, ok := m["items"]; ok {
		f.items = append(f.items, it)
	}
	if enum, ok := m["enum"].([]any); ok && len(enum) > 0 && m["type"] == nil {
		for _, e := range enum {
			f.types[jsonTypeOf(e)] = true
		}
	}
	if cst, ok := m["const"]; ok && m["type"] == nil {
		f.types[jsonTypeOf(cst)] = true
	}
	for _, sub := range asList(m["allOf"]) {
		c.merge(f, sub, depth+1)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		for _, sub := range asList(m[key]) {
			f.variants = append(f.variants, sub)
			// Objects merge loosely: a property of any alternative is one.
			c.merge(f, sub, depth+1)
		}
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

func jsonTypeOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case []any:
		return "array"
	default:
		return "object"
	}
}

// goField is one JSON field of a Go struct.
type goField struct {
	typ      reflect.Type
	optional bool // omitzero or omitempty: may be absent
}

// jsonFields returns the JSON names of t's fields, embedded structs
// flattened, with their types.
func jsonFields(t reflect.Type) map[string]goField {
	out := map[string]goField{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					out[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = goField{f.Type, strings.Contains(opts, "omitzero") || strings.Contains(opts, "omitempty")}
	}
	return out
}

// requiredness checks that a field the client always reads in an answer is
// one the document promises, and that a field the document requires in a
// request is one the client always sends.
func (c *schemaCheck) requiredness(name string, g goField, required bool, path string) {
	c.t.Helper()
	answer := strings.HasPrefix(path, "answer")
	switch {
	case answer && !g.optional && !required:
		c.errorf("%s.%s: the client reads it as always present, the document does not require it", path, name)
	case !answer && g.optional && required:
		c.errorf("%s.%s: the document requires it, the client may leave it out (omitzero)", path, name)
	}
}

// echoOnly names the documented request properties the client leaves out
// on purpose: the server accepts them only equal to the stored value (so
// that an answer can be sent back as is), changing nothing.
var echoOnly = map[string]bool{
	"TenantUpdate.id":                true,
	"WebhookUpdate.signature_scheme": true,
}

// compatible reports where the Go type t and the schema s disagree.
func (c *schemaCheck) compatible(t reflect.Type, s any, path string, seen map[reflect.Type]int) {
	c.t.Helper()
	if seen[t] > 3 { // recursive types: deep enough
		return
	}
	seen[t]++
	defer func() { seen[t]-- }()
	f := c.flatten(s)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == headerValueType || t == rawMessageType || (t.Kind() == reflect.Interface) {
		return // anything
	}
	want := ""
	switch {
	case t == timeType || t == durationType:
		want = "string"
	case t.Kind() == reflect.String:
		want = "string"
	case t.Kind() == reflect.Bool:
		want = "boolean"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		want = "integer"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		want = "number"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		want = "string"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		want = "array"
	case t.Kind() == reflect.Map, t.Kind() == reflect.Struct:
		want = "object"
	default:
		c.errorf("%s: the Go type %s has no JSON mapping", path, t)
		return
	}
	if len(f.types) > 0 {
		ok := f.types[want] || (want == "integer" && f.types["number"]) || (want == "number" && f.types["integer"])
		if !ok {
			c.errorf("%s: the client has %s (JSON %s), the document says %v", path, t, want, slices.Sorted(mapsKeys(f.types)))
			return
		}
	}
	switch want {
	case "array":
		for _, it := range f.items {
			c.compatible(t.Elem(), it, path+"[]", seen)
		}
	case "object":
		if t.Kind() == reflect.Map {
			// A map holds additional properties, or fixed ones keyed by
			// the map's key type (counts per state).
			if f.additional != nil {
				c.compatible(t.Elem(), f.additional, path+"{}", seen)
			}
			for _, name := range slices.Sorted(mapsKeys(f.properties)) {
				c.compatible(t.Elem(), f.properties[name], path+"."+name, seen)
			}
			return
		}
		if t == timeType {
			return
		}
		if t.Implements(marshalerType) && len(f.properties) == 0 {
			return // its own JSON shape, described as free-form
		}
		c.fields(t, f, path, seen)
	}
}

func (c *schemaCheck) fields(t reflect.Type, f flatSchema, path string, seen map[reflect.Type]int) {
	c.t.Helper()
	goFields := jsonFields(t)
	if len(f.properties) == 0 && f.additional == nil && len(goFields) > 0 {
		c.errorf("%s: the client has fields %v, the document describes no properties", path, slices.Sorted(mapsKeys(goFields)))
		return
	}
	for _, name := range slices.Sorted(mapsKeys(goFields)) {
		ps, ok := f.properties[name]
		if !ok {
			if f.additional != nil {
				c.compatible(goFields[name].typ, f.additional, path+"."+name, seen)
				continue
			}
			c.errorf("%s.%s: the client has it (%s), the document does not", path, name, goFields[name].typ)
			continue
		}
		c.compatible(goFields[name].typ, ps, path+"."+name, seen)
		c.requiredness(name, goFields[name], f.required[name], path)
	}
	for _, name := range slices.Sorted(mapsKeys(f.properties)) {
		if _, ok := goFields[name]; !ok && !echoOnly[t.Name()+"."+name] {
			c.errorf("%s.%s: documented, the client's %s lacks it", path, name, t)
		}
	}
}
