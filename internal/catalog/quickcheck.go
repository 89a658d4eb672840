package catalog

import (
	"bytes"
	"unicode/utf8"
)

// The quick path's walk of an instance against a compiled quick schema.

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
