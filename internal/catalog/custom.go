package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// defaultCustomSchema is the schema of a custom type registered without
// one: any JSON object.
const defaultCustomSchema = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}`

// WithCustom returns a view of the builtin catalog that also knows types, a
// tenant's own event types. The receiver is not changed, and its own custom
// types (if it is itself a view) are not carried over: types is the
// tenant's complete list.
//
// Each type must have a valid name that is not a builtin one; Entity and
// Action, when set, must agree with the name; an empty Title is derived from
// the name; an empty Schema means "any JSON object". Schemas must compile and
// be self-contained (no external $ref); the Example, when set, must validate.
// Errors are EINVALID, with Field "type", "schema", "example" or
// "variables[i].name"/"variables[i].path", prefixed by "types[i]." when more
// than one type is given, so that an API can point at the offending input.
func (c *Catalog) WithCustom(types []EventType) (*Catalog, error) {
	entries := maps.Clone(c.builtin)
	comp := newCompiler()
	for i, in := range types {
		prefix := ""
		if len(types) > 1 {
			prefix = fmt.Sprintf("types[%d].", i)
		}
		e, err := c.customEntry(in, entries, comp)
		if err != nil {
			var de *domain.Error
			if errors.As(err, &de) && prefix != "" {
				de.Field = prefix + de.Field
			}
			return nil, err
		}
		entries[e.et.Type] = e
	}
	return newCatalog(c.builtin, entries, c.summaries), nil
}

// customEntry checks and compiles one custom type. known holds the builtin
// types and the custom types accepted so far.
func (c *Catalog) customEntry(in EventType, known map[string]*entry, comp *jsonschema.Compiler) (*entry, error) {
	et := in.clone()
	et.Custom = true
	if et.Type == "" {
		return nil, domain.FieldErrorf("type", "is required")
	}
	if !domain.ValidEventType(et.Type) {
		return nil, domain.FieldErrorf("type", "%q must have the form <entity>.<action> in lowercase letters, digits and '_' (for example \"acme_badge.earned\")", et.Type)
	}
	if _, ok := c.builtin[et.Type]; ok {
		return nil, domain.FieldErrorf("type", "%q is a built-in event type; custom types need their own name", et.Type)
	}
	if _, ok := known[et.Type]; ok {
		return nil, domain.FieldErrorf("type", "%q is registered twice", et.Type)
	}
	entity, action, _ := strings.Cut(et.Type, ".")
	if et.Entity != "" && et.Entity != entity {
		return nil, domain.FieldErrorf("entity", "must be %q, the part of the type before the dot", entity)
	}
	if et.Action != "" && et.Action != action {
		return nil, domain.FieldErrorf("action", "must be %q, the part of the type after the dot", action)
	}
	et.Entity, et.Action = entity, action
	if et.Title == "" {
		et.Title = humanize(entity) + " " + strings.ReplaceAll(action, "_", " ")
	}
	if len(bytes.TrimSpace(et.Schema)) == 0 {
		et.Schema = json.RawMessage(defaultCustomSchema)
	}
	url := "urn:lmshooks:custom:" + et.Type
	sch, err := compile(comp, url, et.Schema)
	if err != nil {
		return nil, domain.FieldErrorf("schema", "does not compile: %s", compileProblem(err, url))
	}
	if err := checkVariables(et.Variables); err != nil {
		return nil, err
	}
	e := &entry{et: et, schema: sch}
	if len(bytes.TrimSpace(et.Example)) > 0 {
		if err := e.validate(et.Example); err != nil {
			field := "example" + strings.TrimPrefix(domain.ErrorField(err), "data")
			return nil, domain.FieldErrorf(field, "%s (the example does not match the schema)", domain.ErrorMessage(err))
		}
	}
	return e, nil
}

// compileProblem says in one line why a tenant's schema does not compile.
func compileProblem(err error, url string) string {
	var sve *jsonschema.SchemaValidationError
	var ve *jsonschema.ValidationError
	if errors.As(err, &sve) && errors.As(sve.Err, &ve) {
		// The schema breaks the JSON Schema metaschema: the library's own
		// message is a multi-line tree; name the first offending keyword.
		p := firstProblem(ve)
		at := p.pointer
		if at == "" {
			at = "/"
		}
		return fmt.Sprintf("it is not a valid JSON Schema: at %s, %s", at, p.message)
	}
	// The library names the schema by the URL we gave it; say "schema".
	return strings.ReplaceAll(err.Error(), url, "schema")
}

// humanize turns "acme_badge" into "Acme badge".
func humanize(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var variableName = regexp.MustCompile(`^@[a-z][a-z0-9_]{0,63}$`)

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
