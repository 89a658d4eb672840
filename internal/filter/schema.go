package filter

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// lookup is what a schema says about a path.
type lookup struct {
	// found is true when the schema documents the whole path, or stops
	// describing the data somewhere along it (an open object, a map, a
	// value of any type), so that the path may well exist.
	found bool
	// missing is, when found is false, the prefix of the path that does
	// not exist ("data.cours" for data.cours.id), and known lists the
	// fields that do exist where it branches off.
	missing path
	known   []string
}

// maxRefDepth bounds how many $refs are followed in a row, so that a
// recursive schema cannot make the walk loop.
const maxRefDepth = 16

// schemaDoc is a parsed JSON Schema document.
type schemaDoc struct {
	root any
}

// parseSchema parses a JSON Schema; an empty one describes anything.
func parseSchema(raw json.RawMessage) (*schemaDoc, error) {
	if len(raw) == 0 {
		return &schemaDoc{root: true}, nil
	}
	var root any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("schema is not JSON: %w", err)
	}
	return &schemaDoc{root: root}, nil
}

// find follows p through the schema, down properties, items, local $refs
// and the branches of allOf, anyOf and oneOf.
func (d *schemaDoc) find(p path) lookup {
	nodes := d.expand(d.root, 0)
	for i, seg := range p {
		var next []any
		var known []string
		for _, n := range nodes {
			sub, open, fields := d.step(n, seg)
			if open {
				return lookup{found: true}
			}
			next = append(next, sub...)
			known = append(known, fields...)
		}
		if len(next) == 0 {
			slices.Sort(known)
			return lookup{missing: p[:i+1], known: slices.Compact(known)}
		}
		nodes = next
	}
	return lookup{found: true}
}

// step moves from schema node n to what describes its member seg (a field
// name or anyItem). open says that n does not constrain seg (anything may
// be there); otherwise sub lists the schemas of seg, none if seg cannot
// exist, and fields the documented fields of n.
func (d *schemaDoc) step(n any, seg string) (sub []any, open bool, fields []string) {
	obj, ok := n.(map[string]any)
	if !ok {
		// true (anything) is open; false allows nothing.
		b, isBool := n.(bool)
		return nil, !isBool || b, nil
	}
	types := typeList(obj["type"])
	if seg == anyItem {
		if items, ok := obj["items"]; ok {
			return d.expand(items, 0), false, nil
		}
		if len(types) == 0 || slices.Contains(types, "array") {
			return nil, true, nil
		}
		// An object iterated by a loop yields its keys: not followed.
		return nil, slices.Contains(types, "object"), nil
	}
	if len(types) > 0 && !slices.Contains(types, "object") {
		return nil, false, nil // a string, number… has no fields
	}
	props, _ := obj["properties"].(map[string]any)
	if s, ok := props[seg]; ok {
		return d.expand(s, 0), false, nil
	}
	if pp, ok := obj["patternProperties"].(map[string]any); ok {
		for pat, s := range pp {
			if re, err := regexp.Compile(pat); err == nil && re.MatchString(seg) {
				sub = append(sub, d.expand(s, 0)...)
			}
		}
		if len(sub) > 0 {
			return sub, false, nil
		}
	}
	switch ap := obj["additionalProperties"].(type) {
	case map[string]any:
		return d.expand(ap, 0), false, nil // a map: any key, values of ap
	case bool:
		if ap {
			return nil, true, nil
		}
	default:
		if len(props) == 0 {
			return nil, true, nil // an open object that documents nothing
		}
	}
	// The object documents its fields and seg is not one of them: the
	// filter most likely has a typo.
	for k := range props {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	return nil, false, fields
}

// expand resolves local $refs of schema node n and flattens the branches
// of allOf, anyOf and oneOf, since a path may exist in any of them.
func (d *schemaDoc) expand(n any, depth int) []any {
	obj, ok := n.(map[string]any)
	if !ok || depth > maxRefDepth {
		return []any{n}
	}
	var out []any
	if ref, ok := obj["$ref"].(string); ok {
		if target, ok := d.resolve(ref); ok {
			out = append(out, d.expand(target, depth+1)...)
		} else {
			out = append(out, true) // an unresolvable reference constrains nothing we know
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if branches, ok := obj[k].([]any); ok {
			for _, b := range branches {
				out = append(out, d.expand(b, depth+1)...)
			}
		}
	}
	// The node itself counts when it says something of its own beyond a
	// reference or branches.
	if _, ok := obj["properties"]; ok || len(out) == 0 || obj["type"] != nil || obj["items"] != nil || obj["additionalProperties"] != nil {
		out = append(out, withoutComposition(obj))
	}
	return out
}

// withoutComposition returns obj without $ref and branches, which expand
// has already followed.
func withoutComposition(obj map[string]any) map[string]any {
	_, r := obj["$ref"]
	_, a := obj["allOf"]
	_, b := obj["anyOf"]
	_, c := obj["oneOf"]
	if !r && !a && !b && !c {
		return obj
	}
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		switch k {
		case "$ref", "allOf", "anyOf", "oneOf":
		default:
			out[k] = v
		}
	}
	return out
}

// resolve follows a local JSON Pointer reference ("#/$defs/user_ref").
func (d *schemaDoc) resolve(ref string) (any, bool) {
	ptr, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	cur := d.root
	if ptr == "" {
		return cur, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// typeList reads a schema's "type": one name or a list of names.
func typeList(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
