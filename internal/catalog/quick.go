package catalog

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strconv"
)

// quick is a schema compiled for the publish path: it reads an instance's
// raw JSON in one pass, building nothing, and answers "valid" only when the
// full validator (jsonschema) would agree. Anything it is not sure of (a
// value breaking a rule, a number at a bound it cannot compare exactly, a
// keyword it does not know) is "not sure", and the full validator then
// decides and words the error. So every answer and every message stays the
// library's; only valid events, nearly all of them, skip the decode into
// maps and the library's bookkeeping.
//
// It knows the keywords of the builtin catalog (draft 2020-12 only); a
// schema using any other keyword gets no quick form (compileQuick returns
// nil) and always takes the full path.
type quick struct {
	// always and never are the boolean schemas true and false.
	always, never bool
	// types is a set of typeBits; 0 means any type.
	types uint8
	// ref is the "$ref" target, checked besides the node's own rules.
	ref *quick
	// props and additional apply to objects; additional nil means any.
	props      map[string]*quick
	additional *quick
	required   []string
	// items applies to every element of an array; nil means any.
	items *quick
	// enum, when hasEnum, lists the allowed strings, booleans and null.
	hasEnum bool
	enum    []any
	// format checks strings; nil means none.
	format func([]byte) bool
	// minLength is -1 when absent.
	minLength int
	// minimum and maximum are nil when absent.
	minimum, maximum *bound
}

// The JSON types a quick schema tells apart.
const (
	typeNull uint8 = 1 << iota
	typeBoolean
	typeObject
	typeArray
	typeNumber // includes integers
	typeInteger
	typeString
)

var typeBits = map[string]uint8{
	"null": typeNull, "boolean": typeBoolean, "object": typeObject, "array": typeArray,
	"number": typeNumber | typeInteger, "integer": typeInteger, "string": typeString,
}

// annotations are keywords that assert nothing.
var annotations = map[string]bool{
	"title": true, "description": true, "$comment": true, "examples": true,
	"default": true, "deprecated": true, "readOnly": true, "writeOnly": true,
	"$defs": true,
}

// draft2020 is the only "$schema" a quick schema accepts: other drafts give
// keywords other meanings (a "$ref" hiding its siblings, for one).
const draft2020 = "https://json-schema.org/draft/2020-12/schema"

// quickCompiler compiles one schema document.
type quickCompiler struct {
	defs    map[string]any    // the root's "$defs"
	done    map[string]*quick // compiled defs, by name, so that refs may cycle
	formats map[string]func([]byte) bool
}

// compileQuick returns the quick form of the schema document raw, or nil
// when it uses anything quick does not know.
func compileQuick(raw json.RawMessage) *quick {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil
	}
	qc := &quickCompiler{done: map[string]*quick{}, formats: map[string]func([]byte) bool{}}
	if m, ok := doc.(map[string]any); ok {
		if s, has := m["$schema"]; has && s != draft2020 {
			return nil
		}
		if d, has := m["$defs"]; has {
			if qc.defs, ok = d.(map[string]any); !ok {
				return nil
			}
		}
	}
	q, err := qc.compile(doc, true)
	if err != nil {
		return nil
	}
	return q
}

// errUnsupported tells compileQuick to give up on a schema.
var errUnsupported = errors.New("not supported by the quick path")

func (qc *quickCompiler) compile(v any, root bool) (*quick, error) {
	switch v := v.(type) {
	case bool:
		return &quick{always: v, never: !v}, nil
	case map[string]any:
		q := &quick{minLength: -1}
		for k, x := range v {
			if err := qc.keyword(q, k, x, root); err != nil {
				return nil, err
			}
		}
		if q.ref != nil && q.isBare() {
			return q.ref, nil
		}
		return q, nil
	}
	return nil, errUnsupported
}

// isBare reports whether q asserts nothing of its own.
func (q *quick) isBare() bool {
	return !q.always && !q.never && q.types == 0 && q.props == nil && q.additional == nil &&
		q.required == nil && q.items == nil && !q.hasEnum && q.format == nil && q.minLength < 0 &&
		q.minimum == nil && q.maximum == nil
}

func (qc *quickCompiler) keyword(q *quick, k string, x any, root bool) error {
	var err error
	switch k {
	case "$schema":
		if !root {
			return errUnsupported
		}
	case "type":
		switch x := x.(type) {
		case string:
			q.types = typeBits[x]
		case []any:
			for _, t := range x {
				s, _ := t.(string)
				q.types |= typeBits[s]
			}
		}
		if q.types == 0 {
			return errUnsupported
		}
	case "properties":
		m, ok := x.(map[string]any)
		if !ok {
			return errUnsupported
		}
		q.props = make(map[string]*quick, len(m))
		for name, s := range m {
			if q.props[name], err = qc.compile(s, false); err != nil {
				return err
			}
		}
	case "additionalProperties":
		q.additional, err = qc.compile(x, false)
	case "items":
		q.items, err = qc.compile(x, false)
	case "required":
		list, ok := x.([]any)
		if !ok || len(list) > 64 {
			return errUnsupported
		}
		q.required = make([]string, 0, len(list))
		for _, r := range list {
			s, ok := r.(string)
			if !ok {
				return errUnsupported
			}
			q.required = append(q.required, s)
		}
	case "enum":
		list, ok := x.([]any)
		if !ok {
			return errUnsupported
		}
		for _, e := range list {
			switch e.(type) {
			case string, bool, nil:
			default:
				return errUnsupported // numbers compare by value, objects deeply
			}
		}
		q.hasEnum, q.enum = true, list
	case "format":
		s, ok := x.(string)
		if !ok {
			return errUnsupported
		}
		q.format, err = qc.formatCheck(s)
	case "minLength":
		n, ok := x.(json.Number)
		if !ok {
			return errUnsupported
		}
		i, err := strconv.Atoi(string(n))
		if err != nil || i < 0 {
			return errUnsupported
		}
		q.minLength = i
	case "minimum", "maximum":
		n, ok := x.(json.Number)
		if !ok {
			return errUnsupported
		}
		b, ok := newBound(string(n))
		if !ok {
			return errUnsupported
		}
		if k == "minimum" {
			q.minimum = b
		} else {
			q.maximum = b
		}
	case "$ref":
		s, _ := x.(string)
		q.ref, err = qc.def(s)
	default:
		if !annotations[k] {
			return errUnsupported
		}
	}
	return err
}

// def compiles the target of ref, which must be "#/$defs/<name>" with a
// plain name.
func (qc *quickCompiler) def(ref string) (*quick, error) {
	name, ok := bytes.CutPrefix([]byte(ref), []byte("#/$defs/"))
	if !ok || len(name) == 0 {
		return nil, errUnsupported
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return nil, errUnsupported // would need unescaping
		}
	}
	if q, ok := qc.done[string(name)]; ok {
		return q, nil
	}
	s, ok := qc.defs[string(name)]
	if !ok {
		return nil, errUnsupported
	}
	// Placeholder first, so that a def referring to itself finds it; a
	// def that is only a "$ref" is not collapsed here, for the same reason.
	q := &quick{minLength: -1}
	qc.done[string(name)] = q
	c, err := qc.compile(s, false)
	if err != nil {
		return nil, err
	}
	*q = *c
	return q, nil
}

// formatCheck returns a check of format name: native for the formats
// events use most (each accepting a subset of what the library accepts),
// the library's own for the others.
func (qc *quickCompiler) formatCheck(name string) (func([]byte) bool, error) {
	switch name {
	case "date-time":
		return isDateTime, nil
	case "email":
		return isPlainEmail, nil
	}
	if f, ok := qc.formats[name]; ok {
		return f, nil
	}
	c := newCompiler()
	url := "urn:lmshooks:format:" + name
	sch, err := compile(c, url, json.RawMessage(`{"format":`+strconv.Quote(name)+`}`))
	if err != nil {
		return nil, errUnsupported
	}
	f := func(s []byte) bool { return sch.Validate(string(s)) == nil }
	qc.formats[name] = f
	return f, nil
}

// bound is a "minimum" or "maximum", kept in the forms the quick path
// compares exactly: an int64 and a float64, each when it holds the bound
// exactly.
type bound struct {
	i       int64
	isInt   bool
	f       float64
	isFloat bool
}

func newBound(lit string) (*bound, bool) {
	r, ok := new(big.Rat).SetString(lit)
	if !ok {
		return nil, false
	}
	b := &bound{}
	if r.IsInt() && r.Num().IsInt64() {
		b.i, b.isInt = r.Num().Int64(), true
	}
	if f, exact := r.Float64(); exact && !math.IsInf(f, 0) {
		b.f, b.isFloat = f, true
	}
	return b, b.isInt || b.isFloat
}

// cmp compares the JSON number lit with b: -1, 0 or 1, and false when it
// cannot tell exactly (the full validator then decides).
func (b *bound) cmp(lit []byte) (int, bool) {
	if v, ok := plainInt(lit); ok {
		switch {
		case b.isInt:
			return cmp.Compare(v, b.i), true
		case b.isFloat && v > -1<<53 && v < 1<<53: // exact as a float64
			return cmp.Compare(float64(v), b.f), true
		}
		return 0, false
	}
	if !b.isFloat {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return 0, false
	}
	// Rounding to the nearest float64 keeps order, so a rounded value on
	// one side of the (exact) bound is on that side before rounding too;
	// equal says nothing.
	c := cmp.Compare(f, b.f)
	return c, c != 0
}

// plainInt parses a JSON number without fraction or exponent, of at most
// 18 digits (so it fits an int64).
func plainInt(lit []byte) (int64, bool) {
	neg := len(lit) > 0 && lit[0] == '-'
	digits := lit
	if neg {
		digits = lit[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
