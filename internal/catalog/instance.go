package catalog

import (
	"encoding/json"
	"math"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Instance returns event data that the schema of type t accepts: its
// example, or else a JSON object built from what the schema asks for
// (required properties, types, formats, bounds, enums, $ref, allOf, anyOf,
// oneOf…) and checked against it. ok is false for an unknown type and when
// nothing built is accepted: a schema that matches no object at all
// (false, {"not": {}}, a type its enum contradicts, a required property
// that is forbidden), or one whose objects are beyond this search (a
// pattern, say), which then needs an example to show it can be met.
func (c *Catalog) Instance(t string) (json.RawMessage, bool) {
	e, ok := c.types[t]
	if !ok {
		return nil, false
	}
	if len(e.et.Example) > 0 {
		return e.et.Example, true
	}
	return e.build()
}

// build returns a JSON object built from the entry's schema that the
// schema accepts (see Instance).
func (e *entry) build() (json.RawMessage, bool) {
	b := &builder{budget: maxBuildSteps}
	for _, v := range b.values([]*jsonschema.Schema{e.schema}, 0) {
		if _, isObject := v.(map[string]any); !isObject || e.schema.Validate(v) != nil {
			continue
		}
		if out, err := json.Marshal(v); err == nil {
			return out, true
		}
	}
	return nil, false
}

// Bounds of the search, so that a hostile schema (deep, recursive, wide)
// costs little.
const (
	maxBuildDepth = 12
	maxBuildSteps = 2000
)

// anything and nothing stand for the constraint on a value that no schema
// constrains, and on one that a schema forbids (additionalProperties:
// false). They are never validated with.
var (
	yes, no  = true, false
	anything = &jsonschema.Schema{Bool: &yes}
	nothing  = &jsonschema.Schema{Bool: &no}
)

// builder builds values that schemas accept.
type builder struct {
	budget int // steps left
}

// values returns values that every schema of all accepts (the conjunction
// of constraints on one instance), best first; none when it found none.
func (b *builder) values(all []*jsonschema.Schema, depth int) []any {
	if b.budget--; b.budget < 0 || depth > maxBuildDepth {
		return nil
	}
	flat := flatten(all)
	// One anyOf or oneOf at a time: each of its branches joins the
	// conjunction, and the branches left are handled when it is built.
	for _, s := range flat {
		alts := append(append([]*jsonschema.Schema(nil), s.AnyOf...), s.OneOf...)
		if len(alts) == 0 {
			continue
		}
		var out []any
		for _, alt := range alts {
			next := make([]*jsonschema.Schema, 0, len(flat))
			for _, o := range flat {
				if o == s {
					o = withoutAlternatives(o)
				}
				next = append(next, o)
			}
			out = append(out, b.values(append(next, alt), depth+1)...)
			if len(out) > 0 {
				return out
			}
		}
		return nil
	}
	var out []any
	for _, v := range candidates(b, flat, depth) {
		if acceptedByAll(flat, v) {
			out = append(out, v)
		}
	}
	return out
}

// withoutAlternatives returns s without its anyOf and oneOf, once a branch
// of them has joined the conjunction (s itself still validates the
// result).
func withoutAlternatives(s *jsonschema.Schema) *jsonschema.Schema {
	c := *s
	c.AnyOf, c.OneOf = nil, nil
	return &c
}

// acceptedByAll says whether every schema of all accepts v. Schemas that
// were copied to drop their alternatives validate what is left of them.
func acceptedByAll(all []*jsonschema.Schema, v any) bool {
	for _, s := range all {
		if s == nothing || s != anything && s.Validate(v) != nil {
			return false
		}
	}
	return true
}

// flatten expands the schemas that constrain one instance: each $ref's
// target and each allOf member joins them.
func flatten(all []*jsonschema.Schema) []*jsonschema.Schema {
	var out []*jsonschema.Schema
	var add func(*jsonschema.Schema, int)
	add = func(s *jsonschema.Schema, depth int) {
		if s == nil || depth > maxBuildDepth || slices.Contains(out, s) {
			return
		}
		out = append(out, s)
		add(s.Ref, depth+1)
		for _, m := range s.AllOf {
			add(m, depth+1)
		}
	}
	for _, s := range all {
		add(s, 0)
	}
	return out
}

// candidates proposes values for the conjunction all: its const, its enum,
// or one value of each type it allows (objects first: event data is one).
func candidates(b *builder, all []*jsonschema.Schema, depth int) []any {
	for _, s := range all {
		if s.Bool != nil && !*s.Bool {
			return nil
		}
		if s.Const != nil {
			return []any{*s.Const}
		}
	}
	for _, s := range all {
		if s.Enum != nil {
			return s.Enum.Values
		}
	}
	var out []any
	for _, typ := range allowedTypes(all) {
		var v any
		var ok bool
		switch typ {
		case "object":
			v, ok = b.object(all, depth)
		case "array":
			v, ok = b.array(all, depth)
		case "string":
			v, ok = stringFor(all), true
		case "integer", "number":
			v, ok = numberFor(all, typ == "integer")
		case "boolean":
			v, ok = true, true
		case "null":
			v, ok = nil, true
		}
		if ok {
			out = append(out, v)
		}
	}
	return out
}

// typeOrder is the order types are tried in.
var typeOrder = []string{"object", "string", "integer", "number", "boolean", "array", "null"}

// allowedTypes returns the types every schema of all allows, in typeOrder.
func allowedTypes(all []*jsonschema.Schema) []string {
	out := typeOrder
	for _, s := range all {
		if s.Types == nil || s.Types.IsEmpty() {
			continue
		}
		allowed := s.Types.ToStrings()
		if slices.Contains(allowed, "number") && !slices.Contains(allowed, "integer") {
			allowed = append(allowed, "integer") // an integer is a number
		}
		out = slices.DeleteFunc(slices.Clone(out), func(t string) bool { return !slices.Contains(allowed, t) })
	}
	return out
}

// object builds an object with every required property (and those they
// require in turn, and more up to minProperties), each a value its
// schemas accept.
func (b *builder) object(all []*jsonschema.Schema, depth int) (any, bool) {
	var names []string
	need := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	minProps := 0
	for _, s := range all {
		for _, n := range s.Required {
			need(n)
		}
		if s.MinProperties != nil {
			minProps = max(minProps, *s.MinProperties)
		}
	}
	for i := 0; i < len(names); i++ {
		for _, s := range all {
			for _, n := range s.DependentRequired[names[i]] {
				need(n)
			}
		}
	}
	for _, s := range all {
		keys := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			keys = append(keys, n)
		}
		sort.Strings(keys)
		for _, n := range keys {
			if len(names) >= minProps {
				break
			}
			need(n)
		}
	}
	obj := make(map[string]any, len(names))
	for _, n := range names {
		vs := b.values(propertySchemas(all, n), depth+1)
		if len(vs) == 0 {
			return nil, false
		}
		obj[n] = vs[0]
	}
	return obj, true
}

// propertySchemas returns the schemas that the property name's value must
// meet: its properties entries, else the additionalProperties schemas.
// A property that none constrains takes any value.
func propertySchemas(all []*jsonschema.Schema, name string) []*jsonschema.Schema {
	var out []*jsonschema.Schema
	for _, s := range all {
		if p, ok := s.Properties[name]; ok {
			out = append(out, p)
			continue
		}
		switch ap := s.AdditionalProperties.(type) {
		case *jsonschema.Schema:
			out = append(out, ap)
		case bool:
			if !ap {
				out = append(out, nothing)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, anything)
	}
	return out
}

// array builds an array of minItems items (and one that contains must
// find), each a value the item schemas accept.
func (b *builder) array(all []*jsonschema.Schema, depth int) (any, bool) {
	n := 0
	var items, contains []*jsonschema.Schema
	for _, s := range all {
		if s.MinItems != nil {
			n = max(n, *s.MinItems)
		}
		if s.Items2020 != nil {
			items = append(items, s.Items2020)
		}
		if it, ok := s.Items.(*jsonschema.Schema); ok {
			items = append(items, it)
		}
		if s.Contains != nil {
			contains = append(contains, s.Contains)
		}
	}
	if n == 0 && len(contains) == 0 {
		return []any{}, true
	}
	if len(items) == 0 {
		items = append(items, anything)
	}
	vs := b.values(append(items, contains...), depth+1)
	if len(vs) == 0 {
		return nil, false
	}
	arr := make([]any, max(n, 1))
	for i := range arr {
		arr[i] = vs[0]
	}
	return arr, true
}

// formatExamples are values of the formats the catalog asserts.
var formatExamples = map[string]string{
	"email": "ana@example.com", "idn-email": "ana@example.com",
	"date-time": "2024-05-01T12:00:00Z", "date": "2024-05-01", "time": "12:00:00Z",
	"duration": "P1D", "period": "2024-05-01T00:00:00Z/P1D",
	"hostname": "example.com", "idn-hostname": "example.com",
	"ipv4": "192.0.2.1", "ipv6": "2001:db8::1",
	"uri": "https://example.com/", "iri": "https://example.com/",
	"uri-reference": "https://example.com/", "iri-reference": "https://example.com/",
	"uri-template": "https://example.com/{id}", "uuid": "5f0c6d8e-3b2a-4c1d-9e8f-7a6b5c4d3e2f",
	"json-pointer": "/a", "relative-json-pointer": "0", "semver": "1.0.0", "regex": "a",
}

// stringFor builds a string of the schemas' format, padded to their
// minLength.
func stringFor(all []*jsonschema.Schema) string {
	s, minLen := "x", 0
	for _, sc := range all {
		if sc.Format != nil {
			if ex, ok := formatExamples[sc.Format.Name]; ok {
				s = ex
			}
		}
		if sc.MinLength != nil {
			minLen = max(minLen, *sc.MinLength)
		}
	}
	if n := len([]rune(s)); n < minLen {
		s += strings.Repeat("x", minLen-n)
	}
	return s
}

// numberFor picks a number within the schemas' bounds that is a multiple of
// their multipleOf: zero when it can be, else the smallest such number
// above the lower bound. ok is false when the bounds leave no room.
func numberFor(all []*jsonschema.Schema, integer bool) (any, bool) {
	lo, hi := math.Inf(-1), math.Inf(1)
	loOpen, hiOpen := false, false
	step := 0.0
	f := func(r *big.Rat) float64 { v, _ := r.Float64(); return v }
	for _, s := range all {
		if s.Minimum != nil && f(s.Minimum) >= lo {
			lo, loOpen = f(s.Minimum), false
		}
		if s.ExclusiveMinimum != nil && f(s.ExclusiveMinimum) >= lo {
			lo, loOpen = f(s.ExclusiveMinimum), true
		}
		if s.Maximum != nil && f(s.Maximum) <= hi {
			hi, hiOpen = f(s.Maximum), false
		}
		if s.ExclusiveMaximum != nil && f(s.ExclusiveMaximum) <= hi {
			hi, hiOpen = f(s.ExclusiveMaximum), true
		}
		if s.MultipleOf != nil {
			step = f(s.MultipleOf)
		}
	}
	if integer && (step == 0 || step != math.Trunc(step)) {
		step = max(step, 1)
		if step != math.Trunc(step) {
			step = 1
		}
	}
	above := func(x float64) bool { return x > lo || !loOpen && x == lo }
	below := func(x float64) bool { return x < hi || !hiOpen && x == hi }
	v := 0.0
	if !above(v) || !below(v) {
		switch {
		case !math.IsInf(lo, -1):
			v = lo
		default:
			v = hi
		}
		if step > 0 {
			v = math.Ceil(v/step) * step
		}
		if !above(v) {
			if step > 0 {
				v += step
			} else if !math.IsInf(hi, 1) {
				v = (lo + hi) / 2
			} else {
				v = lo + 1
			}
		}
		if !below(v) && step > 0 {
			v = math.Floor(hi/step) * step
		}
	}
	if !above(v) || !below(v) || math.IsInf(v, 0) {
		return nil, false
	}
	if integer || v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return int64(v), true
	}
	return v, true
}
