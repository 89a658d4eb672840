package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/paths"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// The contract: every request the API's tests send and every answer they
// get is checked against the embedded OpenAPI document (openapi.json),
// through the one helper that sends requests (testEnv.send).
//
//   - An answer must be one the document describes for its operation: a
//     listed status, and a body that follows its schema with no property
//     the schema does not declare (see undeclared), so that a field added
//     to a wire type but not to the document fails.
//   - A request the document refuses must be refused by the server too
//     (4xx): the document may not be stricter than the server. A request
//     the document accepts may still fail a rule only the server knows
//     (a 409, an unknown event type).
//   - A request to a route the document lacks must get the API's 404 or
//     405, with the error body.

// contractDoc is the parsed document and its validators, built once.
type contractDoc struct {
	mu        sync.Mutex // the validator's caches are not meant for concurrent use
	validator validator.Validator
	model     *v3.Document
	opts      *config.ValidationOptions
	schemas   schema_validation.SchemaValidator
}

var loadContract = sync.OnceValues(func() (*contractDoc, error) {
	doc, err := libopenapi.NewDocument(openAPIDocument)
	if err != nil {
		return nil, err
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	opts := []config.Option{config.WithFormatAssertions()}
	v, errs := validator.NewValidator(doc, opts...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &contractDoc{validator: v, model: &model.Model, opts: config.NewValidationOptions(opts...),
		schemas: schema_validation.NewSchemaValidator(opts...)}, nil
})

// checkContract checks one exchange against the document; see above.
func checkContract(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, resBody []byte) {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	vreq := req.Clone(req.Context())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	reqOK, reqErrs := c.validator.ValidateHttpRequestSync(vreq)
	for _, e := range reqErrs {
		if e.IsPathMissingError() || e.IsOperationMissingError() {
			if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
				t.Fatalf("contract: %s %s is not in openapi.json, yet the server answered %d", req.Method, req.URL.Path, status)
			}
			c.checkErrorBody(t, req, resBody)
			return
		}
	}
	if !reqOK && (status < 400 || status >= 500) {
		t.Fatalf("contract: openapi.json refuses %s %s (%s), yet the server answered %d: the document is stricter than the server\n%s",
			req.Method, req.URL.Path, clip(reqBody), status, describe(reqErrs))
	}
	vres := &http.Response{
		StatusCode: status,
		Header:     header,
		Body:       io.NopCloser(bytes.NewReader(resBody)),
		Request:    vreq,
	}
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	if ok, errs := c.validator.ValidateHttpResponse(vreq, vres); !ok {
		t.Fatalf("contract: the answer %d to %s %s does not follow openapi.json: %s\n%s",
			status, req.Method, req.URL.Path, clip(resBody), describe(errs))
	}
	if extra := undeclared(c.responseSchema(vreq, status), decode(resBody), "$"); len(extra) > 0 {
		t.Fatalf("contract: the answer %d to %s %s has properties openapi.json does not declare: %s",
			status, req.Method, req.URL.Path, strings.Join(extra, ", "))
	}
}

// responseSchema returns the schema of the JSON answer status of req's
// operation, or nil.
func (c *contractDoc) responseSchema(req *http.Request, status int) *base.Schema {
	item, _, _ := paths.FindPath(req, c.model, c.opts)
	if item == nil {
		return nil
	}
	op, ok := item.GetOperations().Get(strings.ToLower(req.Method))
	if !ok || op.Responses == nil {
		return nil
	}
	res, ok := op.Responses.Codes.Get(strconv.Itoa(status))
	if !ok || res.Content == nil {
		return nil
	}
	media, ok := res.Content.Get("application/json")
	if !ok || media.Schema == nil {
		return nil
	}
	return media.Schema.Schema()
}

// undeclared lists the properties of v that its schema s does not
// declare. An object schema that declares properties lists all it may
// hold, unless it says additionalProperties; one that declares none (event
// data, format options) holds anything. This is stricter than JSON Schema,
// for which undeclared properties are allowed: clients must ignore
// properties they do not know, but the document must know them all.
func undeclared(s *base.Schema, v any, path string) []string {
	if s == nil {
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		props := map[string]*base.Schema{}
		var extra *base.Schema
		free := collectProperties(s, props, &extra)
		var out []string
		for name, value := range v {
			p := path + "." + name
			switch ps, ok := props[name]; {
			case ok:
				out = append(out, undeclared(ps, value, p)...)
			case extra != nil:
				out = append(out, undeclared(extra, value, p)...)
			case !free && len(props) > 0:
				out = append(out, p)
			}
		}
		return out
	case []any:
		if s.Items == nil || !s.Items.IsA() {
			for _, sub := range append(s.OneOf, s.AnyOf...) {
				if sub.Schema().Items != nil {
					return undeclared(sub.Schema(), v, path)
				}
			}
			return nil
		}
		var out []string
		for i, x := range v {
			out = append(out, undeclared(s.Items.A.Schema(), x, path+"["+strconv.Itoa(i)+"]")...)
		}
		return out
	}
	return nil
}

// collectProperties gathers the properties s declares, through allOf,
// oneOf and anyOf; it reports whether s allows any other property
// (additionalProperties: true), and sets extra to the schema of the
// others when additionalProperties is one.
func collectProperties(s *base.Schema, props map[string]*base.Schema, extra **base.Schema) (free bool) {
	if s.Properties != nil {
		for name, p := range s.Properties.FromOldest() {
			props[name] = p.Schema()
		}
	}
	if ap := s.AdditionalProperties; ap != nil {
		if ap.IsA() {
			*extra = ap.A.Schema()
		} else if ap.B {
			free = true
		}
	}
	for _, sub := range append(append(append([]*base.SchemaProxy{}, s.AllOf...), s.OneOf...), s.AnyOf...) {
		if collectProperties(sub.Schema(), props, extra) {
			free = true
		}
	}
	return free
}

// decode parses a JSON answer; anything else is nil.
func decode(body []byte) any {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	return v
}

// clip shortens a body for a failure message.
func clip(b []byte) string {
	const max = 600
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// checkErrorBody checks an answer against the Error schema.
func (c *contractDoc) checkErrorBody(t testing.TB, req *http.Request, body []byte) {
	t.Helper()
	if ok, errs := c.schemas.ValidateSchemaBytes(c.schema(t, "Error"), body); !ok {
		t.Fatalf("contract: the answer to %s %s is not an Error: %s\n%s", req.Method, req.URL.Path, body, describe(errs))
	}
}

// schema returns components/schemas/name.
func (c *contractDoc) schema(t testing.TB, name string) *base.Schema {
	t.Helper()
	p, ok := c.model.Components.Schemas.Get(name)
	if !ok {
		t.Fatalf("openapi.json has no schema %s", name)
	}
	return p.Schema()
}

// describe lists validation errors, one a line, with the schema problems
// under each.
func describe(errs []*liberrors.ValidationError) string {
	var b strings.Builder
	for i, e := range errs {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d more\n", len(errs)-i)
			break
		}
		b.WriteString("  - " + e.Message + ": " + e.Reason + "\n")
		for _, s := range e.SchemaValidationErrors {
			b.WriteString("      " + s.FieldPath + ": " + s.Reason + "\n")
		}
	}
	return b.String()
}
