package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

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
	return body, nil
}

// decodeStrict decodes one JSON object from data into v and turns every
// decoding failure into a *domain.Error that says what and where:
// malformed JSON is EMALFORMED with the byte offset, an unknown field or a
// value of the wrong type is EINVALID on that field. prefix is put in front
// of field names ("events[3].") when data is part of a larger document.
func decodeStrict(data []byte, v any, prefix string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, prefix)
	}
	// One object, nothing after it: trailing data usually means two bodies
	// were concatenated by mistake.
	if _, err := dec.Token(); err != io.EOF {
		return domain.Errorf(domain.EMALFORMED, "unexpected data after the JSON object at byte offset %d", dec.InputOffset())
	}
	return nil
}

// decodeError translates an encoding/json error.
func decodeError(err error, prefix string) error {
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
		return domain.FieldErrorf(prefix+typ.Field, "must be %s, not %s", jsonKind(typ.Type.Kind().String()), article(typ.Value))
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
