package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// readJSON reads r's body, at most limit bytes, and decodes it strictly into
// v (see decodeStrict). The whole body is read before decoding so that an
// oversized body is always a 413, never a confusing syntax error.
func readJSON(r *http.Request, limit int64, v any) error {
	body, err := readBody(r, limit)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return domain.Errorf(domain.EMALFORMED, "the request body is empty; send a JSON object")
	}
	return decodeStrict(body, v, "")
}

// readOptionalJSON is readJSON for bodies that may be absent: an empty body
// leaves v as it is.
func readOptionalJSON(r *http.Request, limit int64, v any) error {
	body, err := readBody(r, limit)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return decodeStrict(body, v, "")
}

// readBody reads at most limit bytes of r's body; ETOOLARGE beyond.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, domain.Errorf(domain.EMALFORMED, "cannot read the request body: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, domain.Errorf(domain.ETOOLARGE, "the request body is larger than the limit of %d bytes", limit)
	}
	// JSON is UTF-8 (RFC 8259). Bytes that are not would be stored as
	// they came and refused by PostgreSQL, or sent on to receivers.
	if !utf8.Valid(body) {
		return nil, domain.Errorf(domain.EMALFORMED, "the request body is not valid UTF-8 (first invalid byte at offset %d)", invalidUTF8At(body))
	}
	return body, nil
}

// invalidUTF8At returns the offset of the first byte of b that is not
// part of a valid UTF-8 sequence, or len(b).
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// decodeStrict decodes one JSON object from data into v and turns every
// decoding failure into a *domain.Error that says what and where:
// malformed JSON is EMALFORMED with the byte offset, an unknown field (its
// name matched exactly, see checkExact), a field given twice, null or a
// value of the wrong type is EINVALID on that field. prefix is put in
// front of field names ("events[3].") when data is part of a larger
// document. Every request body is decoded here, so every route is as
// strict.
func decodeStrict(data []byte, v any, prefix string) error {
	if err := checkExact(data, reflect.TypeOf(v), strings.TrimSuffix(prefix, ".")); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, prefix, reflect.TypeOf(v))
	}
	// One object, nothing after it: trailing data usually means two bodies
	// were concatenated by mistake.
	if _, err := dec.Token(); err != io.EOF {
		return domain.Errorf(domain.EMALFORMED, "unexpected data after the JSON object at byte offset %d", dec.InputOffset())
	}
	return checkText(reflect.ValueOf(v), strings.TrimSuffix(prefix, "."))
}

// checkText refuses NUL characters in the strings of a decoded request.
// JSON allows "\u0000", but PostgreSQL's text and jsonb cannot hold it, so
// letting it through would turn a client's mistake into a 500 there (and
// a NUL in a name or header is a mistake everywhere). path is v's field
// path for the error ("" at the top). Raw JSON values (json.RawMessage,
// such as event data) are left to whoever interprets them.
func checkText(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkText(v.Elem(), path)
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return domain.FieldErrorf(path, "must not contain NUL characters (\\u0000)")
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				// An embedded struct lends its fields, as in encoding/json.
				if err := checkText(v.Field(i), path); err != nil {
					return err
				}
				continue
			}
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if err := checkText(v.Field(i), joinPath(path, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw JSON or bytes, not text
		}
		for i := range v.Len() {
			if err := checkText(v.Index(i), fieldAt(path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String && strings.IndexByte(k.String(), 0) >= 0 {
				return domain.FieldErrorf(path, "must not have a key with NUL characters (\\u0000)")
			}
			if err := checkText(iter.Value(), joinPath(path, fmt.Sprint(k.Interface()))); err != nil {
				return err
			}
		}
	}
	return nil
}

// joinPath names field name of the value at path: "headers" + "X-A" is
// "headers.X-A".
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// decodeError translates an encoding/json error.
func decodeError(err error, prefix string, t reflect.Type) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return domain.Errorf(domain.EMALFORMED, "malformed JSON at byte offset %d: %s", syntax.Offset, syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return domain.Errorf(domain.EMALFORMED, "malformed JSON: the body ends before the JSON value is complete")
	case errors.As(err, &typ):
		if typ.Field == "" {
			if prefix != "" {
				return domain.FieldErrorf(strings.TrimSuffix(prefix, "."), "must be %s, not %s", jsonKind(typ.Type.Kind().String()), article(typ.Value))
			}
			return domain.Errorf(domain.EMALFORMED, "the request body must be a JSON object, not %s", article(typ.Value))
		}
		return domain.FieldErrorf(prefix+withoutEmbedded(t, typ.Field), "must be %s, not %s", jsonKind(typ.Type.Kind().String()), article(typ.Value))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return domain.FieldErrorf(prefix+name, "is not a known field")
	}
	// A field's own UnmarshalJSON failed; its message is ours and safe.
	var de *domain.Error
	if errors.As(err, &de) {
		return de
	}
	return domain.Errorf(domain.EMALFORMED, "malformed JSON: %v", err)
}

// withoutEmbedded drops from a decoder's field path ("testInput.data")
// the names of the structs that t embeds: they lend their fields and have
// no JSON name of their own.
func withoutEmbedded(t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return path
	}
	first, rest, ok := strings.Cut(path, ".")
	if f, found := t.FieldByName(first); ok && found && f.Anonymous && f.Tag.Get("json") == "" {
		return withoutEmbedded(f.Type, rest)
	}
	return path
}

// jsonKind names a Go kind the way a JSON user thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	}
	return "a different type"
}

// article puts "a"/"an" before encoding/json's value descriptions
// ("number", "string", "array", "object", "bool", "number 1.5").
func article(v string) string {
	if v == "" {
		return "this value"
	}
	if strings.ContainsRune("aeiou", rune(v[0])) {
		return "an " + v
	}
	return "a " + v
}

// fieldAt returns "prefix[i]" for error fields of list elements.
func fieldAt(prefix string, i int) string { return fmt.Sprintf("%s[%d]", prefix, i) }
