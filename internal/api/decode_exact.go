package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/rawjson"
)

// rawJSON is the type of the fields whose JSON is read by the code that
// takes them (event data, basic_auth, format_options…): null and any keys
// are theirs to judge.
var rawJSON = reflect.TypeFor[json.RawMessage]()

// checkExact refuses what encoding/json lets through although the API
// documents it as an error: a key that matches a field only when case is
// ignored ({"Type": …}; encoding/json matches names case-insensitively, so
// with "type" and "TYPE" the later would silently win), a key given twice,
// and null for a field that is not raw JSON (leave a field out to keep
// it). t is the Go type data is decoded into; path is data's field path
// ("" for the body). Malformed JSON is left to the decoder, which says
// where it breaks.
func checkExact(data []byte, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawJSON || t.Kind() == reflect.Interface {
		return nil
	}
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nullError(t, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := jsonFields(t)
		return eachMember(data, path, func(key string, value []byte) error {
			f, ok := fields[key]
			if !ok {
				return unknownField(fields, key, joinPath(path, key))
			}
			return checkExact(value, f, joinPath(path, key))
		})
	case reflect.Map:
		return eachMember(data, path, func(key string, value []byte) error {
			return checkExact(value, t.Elem(), joinPath(path, key))
		})
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 || !needsCheck(t.Elem()) {
			return nil
		}
		return eachElement(data, func(i int, value []byte) error {
			return checkExact(value, t.Elem(), fieldAt(path, i))
		})
	}
	return nil
}

// needsCheck says whether values of t can break a rule of checkExact: raw
// JSON elements (a batch's events) are checked by whoever decodes them, so
// a list of them need not be read twice.
func needsCheck(t reflect.Type) bool {
	return t != rawJSON && t.Kind() != reflect.Interface
}

// nullError says that null is no value for a field of type t (or for the
// body, at path "").
func nullError(t reflect.Type, path string) error {
	if path == "" {
		return domain.Errorf(domain.EMALFORMED, "the request body must be a JSON object, not null")
	}
	return domain.FieldErrorf(path, "must be %s, not null: leave the field out instead", jsonKind(t.Kind().String()))
}

// unknownField names a key that is no field, and the field it was
// probably meant to be when only its case differs.
func unknownField(fields map[string]reflect.Type, key, path string) error {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return domain.FieldErrorf(path, "is not a known field: field names are case-sensitive, did you mean %q?", name)
		}
	}
	return domain.FieldErrorf(path, "is not a known field")
}

// eachMember calls fn with each key and raw value of the JSON object data,
// in order, and refuses a key given twice. Data that is not an object, or
// not well-formed, is left to the decoder, which runs next and says where
// it breaks: this scan only finds where values end, without decoding them,
// so that large event data costs little more than one pass over its bytes.
func eachMember(data []byte, path string, fn func(key string, value []byte) error) error {
	var seen map[string]bool
	for key, value := range rawjson.Members(data) {
		if seen[key] {
			return domain.FieldErrorf(joinPath(path, key), "is given more than once")
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[key] = true
		if err := fn(key, value); err != nil {
			return err
		}
	}
	return nil
}

// eachElement calls fn with each raw element of the JSON array data (see
// eachMember).
func eachElement(data []byte, fn func(i int, value []byte) error) error {
	for i, value := range rawjson.Elements(data) {
		if err := fn(i, value); err != nil {
			return err
		}
	}
	return nil
}

// fieldTypes caches jsonFields per struct type.
var fieldTypes sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields returns the JSON names of t's fields, exactly as encoding/json
// writes them, with their types; embedded structs without a name of their
// own lend theirs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldTypes.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			for name, ft := range jsonFields(f.Type) {
				out[name] = ft
			}
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out[tag] = f.Type
	}
	fieldTypes.Store(t, out)
	return out
}
