package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// EventType is one entry of the catalog. Its JSON form (the tags) is the
// one the API serves.
type EventType struct {
	// Type is the name, "<entity>.<action>" (domain.ValidEventType).
	Type   string `json:"type"`
	Entity string `json:"entity"`
	Action string `json:"action"`
	// Title is a human name, e.g. "Course enrollment completed".
	Title       string `json:"title"`
	Description string `json:"description"`
	// Schema is the JSON Schema (draft 2020-12) of the event's data. Builtin
	// schemas are self-contained: shared sub-schemas are under "$defs".
	Schema json.RawMessage `json:"schema"`
	// Example is a realistic data object that validates against Schema.
	Example json.RawMessage `json:"example"`
	// Variables are the template variables an admin can use in form-encoded
	// webhook parameters (CYPHER-style "@user_email").
	Variables []Variable `json:"variables"`
	// OrderingKey is the JSON Pointer (RFC 6901) into the event's data of
	// its default ordering key, used when an event is published without
	// one (see Catalog.OrderingKey); "" when the type names none (custom
	// types may).
	OrderingKey string `json:"ordering_key,omitempty"`
	// Custom is true for types a tenant registered itself.
	Custom bool `json:"custom"`
}

// Variable is one template variable of an event type.
type Variable struct {
	// Name is the variable as an admin types it: "@user_email".
	Name string `json:"name"`
	// Path is the JSON Pointer (RFC 6901) of its value in the event's data:
	// "/user/email".
	Path        string `json:"path"`
	Description string `json:"description"`
}

// Catalog is an immutable set of event types with their compiled schemas.
// Load returns the builtin catalog; WithCustom a view that also knows one
// tenant's own types.
type Catalog struct {
	builtin   map[string]*entry // the builtin types, shared by every view
	types     map[string]*entry // builtin and custom types of this view
	names     []string          // keys of types, sorted
	summaries map[string]string // builtin entity → what it is
}

// entry is an event type and its compiled schema.
type entry struct {
	et     EventType
	schema *jsonschema.Schema
	// quick, when not nil, says "valid" of most valid data without the
	// cost of schema (see quick).
	quick *quick
}

// Load parses the builtin catalog embedded in the binary and compiles every
// schema. It fails only if the embedded data is broken, which the package's
// tests rule out; call it once at start-up and share the result.
func Load() (*Catalog, error) {
	src, err := readSource()
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	types, err := src.eventTypes()
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	comp := newCompiler()
	entries := make(map[string]*entry, len(types))
	for _, et := range types {
		if !domain.ValidEventType(et.Type) {
			return nil, fmt.Errorf("catalog: %q is not a valid event type name", et.Type)
		}
		if _, dup := entries[et.Type]; dup {
			return nil, fmt.Errorf("catalog: %s is defined twice", et.Type)
		}
		if err := checkVariables(et.Variables); err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", et.Type, err)
		}
		sch, err := compile(comp, "urn:lmshooks:builtin:"+et.Type, et.Schema)
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: schema: %w", et.Type, err)
		}
		entries[et.Type] = &entry{et: et, schema: sch, quick: compileQuick(et.Schema)}
	}
	return newCatalog(entries, entries, src.summaries), nil
}

// newCatalog builds a catalog view over types.
func newCatalog(builtin, types map[string]*entry, summaries map[string]string) *Catalog {
	names := make([]string, 0, len(types))
	for t := range types {
		names = append(names, t)
	}
	sort.Strings(names)
	return &Catalog{builtin: builtin, types: types, names: names, summaries: summaries}
}

// Lookup returns the event type named t.
func (c *Catalog) Lookup(t string) (*EventType, bool) {
	e, ok := c.types[t]
	if !ok {
		return nil, false
	}
	et := e.et.clone()
	return &et, true
}

// All returns every event type, sorted by name.
func (c *Catalog) All() []EventType {
	out := make([]EventType, 0, len(c.names))
	for _, t := range c.names {
		out = append(out, c.types[t].et.clone())
	}
	return out
}

// Entities returns the distinct entities, sorted.
func (c *Catalog) Entities() []string {
	var out []string
	for _, t := range c.names {
		if e := c.types[t].et.Entity; !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	sort.Strings(out)
	return out
}

// Actions returns the actions of entity, sorted; nil for an unknown entity.
func (c *Catalog) Actions(entity string) []string {
	var out []string
	for _, t := range c.names {
		if et := c.types[t].et; et.Entity == entity {
			out = append(out, et.Action)
		}
	}
	return out // names are sorted, so one entity's actions are too
}

// EntityDescription says what a builtin entity is, with its vendor aliases;
// "" for custom or unknown entities.
func (c *Catalog) EntityDescription(entity string) string {
	return c.summaries[entity]
}

// Match returns the types, sorted, that the subscription pattern selects:
// "*", "<entity>.*", "*.<action>" or an exact type (domain.MatchEventType).
func (c *Catalog) Match(pattern string) []string {
	var out []string
	for _, t := range c.names {
		if domain.MatchEventType(pattern, t) {
			out = append(out, t)
		}
	}
	return out
}

// clone returns a copy that shares no mutable state with the catalog, so
// callers may change what Lookup and All return.
func (et EventType) clone() EventType {
	et.Schema = slices.Clone(et.Schema)
	et.Example = slices.Clone(et.Example)
	et.Variables = slices.Clone(et.Variables)
	return et
}
