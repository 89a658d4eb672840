package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
// Variables must be empty: they are derived from the schema's properties
// (VariableName). OrderingKey, when set, must be a JSON Pointer. Errors
// are EINVALID, with Field "type", "schema", "example", "variables" or
// "ordering_key", prefixed by "types[i]." when more than one type
// is given, so that an API can point at the offending input.
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
	if err := checkOrderingKey(et.OrderingKey); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(et.Schema)) == 0 {
		et.Schema = json.RawMessage(defaultCustomSchema)
	}
	url := "urn:lmshooks:custom:" + et.Type
	sch, err := compile(comp, url, et.Schema)
	if err != nil {
		return nil, domain.FieldErrorf("schema", "does not compile: %s", compileProblem(err, url))
	}
	// The variables come from the schema, by the rule format.Cypher also
	// applies to the event's data (DataVariables): a list set by hand would
	// name variables that no delivery resolves.
	if len(et.Variables) > 0 {
		return nil, domain.FieldErrorf("variables", "cannot be set: a tenant's own types take their variables from the properties of their schema")
	}
	if et.Variables, err = derivedVariables(et.Schema); err != nil {
		return nil, domain.FieldErrorf("schema", "cannot list its properties: %v", err)
	}
	e := &entry{et: et, schema: sch, quick: compileQuick(et.Schema)}
	if len(bytes.TrimSpace(et.Example)) > 0 {
		if err := e.validate(et.Example); err != nil {
			field := "example" + strings.TrimPrefix(domain.ErrorField(err), "data")
			return nil, domain.FieldErrorf(field, "%s (the example does not match the schema)", domain.ErrorMessage(err))
		}
	}
	return e, nil
}

// checkOrderingKey checks a custom type's default ordering key: empty
// (none), or a JSON Pointer into the data.
func checkOrderingKey(p string) error {
	if len(p) > domain.MaxOrderingKeyLength || !domain.ValidText(p) {
		return domain.FieldErrorf("ordering_key", "must be a JSON Pointer of at most %d characters", domain.MaxOrderingKeyLength)
	}
	if !validPointer(p) {
		return domain.FieldErrorf("ordering_key", "%q must be a JSON Pointer into the event data, like \"/id\" or \"/user/id\" (or empty: no default key)", p)
	}
	return nil
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
