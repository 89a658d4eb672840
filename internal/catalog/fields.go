package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Field is one property of an event type's data, derived from its schema,
// for documentation and forms.
type Field struct {
	// Name is the property's path in dotted form: "status",
	// "location.room", "items[].id" for properties of array items.
	Name string
	// Type is the JSON type: "string", "string or null", "array of string",
	// "object"; "any" when the schema does not say.
	Type string
	// Format is the string format ("date-time", "email", "uri"), if any.
	Format string
	// Ref names the shared sub-schema the property (or, for arrays, each
	// item) follows, e.g. "user_ref". Its fields are listed once by Defs
	// rather than repeated under every property that uses it.
	Ref string
	// Enum lists the allowed values as JSON ("\"completed\"", "null").
	Enum        []string
	Required    bool
	Description string
}

// Def is a shared sub-schema ("$defs") that event schemas reference.
type Def struct {
	Name        string // key under "$defs", e.g. "user_ref"
	Title       string
	Description string
	Fields      []Field
}

// maxFieldDepth bounds how deep inline objects are expanded, so that odd
// (recursive) tenant schemas cannot make Fields loop.
const maxFieldDepth = 6

// Fields lists the properties of the event's data in schema order, with
// inline objects expanded ("location.room") and shared sub-schemas named by
// Ref, not expanded.
func (et *EventType) Fields() ([]Field, error) {
	root, err := parseNode(et.Schema)
	if err != nil {
		return nil, fmt.Errorf("catalog: %s: schema: %w", et.Type, err)
	}
	w := fieldWalker{root: root}
	return w.object(root, "", 0)
}

// Defs lists the shared sub-schemas under the schema's "$defs" with their
// fields, in schema order.
func (et *EventType) Defs() ([]Def, error) {
	root, err := parseNode(et.Schema)
	if err != nil {
		return nil, fmt.Errorf("catalog: %s: schema: %w", et.Type, err)
	}
	defs, err := root.node("$defs")
	if err != nil || defs == nil {
		return nil, err
	}
	w := fieldWalker{root: root}
	var out []Def
	for _, m := range defs {
		def, err := parseNode(m.value)
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: $defs/%s: %w", et.Type, m.key, err)
		}
		fields, err := w.object(def, "", 0)
		if err != nil {
			return nil, err
		}
		out = append(out, Def{Name: m.key, Title: def.str("title"), Description: def.str("description"), Fields: fields})
	}
	return out, nil
}

// node is a parsed schema object; nil when the schema is not an object
// (e.g. the boolean schema true).
type node []member

func parseNode(raw json.RawMessage) (node, error) {
	if !isObject(raw) {
		return nil, nil
	}
	ms, err := members(raw)
	return node(ms), err
}

// node returns the object under key, nil if absent.
func (n node) node(key string) (node, error) {
	v, ok := get(n, key)
	if !ok {
		return nil, nil
	}
	return parseNode(v)
}

// str returns the string under key, "" if absent or not a string.
func (n node) str(key string) string {
	v, _ := get(n, key)
	var s string
	_ = json.Unmarshal(v, &s) // absent or not a string: ""
	return s
}

// strs returns the strings under key: one string or an array of strings.
func (n node) strs(key string) []string {
	v, ok := get(n, key)
	if !ok {
		return nil
	}
	var one string
	if json.Unmarshal(v, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(v, &many) // other shapes: none
	return many
}

// fieldWalker flattens schema properties into fields.
type fieldWalker struct {
	root node // the whole schema document, to resolve local $refs
}

// localDef resolves a local reference to a shared sub-schema.
func (w fieldWalker) localDef(ref string) (string, node) {
	for _, prefix := range []string{"#/$defs/", "#/definitions/"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok {
			defs, _ := w.root.node(prefix[2 : len(prefix)-1])
			d, _ := defs.node(name)
			return name, d
		}
	}
	return "", nil
}

// object lists the properties of the object schema n, including those of a
// sub-schema it extends with "$ref" next to its own "properties".
func (w fieldWalker) object(n node, prefix string, depth int) ([]Field, error) {
	if depth > maxFieldDepth {
		return nil, nil
	}
	required := map[string]bool{}
	for _, r := range n.strs("required") {
		required[r] = true
	}
	var out []Field
	if _, base := w.localDef(n.str("$ref")); base != nil {
		inherited, err := w.object(base, prefix, depth+1)
		if err != nil {
			return nil, err
		}
		for i := range inherited {
			if required[strings.TrimPrefix(inherited[i].Name, prefix)] {
				inherited[i].Required = true
			}
		}
		out = append(out, inherited...)
	}
	props, err := n.node("properties")
	if err != nil {
		return nil, err
	}
	for _, m := range props {
		p, err := parseNode(m.value)
		if err != nil {
			return nil, fmt.Errorf("properties/%s: %w", m.key, err)
		}
		fs, err := w.property(p, prefix+m.key, required[m.key], depth)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// property returns the field for one property and, for inline objects, the
// fields nested under it.
func (w fieldWalker) property(p node, name string, required bool, depth int) ([]Field, error) {
	f := Field{Name: name, Required: required, Description: p.str("description"), Format: p.str("format")}
	if v, ok := get(p, "enum"); ok {
		var vals []json.RawMessage
		_ = json.Unmarshal(v, &vals) // a malformed enum documents no values
		for _, x := range vals {
			f.Enum = append(f.Enum, string(x))
		}
	}
	types := p.strs("type")
	refName, ref := w.localDef(p.str("$ref"))
	if ref != nil && !hasKey(p, "properties") {
		f.Ref = refName
		if len(types) == 0 {
			types = ref.strs("type")
		}
		if f.Description == "" {
			f.Description = ref.str("description")
		}
		f.Type = typeName(types)
		return []Field{f}, nil
	}
	f.Type = typeName(types)
	out := []Field{f}
	switch {
	case slices.Contains(types, "array"):
		items, err := p.node("items")
		if err != nil || items == nil {
			return out, err
		}
		if itemRef, d := w.localDef(items.str("$ref")); d != nil && !hasKey(items, "properties") {
			out[0].Ref = itemRef
			out[0].Type = "array of " + typeName(d.strs("type"))
			return out, nil
		}
		out[0].Type = "array of " + typeName(items.strs("type"))
		if hasKey(items, "properties") {
			nested, err := w.object(items, name+"[].", depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		}
	case hasKey(p, "properties") || ref != nil:
		if len(types) == 0 {
			out[0].Type = "object"
		}
		nested, err := w.object(p, name+".", depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, nested...)
	case hasKey(p, "additionalProperties") && slices.Contains(types, "object"):
		if ap, _ := p.node("additionalProperties"); ap != nil {
			if t := ap.strs("type"); len(t) > 0 {
				out[0].Type = "map of " + typeName(t)
			}
		}
	}
	return out, nil
}

// typeName renders a JSON Schema "type" value.
func typeName(types []string) string {
	if len(types) == 0 {
		return "any"
	}
	return strings.Join(types, " or ")
}

func hasKey(n node, key string) bool {
	_, ok := get(n, key)
	return ok
}
