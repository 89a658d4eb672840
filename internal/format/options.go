package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"slices"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// decodeOptions decodes a webhook's format_options into dst (a pointer to
// the format's options struct, already holding the defaults). Absent, null
// and {} keep the defaults. Unknown names and wrong types are EINVALID
// errors on "format_options.<name>" that list the format's options.
func decodeOptions(format string, raw json.RawMessage, dst any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '{' {
		return domain.FieldErrorf("format_options", "must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return domain.FieldErrorf("format_options", "must be a single JSON object")
		}
		if c, ok := dst.(interface{ checkContentType() error }); ok {
			return c.checkContentType()
		}
		return nil
	}
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ) && typ.Field != "":
		return domain.FieldErrorf("format_options."+typ.Field, "must be a JSON %s", jsonKind(typ.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		names := optionNames(dst)
		if len(names) == 0 {
			return domain.FieldErrorf("format_options."+name, "the %s format takes no options", format)
		}
		return domain.FieldErrorf("format_options."+name, "is not an option of the %s format: use %s", format, strings.Join(names, ", "))
	default:
		return domain.FieldErrorf("format_options", "is not a valid options object for the %s format: %v", format, err)
	}
}

// optionNames lists the JSON names of the fields of the struct dst points
// to, sorted, for error messages.
func optionNames(dst any) []string {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			names = append(names, optionNames(reflect.New(f.Type).Interface())...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "array"
	default:
		return "object"
	}
}

// contentTypeOption is the option every format has: content_type replaces
// the Content-Type the format sends, for receivers that insist on another
// one (application/json for a CloudEvents structured body, a charset
// parameter…). The body is the same; only the header changes.
type contentTypeOption struct {
	ContentType string `json:"content_type"`
}

// checkContentType validates content_type: empty (the format's own) or a
// media type, type/subtype with optional parameters, on one line (it
// becomes a header).
func (o contentTypeOption) checkContentType() error {
	if o.ContentType == "" {
		return nil
	}
	if strings.ContainsAny(o.ContentType, "\r\n") {
		return domain.FieldErrorf("format_options.content_type", "must be on one line")
	}
	mt, _, err := mime.ParseMediaType(o.ContentType)
	if typ, sub, ok := strings.Cut(mt, "/"); err != nil || !ok || typ == "" || sub == "" {
		return domain.FieldErrorf("format_options.content_type", "%q is not a media type such as \"application/json\"", o.ContentType)
	}
	return nil
}

// contentType returns content_type, or def, the format's own.
func (o contentTypeOption) contentType(def string) string {
	if o.ContentType != "" {
		return o.ContentType
	}
	return def
}

// commonOptions are the options every format that may carry Standard
// Webhooks headers shares.
type commonOptions struct {
	contentTypeOption
	// StandardWebhooks adds (true) or leaves out (false) the Standard
	// Webhooks headers webhook-id, webhook-timestamp and webhook-signature.
	// nil means the format's default.
	StandardWebhooks *bool `json:"standard_webhooks"`
}

// skipStandard reports whether the Standard Webhooks headers are left out,
// given the format's default.
func (o commonOptions) skipStandard(defaultOn bool) bool {
	if o.StandardWebhooks == nil {
		return !defaultOn
	}
	return !*o.StandardWebhooks
}

// oneOf checks that v is one of choices, for an option's value.
func oneOf(field, v string, choices ...string) error {
	if slices.Contains(choices, v) {
		return nil
	}
	return domain.FieldErrorf("format_options."+field, "%q is not allowed: use %s", v, quoteAll(choices))
}

// quoteAll renders choices as `"a", "b" or "c"`.
func quoteAll(choices []string) string {
	q := make([]string, len(choices))
	for i, c := range choices {
		q[i] = fmt.Sprintf("%q", c)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
