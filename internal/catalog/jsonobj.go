package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// member is one key/value pair of a JSON object. Objects are handled as
// ordered member lists, not maps, so that the schemas and examples keep the
// key order of the data files: readable in the API and in docs/EVENTS.md.
type member struct {
	key   string
	value json.RawMessage
}

// members returns the members of the JSON object raw, in document order.
func members(raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var ms []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v is not a string", tok)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, err)
		}
		ms = append(ms, member{key: key, value: v})
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, err
	}
	return ms, nil
}

// encodeMembers renders members as a compact JSON object.
func encodeMembers(ms []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key) // marshalling a string cannot fail
		b.Write(k)
		b.WriteByte(':')
		if err := json.Compact(&b, m.value); err != nil {
			// Values come from members or json.Marshal, so they are valid;
			// write them as they are rather than lose them.
			b.Write(m.value)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// get returns the value of key, if present.
func get(ms []member, key string) (json.RawMessage, bool) {
	for _, m := range ms {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// set replaces the value of key in place, or appends it.
func set(ms []member, key string, value json.RawMessage) []member {
	for i := range ms {
		if ms[i].key == key {
			ms[i].value = value
			return ms
		}
	}
	return append(ms, member{key: key, value: value})
}

// isObject reports whether raw is a JSON object.
func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{'
}

// mergePatch applies the JSON Merge Patch (RFC 7396) patch to target,
// keeping target's key order and appending new keys in patch order. Action
// examples are written as patches over their entity's example.
func mergePatch(target, patch json.RawMessage) (json.RawMessage, error) {
	if !isObject(patch) {
		return patch, nil
	}
	var tm []member
	if isObject(target) {
		var err error
		if tm, err = members(target); err != nil {
			return nil, err
		}
	}
	pm, err := members(patch)
	if err != nil {
		return nil, err
	}
	for _, p := range pm {
		if string(bytes.TrimSpace(p.value)) == "null" {
			tm = remove(tm, p.key)
			continue
		}
		old, _ := get(tm, p.key)
		merged, err := mergePatch(old, p.value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.key, err)
		}
		tm = set(tm, p.key, merged)
	}
	return encodeMembers(tm), nil
}

// remove deletes key from ms.
func remove(ms []member, key string) []member {
	out := ms[:0]
	for _, m := range ms {
		if m.key != key {
			out = append(out, m)
		}
	}
	return out
}
