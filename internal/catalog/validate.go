package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Validate checks data against the schema of the event type t. An unknown
// type is an EINVALID error on field "type" that suggests the closest known
// types; data that breaks the schema is an EINVALID error whose field is
// "data" plus the JSON Pointer of the offending value ("data/user/email")
// and whose message names the rule it broke.
func (c *Catalog) Validate(t string, data json.RawMessage) error {
	e, ok := c.types[t]
	if !ok {
		return c.unknownType(t)
	}
	return e.validate(data)
}

// validate checks data against the entry's schema.
func (e *entry) validate(data json.RawMessage) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return domain.FieldErrorf("data", "is required")
	}
	if e.quick != nil && e.quick.valid(data) {
		return nil
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return domain.FieldErrorf("data", "is not valid JSON: %v", err)
	}
	err = e.schema.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("catalog: validate %s: %w", e.et.Type, err)
	}
	p := firstProblem(ve)
	return domain.FieldErrorf("data"+p.pointer, "%s", p.message)
}

// problem is one broken rule, at a JSON Pointer of the instance.
type problem struct {
	pointer string // "" for the root, else "/user/email"
	message string
}

// firstProblem reduces a validation error tree to one actionable problem.
// The library reports a tree (e.g. $ref → properties → format) in an order
// that follows map iteration, so the leaves are collected and the one with
// the smallest pointer wins: the same input always gets the same answer.
func firstProblem(ve *jsonschema.ValidationError) problem {
	var leaves []problem
	var walk func(*jsonschema.ValidationError)
	walk = func(v *jsonschema.ValidationError) {
		if len(v.Causes) == 0 {
			leaves = append(leaves, describe(v))
			return
		}
		for _, c := range v.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.SliceStable(leaves, func(i, j int) bool {
		if leaves[i].pointer != leaves[j].pointer {
			return leaves[i].pointer < leaves[j].pointer
		}
		return leaves[i].message < leaves[j].message
	})
	return leaves[0]
}

// describe turns one leaf of the error tree into a pointer and a message
// that says which rule was broken, in words an admin understands.
func describe(v *jsonschema.ValidationError) problem {
	loc := v.InstanceLocation
	var msg string
	switch k := v.ErrorKind.(type) {
	case *kind.Required:
		loc = append(slices.Clone(loc), k.Missing[0])
		msg = "is required"
	case *kind.DependentRequired:
		loc = append(slices.Clone(loc), k.Missing[0])
		msg = fmt.Sprintf("is required when %q is present", k.Prop)
	case *kind.Dependency:
		loc = append(slices.Clone(loc), k.Missing[0])
		msg = fmt.Sprintf("is required when %q is present", k.Prop)
	case *kind.AdditionalProperties:
		loc = append(slices.Clone(loc), k.Properties[0])
		msg = "is not an allowed property"
	case *kind.Format:
		msg = fmt.Sprintf("%s is not a valid %s", show(k.Got), formatName(k.Want))
	case *kind.Type:
		msg = fmt.Sprintf("must be %s, not %s", orList(k.Want), withArticle(k.Got))
	case *kind.Enum:
		var want []string
		for _, w := range k.Want {
			want = append(want, show(w))
		}
		msg = fmt.Sprintf("%s is not one of %s", show(k.Got), strings.Join(want, ", "))
	case *kind.Const:
		msg = fmt.Sprintf("must be %s", show(k.Want))
	case *kind.MinLength:
		msg = fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.MaxLength:
		msg = fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.Pattern:
		msg = fmt.Sprintf("%s does not match the pattern %s", show(k.Got), k.Want)
	case *kind.Minimum:
		msg = fmt.Sprintf("must be at least %s, not %s", rat(k.Want), rat(k.Got))
	case *kind.Maximum:
		msg = fmt.Sprintf("must be at most %s, not %s", rat(k.Want), rat(k.Got))
	case *kind.ExclusiveMinimum:
		msg = fmt.Sprintf("must be greater than %s, not %s", rat(k.Want), rat(k.Got))
	case *kind.ExclusiveMaximum:
		msg = fmt.Sprintf("must be less than %s, not %s", rat(k.Want), rat(k.Got))
	case *kind.MultipleOf:
		msg = fmt.Sprintf("must be a multiple of %s, not %s", rat(k.Want), rat(k.Got))
	case *kind.MinItems:
		msg = fmt.Sprintf("must have at least %d items, not %d", k.Want, k.Got)
	case *kind.MaxItems:
		msg = fmt.Sprintf("must have at most %d items, not %d", k.Want, k.Got)
	case *kind.UniqueItems:
		msg = fmt.Sprintf("must not repeat items (items %d and %d are equal)", k.Duplicates[0], k.Duplicates[1])
	case *kind.MinProperties:
		msg = fmt.Sprintf("must have at least %d properties, not %d", k.Want, k.Got)
	case *kind.MaxProperties:
		msg = fmt.Sprintf("must have at most %d properties, not %d", k.Want, k.Got)
	case *kind.FalseSchema:
		msg = "is not allowed"
	case *kind.OneOf:
		msg = "matches more than one of the allowed shapes (oneOf)"
	case *kind.Not:
		msg = "matches a shape that is not allowed (not)"
	default:
		msg = fmt.Sprintf("breaks the %q rule", strings.Join(v.ErrorKind.KeywordPath(), "/"))
	}
	return problem{pointer: pointer(loc), message: msg}
}

// pointer encodes instance location tokens as a JSON Pointer (RFC 6901).
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// maxShown bounds how much of an offending value a message repeats.
const maxShown = 60

// show renders a JSON value for a message: strings quoted, long values cut.
func show(v any) string {
	var s string
	switch v := v.(type) {
	case string:
		if len(v) > maxShown {
			v = v[:maxShown] + "…"
		}
		return strconv.Quote(v)
	case nil:
		return "null"
	case []any:
		s = "an array"
	case map[string]any:
		s = "an object"
	default:
		s = fmt.Sprint(v)
	}
	return s
}

// formatName names a JSON Schema format in words.
func formatName(f string) string {
	switch f {
	case "date-time":
		return "RFC 3339 date-time (e.g. \"2025-03-14T09:26:53Z\")"
	case "date":
		return "date (YYYY-MM-DD)"
	case "uri":
		return "absolute URI"
	case "uuid":
		return "UUID"
	default:
		return f
	}
}

// withArticle prefixes a JSON type name with its article.
func withArticle(t string) string {
	switch t {
	case "null":
		return "null"
	case "object", "array", "integer":
		return "an " + t
	default:
		return "a " + t
	}
}

// orList renders ["string", "null"] as "a string or null".
func orList(types []string) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = withArticle(t)
	}
	return strings.Join(parts, " or ")
}

// rat renders a number exactly when it is an integer, else as a decimal.
func rat(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}
