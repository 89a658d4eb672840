package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// newCompiler returns a schema compiler for catalog schemas: draft 2020-12
// unless a schema says otherwise, formats (email, date-time, uri…) asserted
// rather than treated as annotations, and no loading of external
// references: a tenant's schema must never make the server read a file or
// fetch a URL.
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	return c
}

// noLoader refuses every external reference. Metaschemas of the standard
// drafts are built into the library and still resolve.
type noLoader struct{}

// Load implements jsonschema.URLLoader.
func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("reference to %q: schemas must be self-contained (use \"$defs\" and \"#/$defs/...\")", url)
}

// compile adds schema to c under url and compiles it.
func compile(c *jsonschema.Compiler, url string, schema json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
}
