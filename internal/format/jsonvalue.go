package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lmshooks/lmshooks/internal/rawjson"
)

// Vendor formats reshape the event's data, so they work on a decoded
// value rather than on bytes. The value model keeps what matters on the
// wire: object keys keep their order (vendor samples have a fixed key
// order, and seed 001's receivers re-serialize the body they parsed) and
// numbers keep their text (json.Number).
//
// A value is nil, bool, string, json.Number, obj or []any.

// obj is a JSON object whose keys keep their order.
type obj []member

// member is one key and value of an obj.
type member struct {
	k string
	v any
}

// set appends k: v, or replaces the value of an existing k in place.
func (o obj) set(k string, v any) obj {
	for i := range o {
		if o[i].k == k {
			o[i].v = v
			return o
		}
	}
	return append(o, member{k, v})
}

// get returns the value of k, nil when absent.
func (o obj) get(k string) any {
	for _, m := range o {
		if m.k == k {
			return m.v
		}
	}
	return nil
}

// parseValue decodes JSON into the value model.
func parseValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseNext(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// parseObject decodes a JSON object; anything else is an error.
func parseObject(data []byte) (obj, error) {
	v, err := parseValue(data)
	if err != nil {
		return nil, err
	}
	o, ok := v.(obj)
	if !ok {
		return nil, errors.New("data is not a JSON object")
	}
	return o, nil
}

func parseNext(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := obj{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseNext(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, member{kt.(string), v})
			}
			_, err := dec.Token() // '}'
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := parseNext(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token() // ']'
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil // nil, bool, string, json.Number
	}
}

// marshal encodes v compactly, exactly as JavaScript's JSON.stringify
// writes the same value: keys in order, no HTML escaping, only '"', '\\'
// and control characters escaped, numbers in JavaScript's shortest form.
// A receiver that re-serializes the parsed body (seed 001's verification
// sample does) therefore gets these very bytes back.
func marshal(v any) []byte {
	return appendValue(nil, v)
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		return appendJSString(b, x)
	case json.Number:
		return appendJSNumber(b, string(x))
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case float64:
		return appendJSFloat(b, x)
	case obj:
		b = append(b, '{')
		for i, m := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSString(b, m.k)
			b = append(b, ':')
			b = appendValue(b, m.v)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSString(b, e)
		}
		return append(b, ']')
	case json.RawMessage:
		// Verbatim bytes (event data passed through untouched).
		return append(b, x...)
	default:
		panic(fmt.Sprintf("format: cannot encode %T", v))
	}
}

// appendJSString writes s as JSON.stringify does: '"' and '\\' escaped,
// \b \f \n \r \t by name, other control characters as \u00xx, everything
// else (including <, >, &, U+2028 and non-ASCII) verbatim. Invalid UTF-8
// becomes U+FFFD, as decoding would have made it.
func appendJSString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}

// appendJSNumber writes a JSON number literal as JavaScript prints the
// number it denotes ("1.50" → "1.5", "1e2" → "100", "-0" → "0"). Short
// integers, the common case, are copied as they are.
func appendJSNumber(b []byte, lit string) []byte {
	if len(lit) <= 15 && !strings.ContainsAny(lit, ".eE") && lit != "-0" {
		return append(b, lit...)
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return append(b, lit...) // out of float range: keep the text
	}
	return appendJSFloat(b, f)
}

// appendJSFloat writes f as JavaScript's Number.prototype.toString does
// for finite numbers: plain digits from 1e-6 up to 1e21, else the
// shortest exponent form without exponent padding ("1e+21", "1e-7").
func appendJSFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == 0 {
		return append(b, '0')
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // "1e+21", "1.5e-07"
	mant, exp, _ := strings.Cut(e, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	b = append(b, mant...)
	b = append(b, 'e', sign)
	return append(b, exp...)
}

// at returns the value at a JSON Pointer (RFC 6901) below v, nil when any
// step is missing. "" is v itself.
func at(v any, pointer string) any {
	if pointer == "" {
		return v
	}
	if pointer[0] != '/' {
		return nil
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case obj:
			v = x.get(tok)
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// textAt renders the value at a JSON Pointer below the JSON data as a
// template shows it, in the spelling the data has: strings as their text,
// numbers and booleans as written ("1.0" stays "1.0"), objects and arrays
// as their compact JSON with numbers and escapes untouched (not
// re-serialized, as text would), null and absent as "". "" is data itself.
func textAt(data json.RawMessage, pointer string) string {
	raw, ok := rawjson.Lookup(data, pointer)
	if !ok {
		return ""
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			return ""
		}
		return b.String()
	}
	v, err := parseValue(raw)
	if err != nil {
		return ""
	}
	return text(v)
}

// path returns the value under the keys, nil when any is missing.
func path(v any, keys ...string) any {
	for _, k := range keys {
		o, ok := v.(obj)
		if !ok {
			return nil
		}
		v = o.get(k)
	}
	return v
}

// str returns v when it is a string, "" otherwise.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// orNil returns v, or nil for an absent or empty string.
func orNil(v any) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

// text renders a scalar as form or template text: strings as they are,
// numbers as written, booleans as true/false, null and absent as "", and
// objects and arrays as compact JSON.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return string(x)
	default:
		return string(marshal(v))
	}
}

// firstOf returns the first non-nil value.
func firstOf(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
