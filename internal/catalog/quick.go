package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
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
			return cmpInt(v, b.i), true
		case b.isFloat && v > -1<<53 && v < 1<<53: // exact as a float64
			return cmpFloat(float64(v), b.f), true
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
	c := cmpFloat(f, b.f)
	return c, c != 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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

// valid reports whether data, a whole JSON document, is surely valid.
func (q *quick) valid(data []byte) bool {
	s := scanner{b: data}
	if !q.check(&s, 0) {
		return false
	}
	s.space()
	return s.i == len(s.b)
}

// maxDepth bounds nesting on the quick path; deeper data takes the full one.
const maxDepth = 200

// check consumes one value and reports whether it surely satisfies q.
func (q *quick) check(s *scanner, depth int) bool {
	if depth > maxDepth {
		return false
	}
	s.space()
	if s.i >= len(s.b) {
		return false
	}
	if q == nil || q.always {
		return s.skip(depth)
	}
	if q.never {
		return false
	}
	if q.ref != nil {
		start := s.i
		if !q.ref.check(s, depth+1) {
			return false
		}
		s.i = start
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return q.typed(typeObject) && q.enumless() && q.object(s, depth)
	case c == '[':
		return q.typed(typeArray) && q.enumless() && q.array(s, depth)
	case c == '"':
		return q.typed(typeString) && q.str(s)
	case c == 't' || c == 'f':
		v := c == 't'
		return q.typed(typeBoolean) && s.literal() && (!q.hasEnum || q.inEnum(v))
	case c == 'n':
		return q.typed(typeNull) && s.literal() && (!q.hasEnum || q.inEnum(nil))
	default:
		return q.enumless() && q.number(s)
	}
}

func (q *quick) typed(t uint8) bool { return q.types == 0 || q.types&t != 0 }

// enumless reports whether an enum (of strings, booleans and null) leaves
// room for a value of another type: only when there is none.
func (q *quick) enumless() bool { return !q.hasEnum }

func (q *quick) inEnum(v any) bool {
	for _, e := range q.enum {
		if e == v {
			return true
		}
	}
	return false
}

func (q *quick) object(s *scanner, depth int) bool {
	s.i++ // '{'
	var seen uint64
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return q.allRequired(seen)
	}
	for {
		s.space()
		raw, escaped, ok := s.str()
		if !ok {
			return false
		}
		if !utf8.Valid(raw) {
			return false // decoded with replacement characters: leave it to the validator
		}
		key := raw
		if escaped {
			if key, ok = unquote(raw); !ok {
				return false
			}
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		sub, known := q.props[string(key)]
		if !known {
			sub = q.additional
		}
		if !sub.check(s, depth+1) {
			return false
		}
		for i, r := range q.required {
			if r == string(key) {
				seen |= 1 << i
			}
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return q.allRequired(seen)
		default:
			return false
		}
	}
}

func (q *quick) allRequired(seen uint64) bool {
	return seen == 1<<len(q.required)-1
}

func (q *quick) array(s *scanner, depth int) bool {
	s.i++ // '['
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	for {
		if !q.items.check(s, depth+1) {
			return false
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

func (q *quick) str(s *scanner) bool {
	raw, escaped, ok := s.str()
	if !ok {
		return false
	}
	if q.format == nil && q.minLength <= 0 && !q.hasEnum {
		return true
	}
	v := raw
	if escaped || !utf8.Valid(raw) {
		if v, ok = unquote(raw); !ok {
			return false
		}
	}
	if q.minLength > 0 && utf8.RuneCount(v) < q.minLength {
		return false
	}
	if q.hasEnum {
		found := false
		for _, e := range q.enum {
			if es, isStr := e.(string); isStr && es == string(v) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return q.format == nil || q.format(v)
}

func (q *quick) number(s *scanner) bool {
	lit, ok := s.number()
	if !ok {
		return false
	}
	if q.types != 0 && q.types&typeNumber == 0 {
		// Only "integer" allowed: sure only of plain integers (the library
		// also takes 1.0 and 1e2).
		if q.types&typeInteger == 0 || !isPlainInt(lit) {
			return false
		}
	}
	if q.minimum != nil {
		if c, sure := q.minimum.cmp(lit); !sure || c < 0 {
			return false
		}
	}
	if q.maximum != nil {
		if c, sure := q.maximum.cmp(lit); !sure || c > 0 {
			return false
		}
	}
	return true
}

// isPlainInt reports whether lit has neither fraction nor exponent.
func isPlainInt(lit []byte) bool {
	return bytes.IndexAny(lit, ".eE") < 0
}

// unquote decodes the contents of a JSON string as encoding/json does.
func unquote(raw []byte) ([]byte, bool) {
	q := make([]byte, 0, len(raw)+2)
	q = append(q, '"')
	q = append(q, raw...)
	q = append(q, '"')
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return nil, false
	}
	return []byte(s), true
}

// scanner reads JSON tokens from b, strictly (RFC 8259), at i.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str consumes a string and returns its raw contents (between the quotes)
// and whether they hold escapes.
func (s *scanner) str() (raw []byte, escaped, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false
	}
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return s.b[start:i], escaped, true
		case c == '\\':
			escaped = true
			i++
			if i >= len(s.b) {
				return nil, false, false
			}
			switch s.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.b) {
					return nil, false, false
				}
				for _, h := range s.b[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return nil, false, false
					}
				}
				i += 4
			default:
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		}
	}
	return nil, false, false
}

var literals = [][]byte{[]byte("true"), []byte("false"), []byte("null")}

// literal consumes true, false or null.
func (s *scanner) literal() bool {
	rest := s.b[s.i:]
	for _, l := range literals {
		if bytes.HasPrefix(rest, l) {
			s.i += len(l)
			return true
		}
	}
	return false
}

// number consumes a number and returns its text.
func (s *scanner) number() ([]byte, bool) {
	start, b := s.i, s.b
	i := s.i
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	s.i = i
	return b[start:i], true
}

// unconstrained is a schema without rules, to walk values nothing checks.
var unconstrained = &quick{minLength: -1}

// skip consumes any well-formed value.
func (s *scanner) skip(depth int) bool {
	switch s.b[s.i] {
	case '{':
		return unconstrained.object(s, depth)
	case '[':
		return unconstrained.array(s, depth)
	case '"':
		_, _, ok := s.str()
		return ok
	case 't', 'f', 'n':
		return s.literal()
	}
	_, ok := s.number()
	return ok
}
