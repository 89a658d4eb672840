package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// WithStrictDecoding makes the client check every answer against the type
// it is decoded into, both ways: the answer holds no field the type lacks
// (a field the server added and the client misses), and it holds every
// field the type says is always present (no omitzero), at every depth.
func WithStrictDecoding() Option { return func(c *Client) { c.check = checkAnswer } }

func checkAnswer(raw []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	fresh := reflect.New(reflect.TypeOf(out).Elem()).Interface()
	if err := dec.Decode(fresh); err != nil {
		return err
	}
	if missing := missingFields(reflect.TypeOf(out).Elem(), raw, ""); len(missing) > 0 {
		return fmt.Errorf("the answer lacks fields its type says are always present: %s", strings.Join(missing, ", "))
	}
	return nil
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// missingFields lists the paths of the fields of t, without omitzero or
// omitempty, that raw (a JSON value of type t) lacks.
func missingFields(t reflect.Type, raw json.RawMessage, path string) []string {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == rawMessageType || t == reflect.TypeFor[time.Time]() || t == reflect.TypeFor[HeaderValue]():
		// Opaque to this check: their own UnmarshalJSON reads them.
		return nil
	case t.Kind() == reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return []string{path + " (not an array)"}
		}
		var out []string
		for i, it := range items {
			out = append(out, missingFields(t.Elem(), it, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case t.Kind() == reflect.Map:
		var items map[string]json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return []string{path + " (not an object)"}
		}
		var out []string
		for k, it := range items {
			out = append(out, missingFields(t.Elem(), it, path+"."+k)...)
		}
		return out
	case t.Kind() == reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return []string{path + " (not an object)"}
		}
		return missingStructFields(t, obj, path)
	}
	return nil
}

func missingStructFields(t reflect.Type, obj map[string]json.RawMessage, path string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, missingStructFields(f.Type, obj, path)...)
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		v, ok := obj[name]
		if !ok {
			if !strings.Contains(opts, "omitzero") && !strings.Contains(opts, "omitempty") {
				out = append(out, strings.TrimPrefix(path+"."+name, "."))
			}
			continue
		}
		out = append(out, missingFields(f.Type, v, path+"."+name)...)
	}
	return out
}
