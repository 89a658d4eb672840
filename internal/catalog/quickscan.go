package catalog

import (
	"bytes"
	"encoding/json"
)

// The quick path's JSON scanner: strict (RFC 8259), reading in place.

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
