package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// data holds the builtin catalog. It is read-only; a package-level embed is
// the only way to ship files inside the binary.
//
//go:embed data
var data embed.FS

// schemaDraft is the JSON Schema dialect of every builtin schema.
const schemaDraft = "https://json-schema.org/draft/2020-12/schema"

// entityFile is one data/types/<entity>.json: the data schema, variables and
// example shared by every action of one entity, and the actions.
type entityFile struct {
	Entity  string `json:"entity"`
	Noun    string `json:"noun"`    // "Course enrollment": titles are "<noun> <action>"
	Summary string `json:"summary"` // what the entity is, with vendor aliases
	// OrderingKey is the JSON Pointer into data of the default ordering
	// key of the entity's events: the entity whose sequence of changes a
	// receiver needs in order (usually the enrollment or the user).
	OrderingKey string          `json:"ordering_key"`
	Schema      json.RawMessage `json:"schema"` // schema of data, may $ref "#/$defs/<name>"
	Variables   []varSpec       `json:"variables"`
	Example     json.RawMessage `json:"example"`
	Actions     []actionSpec    `json:"actions"`
}

// actionSpec is one action of an entity. Every field but Action and
// Description is optional and refines the entity's defaults.
type actionSpec struct {
	Action      string          `json:"action"`
	Title       string          `json:"title"`       // replaces "<noun> <action>"
	Description string          `json:"description"` //
	Required    []string        `json:"required"`    // replaces the entity's required list
	Properties  json.RawMessage `json:"properties"`  // added to (or replacing) the entity's properties
	Variables   []varSpec       `json:"variables"`   // added to the entity's variables
	Example     json.RawMessage `json:"example"`     // JSON Merge Patch (RFC 7396) over the entity's example
}

// varSpec is either one variable (Name, Path, Description) or the use of a
// shared variable set from data/variables.json (Use, At, Prefix, Noun): the
// set's variables are named "@<prefix>_<name>", their paths are prefixed by
// At, and "{noun}" in their descriptions becomes Noun.
type varSpec struct {
	Name        string `json:"name"`
	Path        string `json:"path"`
	Description string `json:"description"`
	Use         string `json:"use"`
	At          string `json:"at"`
	Prefix      string `json:"prefix"`
	Noun        string `json:"noun"`
}

// commonFile is data/common.json: the properties and variables every
// builtin type has, whatever its entity (who caused the event).
type commonFile struct {
	// Properties are added to every type's data schema, after the
	// entity's own; an entity or action that defines the same property
	// keeps its definition.
	Properties json.RawMessage `json:"properties"`
	// Variables are added to every type's variables, after the entity's
	// and the action's.
	Variables []varSpec `json:"variables"`
}

// builtinSource is the parsed content of the data directory.
type builtinSource struct {
	defs      []member             // data/defs.json: shared sub-schemas, by name
	varSets   map[string][]varSpec // data/variables.json
	common    commonFile           // data/common.json
	entities  []entityFile
	summaries map[string]string // entity → summary
}

// readSource parses the embedded data files.
func readSource() (*builtinSource, error) {
	src := &builtinSource{summaries: map[string]string{}}
	raw, err := data.ReadFile("data/defs.json")
	if err != nil {
		return nil, err
	}
	if src.defs, err = members(raw); err != nil {
		return nil, fmt.Errorf("data/defs.json: %w", err)
	}
	if err := decodeStrict("data/variables.json", &src.varSets); err != nil {
		return nil, err
	}
	if err := decodeStrict("data/common.json", &src.common); err != nil {
		return nil, err
	}
	files, err := fs.Glob(data, "data/types/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, name := range files {
		var ef entityFile
		if err := decodeStrict(name, &ef); err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); ef.Entity != want {
			return nil, fmt.Errorf("%s: entity %q must match the file name", name, ef.Entity)
		}
		if ef.OrderingKey == "" || !validPointer(ef.OrderingKey) {
			return nil, fmt.Errorf("%s: ordering_key %q must be a JSON Pointer into the data, like \"/id\"", name, ef.OrderingKey)
		}
		src.entities = append(src.entities, ef)
		src.summaries[ef.Entity] = ef.Summary
	}
	return src, nil
}

// decodeStrict decodes one embedded file, refusing unknown keys so that a
// typo in a data file fails loudly instead of being ignored.
func decodeStrict(name string, v any) error {
	raw, err := data.ReadFile(name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// eventTypes builds every builtin event type of the source.
func (src *builtinSource) eventTypes() ([]EventType, error) {
	var out []EventType
	for _, ef := range src.entities {
		for _, a := range ef.Actions {
			et, err := src.eventType(ef, a)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", ef.Entity, a.Action, err)
			}
			out = append(out, et)
		}
	}
	return out, nil
}

// eventType builds the event type of one action of an entity.
func (src *builtinSource) eventType(ef entityFile, a actionSpec) (EventType, error) {
	et := EventType{
		Type:        ef.Entity + "." + a.Action,
		Entity:      ef.Entity,
		Action:      a.Action,
		Title:       a.Title,
		Description: a.Description,
		OrderingKey: ef.OrderingKey,
	}
	if et.Title == "" {
		et.Title = ef.Noun + " " + strings.ReplaceAll(a.Action, "_", " ")
	}
	var err error
	if et.Schema, err = src.schema(et, ef.Schema, a); err != nil {
		return et, fmt.Errorf("schema: %w", err)
	}
	et.Example = ef.Example
	if a.Example != nil {
		if et.Example, err = mergePatch(ef.Example, a.Example); err != nil {
			return et, fmt.Errorf("example: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, et.Example); err != nil {
		return et, fmt.Errorf("example: %w", err)
	}
	et.Example = buf.Bytes()
	specs := append(append(append([]varSpec(nil), ef.Variables...), a.Variables...), src.common.Variables...)
	if et.Variables, err = src.variables(specs); err != nil {
		return et, err
	}
	return et, nil
}

// schema composes the self-contained schema document of one event type: the
// entity's data schema refined by the action, titled, with the shared
// sub-schemas it references copied under $defs.
func (src *builtinSource) schema(et EventType, entitySchema json.RawMessage, a actionSpec) (json.RawMessage, error) {
	body, err := members(entitySchema)
	if err != nil {
		return nil, err
	}
	if _, ok := get(body, "type"); !ok {
		body = append([]member{{key: "type", value: json.RawMessage(`"object"`)}}, body...)
	}
	if a.Required != nil {
		req, _ := json.Marshal(a.Required)
		body = set(body, "required", req)
	}
	if a.Properties != nil {
		props, _ := get(body, "properties")
		merged, err := mergeMembers(props, a.Properties)
		if err != nil {
			return nil, fmt.Errorf("properties: %w", err)
		}
		body = set(body, "properties", merged)
	}
	if src.common.Properties != nil {
		props, _ := get(body, "properties")
		merged, err := addMissingMembers(props, src.common.Properties)
		if err != nil {
			return nil, fmt.Errorf("common properties: %w", err)
		}
		body = set(body, "properties", merged)
	}
	doc := []member{
		{key: "$schema", value: mustMarshal(schemaDraft)},
		{key: "title", value: mustMarshal(et.Title)},
		{key: "description", value: mustMarshal(et.Description)},
	}
	doc = append(doc, body...)
	defs, err := src.referencedDefs(encodeMembers(body))
	if err != nil {
		return nil, err
	}
	if len(defs) > 0 {
		doc = append(doc, member{key: "$defs", value: encodeMembers(defs)})
	}
	return encodeMembers(doc), nil
}

// mergeMembers adds the members of the object extra to the object base,
// replacing members with the same key. Unlike mergePatch it never recurses:
// a property redefined by an action is redefined whole.
func mergeMembers(base, extra json.RawMessage) (json.RawMessage, error) {
	return combineMembers(base, extra, true)
}

// addMissingMembers appends to the object base the members of extra whose
// keys base does not have: an entity's own definition of a common property
// wins.
func addMissingMembers(base, extra json.RawMessage) (json.RawMessage, error) {
	return combineMembers(base, extra, false)
}

// combineMembers adds the members of extra to base (nil: an empty object);
// a key both have takes extra's value when replace is set, and keeps
// base's otherwise.
func combineMembers(base, extra json.RawMessage, replace bool) (json.RawMessage, error) {
	var bm []member
	if base != nil {
		var err error
		if bm, err = members(base); err != nil {
			return nil, err
		}
	}
	em, err := members(extra)
	if err != nil {
		return nil, err
	}
	for _, m := range em {
		if _, ok := get(bm, m.key); !ok || replace {
			bm = set(bm, m.key, m.value)
		}
	}
	return encodeMembers(bm), nil
}

// localRef finds references to shared sub-schemas.
var localRef = regexp.MustCompile(`"#/\$defs/([A-Za-z0-9_]+)"`)

// referencedDefs returns the shared sub-schemas that schema references,
// directly or through other sub-schemas, in the order of data/defs.json.
func (src *builtinSource) referencedDefs(schema json.RawMessage) ([]member, error) {
	need := map[string]bool{}
	queue := []json.RawMessage{schema}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, m := range localRef.FindAllSubmatch(s, -1) {
			name := string(m[1])
			if need[name] {
				continue
			}
			def, ok := get(src.defs, name)
			if !ok {
				return nil, fmt.Errorf("$ref to unknown shared schema %q (not in data/defs.json)", name)
			}
			need[name] = true
			queue = append(queue, def)
		}
	}
	var out []member
	for _, d := range src.defs {
		if need[d.key] {
			out = append(out, d)
		}
	}
	return out, nil
}

// variables expands variable specs into variables.
func (src *builtinSource) variables(specs []varSpec) ([]Variable, error) {
	var out []Variable
	for _, s := range specs {
		if s.Use == "" {
			out = append(out, Variable{Name: s.Name, Path: s.Path, Description: s.Description})
			continue
		}
		set, ok := src.varSets[s.Use]
		if !ok {
			return nil, fmt.Errorf("variables: unknown variable set %q", s.Use)
		}
		for _, v := range set {
			out = append(out, Variable{
				Name:        "@" + s.Prefix + "_" + v.Name,
				Path:        s.At + v.Path,
				Description: strings.ReplaceAll(v.Description, "{noun}", s.Noun),
			})
		}
	}
	return out, nil
}

// mustMarshal marshals values that cannot fail to marshal (strings).
func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("catalog: marshal %T: %v", v, err))
	}
	return b
}
