package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// A tenant's own event types have no hand-written variables, unlike the
// builtin ones (data/variables.json): they derive them from the names of
// their data's properties, so that nothing beyond the schema needs storing
// and a renderer that sees only the event's data (format.Cypher) resolves
// them by the same rule. "/badge/level" becomes "@badge_level", as the
// builtin "@user_email" is "/user/email".

// maxVariablePath bounds how many property names a derived variable's path
// has, so that deep or recursive schemas and data cannot make the walks
// long.
const maxVariablePath = maxFieldDepth + 1

// maxRefHops bounds how many "$ref"s are followed in a row (a $defs entry
// may refer to itself).
const maxRefHops = 8

// isEnvelopeVariable reports whether name is one of the variables every
// event has whatever its type (format.Cypher resolves them before any
// type's own): no property may derive one of their names.
func isEnvelopeVariable(name string) bool {
	switch name {
	case "@event_id", "@event_type", "@occurred_at", "@tenant_id", "@delivery_id", "@data":
		return true
	}
	return false
}

// VariableName returns the template variable a tenant's own event type
// derives for the data property at path (property names from the data's
// root, unescaped): "@" and the names in snake case, lowercased, joined by
// '_', with any other character than a letter or digit turned into '_'.
// ["badge", "levelName"] gives "@badge_level_name". ok is false when the
// result is no valid variable name (empty, starting with a digit, longer
// than 64 characters) or is an envelope variable such as "@event_id".
func VariableName(path []string) (name string, ok bool) {
	parts := make([]string, 0, len(path))
	for _, p := range path {
		s := snakeCase(p)
		if s == "" {
			return "", false
		}
		parts = append(parts, s)
	}
	name = "@" + strings.Join(parts, "_")
	if !variableName.MatchString(name) || isEnvelopeVariable(name) {
		return "", false
	}
	return name, true
}

// snakeCase turns a property name into lowercase words joined by single
// underscores: "levelName" and "level-name" both give "level_name",
// "HTTPStatus" gives "http_status".
func snakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	sep := false // a separator is due before the next letter or digit
	for i, r := range rs {
		word := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if !word {
			sep = b.Len() > 0
			continue
		}
		if unicode.IsUpper(r) && i > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				sep = b.Len() > 0
			}
		}
		if sep {
			b.WriteByte('_')
			sep = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// derivedVariables lists the variables of a tenant's own type, in schema
// order: one per property whose value is not an object with "properties"
// of its own (those are walked into instead), following local "$ref"s.
// Items of arrays are not walked into: an array is one variable (rendered
// as JSON). A name that two properties derive is left out, as no one can
// tell which value it means.
func derivedVariables(schema json.RawMessage) ([]Variable, error) {
	root, err := parseNode(schema)
	if err != nil {
		return nil, err
	}
	w := &varWalker{fieldWalker: fieldWalker{root: root}, paths: map[string]string{}}
	if err := w.object(root, nil, 0); err != nil {
		return nil, err
	}
	out := make([]Variable, 0, len(w.vars))
	for _, v := range w.vars {
		if !w.ambiguous[v.Name] {
			out = append(out, v)
		}
	}
	return out, nil
}

// varWalker collects the variables of a schema.
type varWalker struct {
	fieldWalker
	vars      []Variable
	paths     map[string]string // name → the pointer that derived it first
	ambiguous map[string]bool
}

// object walks the properties of the object schema n at path, including
// those of a sub-schema it extends with "$ref".
func (w *varWalker) object(n node, path []string, hops int) error {
	if hops > maxRefHops {
		return nil
	}
	if _, base := w.localDef(n.str("$ref")); base != nil {
		if err := w.object(base, path, hops+1); err != nil {
			return err
		}
	}
	if len(path) >= maxVariablePath {
		return nil
	}
	props, err := n.node("properties")
	if err != nil {
		return err
	}
	for _, m := range props {
		p, err := parseNode(m.value)
		if err != nil {
			return err
		}
		if err := w.property(p, append(path[:len(path):len(path)], m.key)); err != nil {
			return err
		}
	}
	return nil
}

// property adds the variable of one property, or walks into it when it is
// an object with properties.
func (w *varWalker) property(p node, path []string) error {
	desc := p.str("description")
	target := p
	for hops := 0; hops <= maxRefHops && !hasKey(target, "properties"); hops++ {
		_, def := w.localDef(target.str("$ref"))
		if def == nil {
			break
		}
		target = def
		if desc == "" {
			desc = def.str("description")
		}
	}
	if hasKey(target, "properties") {
		return w.object(target, path, 0)
	}
	name, ok := VariableName(path)
	if !ok {
		return nil
	}
	ptr := pointer(path)
	if first, seen := w.paths[name]; seen {
		if first != ptr {
			if w.ambiguous == nil {
				w.ambiguous = map[string]bool{}
			}
			w.ambiguous[name] = true
		}
		return nil
	}
	w.paths[name] = ptr
	if desc == "" {
		desc = p.str("title")
	}
	w.vars = append(w.vars, Variable{Name: name, Path: ptr, Description: desc})
	return nil
}

// DataVariables maps the variables that a tenant's own event type derives
// (VariableName) from the properties of data, a JSON object, to their JSON
// Pointers. Unlike the type's listed variables it also names the objects
// and the properties the schema does not describe, so that every listed
// variable resolves whatever the schema left open; a name that two
// properties derive is left out, as the list leaves it out. Data that is no
// JSON object has none.
func DataVariables(data json.RawMessage) map[string]string {
	var v map[string]any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	out := map[string]string{}
	ambiguous := map[string]bool{}
	var walk func(obj map[string]any, path []string)
	walk = func(obj map[string]any, path []string) {
		for k, x := range obj {
			p := append(path[:len(path):len(path)], k)
			if name, ok := VariableName(p); ok {
				ptr := pointer(p)
				if first, seen := out[name]; seen && first != ptr {
					ambiguous[name] = true
				}
				out[name] = ptr
			}
			if sub, isObj := x.(map[string]any); isObj && len(p) < maxVariablePath {
				walk(sub, p)
			}
		}
	}
	walk(v, nil)
	for name := range ambiguous {
		delete(out, name)
	}
	return out
}

// variableName matches a variable's name, builtin or derived.
var variableName = regexp.MustCompile(`^@[a-z][a-z0-9_]{0,63}$`)

// IsVariableName reports whether name has the form of a variable's name:
// "@" and up to 64 lowercase letters, digits and '_', starting with a
// letter.
func IsVariableName(name string) bool { return variableName.MatchString(name) }

// checkVariables checks variable names ("@user_email"), their uniqueness
// and their paths (JSON Pointers).
func checkVariables(vs []Variable) error {
	seen := map[string]bool{}
	for i, v := range vs {
		if !variableName.MatchString(v.Name) {
			return domain.FieldErrorf(fmt.Sprintf("variables[%d].name", i), "%q must be '@' followed by lowercase letters, digits and '_' (for example \"@user_email\")", v.Name)
		}
		if seen[v.Name] {
			return domain.FieldErrorf(fmt.Sprintf("variables[%d].name", i), "%q is defined twice", v.Name)
		}
		seen[v.Name] = true
		if !validPointer(v.Path) {
			return domain.FieldErrorf(fmt.Sprintf("variables[%d].path", i), "%q must be a JSON Pointer into the event data, like \"/user/email\"", v.Path)
		}
	}
	return nil
}

// validPointer reports whether p is a JSON Pointer (RFC 6901): empty, or
// "/"-separated tokens where "~" only appears as "~0" or "~1".
func validPointer(p string) bool {
	if p == "" {
		return true
	}
	if p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 == len(p) || (p[i+1] != '0' && p[i+1] != '1')) {
			return false
		}
	}
	return true
}
