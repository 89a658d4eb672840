package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/retry"
)

// formatCypher is the format whose options the form edits as parameter
// rows rather than as JSON.
const formatCypher = "cypher"

// formatLabels name the vendor or standard behind each format in the
// picker.
var formatLabels = map[string]string{
	"standard":             "Standard Webhooks (JSON)",
	"riseup":               "Rise Up",
	"articulate":           "Articulate Rise / Reach 360",
	"innovative-educators": "Innovative Educators Live Events",
	"cypher":               "CYPHER Learning (form parameters)",
	"absorb":               "Absorb LMS",
	"cloudevents":          "CloudEvents 1.0",
	"xapi":                 "xAPI statements",
}

// formatChoice is one format of the picker, with the settings a webhook
// of that format starts from.
type formatChoice struct {
	Name, Label string
	// Timeout (whole seconds), RetryPolicy and SuccessStatus are the
	// format's defaults, in the form's own notation.
	Timeout       string
	RetryPolicy   string
	RetryLabel    string // the preset's name for people: "Rise Up"
	RetrySchedule string // the preset's waits, spelled out
	SuccessStatus string
}

// formatChoices lists the formats with their defaults.
func (c *Console) formatChoices() []formatChoice {
	var out []formatChoice
	for _, fm := range c.webhooks.Formats() {
		d := fm.Defaults
		fc := formatChoice{
			Name: fm.Name, Label: formatLabels[fm.Name],
			Timeout:       strconv.Itoa(int(d.Timeout / time.Second)),
			RetryPolicy:   d.RetryPolicy,
			SuccessStatus: d.SuccessRule.String(),
		}
		for _, p := range retry.Presets() {
			if p.Name == d.RetryPolicy {
				fc.RetryLabel = p.Label
				waits := make([]string, len(p.Waits))
				for i, w := range p.Waits {
					waits[i] = retry.FormatWait(w)
				}
				fc.RetrySchedule = strings.Join(waits, ", ")
			}
		}
		out = append(out, fc)
	}
	return out
}

// cypherParam is one row of the CYPHER parameter editor: a form field
// name and its template, such as "email" and "@user_email".
type cypherParam struct {
	Name, Value string
}

// cypherOptionsJSON turns the parameter rows into the cypher format's
// options, {"parameters": {...}, "standard_webhooks": true}, keeping the
// rows' order (the order the fields are sent in). With no rows the JSON
// typed in the options box is used as it is, so pasted options still work.
func cypherOptionsJSON(params []cypherParam, standardWebhooks bool, raw string) (string, error) {
	var b bytes.Buffer
	seen := map[string]bool{}
	for i, p := range params {
		name := strings.TrimSpace(p.Name)
		if name == "" {
			if p.Value != "" {
				return "", domain.FieldErrorf("cypher_parameters", "row %d has a value but no parameter name", i+1)
			}
			continue
		}
		if seen[name] {
			return "", domain.FieldErrorf("cypher_parameters", "parameter %q appears twice", name)
		}
		seen[name] = true
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		v, _ := json.Marshal(p.Value)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	if b.Len() == 0 {
		if standardWebhooks && strings.TrimSpace(raw) == "" {
			return `{"standard_webhooks":true}`, nil
		}
		return raw, nil
	}
	out := `{"parameters":{` + b.String() + `}`
	if standardWebhooks {
		out += `,"standard_webhooks":true`
	}
	return out + "}", nil
}

// cypherFromOptions reads stored cypher options back into rows, in their
// order. ok is false when the options hold something the editor cannot
// show, which then stays in the JSON box.
func cypherFromOptions(raw json.RawMessage) (params []cypherParam, standardWebhooks, ok bool) {
	var o struct {
		Parameters       json.RawMessage `json:"parameters"`
		StandardWebhooks *bool           `json:"standard_webhooks"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return nil, false, false
	}
	if o.StandardWebhooks != nil && !*o.StandardWebhooks {
		return nil, false, false // an explicit false: keep it as written
	}
	standardWebhooks = o.StandardWebhooks != nil
	if len(o.Parameters) == 0 || string(o.Parameters) == "null" {
		return nil, standardWebhooks, true
	}
	params, err := orderedStrings(o.Parameters)
	if err != nil {
		return nil, false, false
	}
	return params, standardWebhooks, true
}

// orderedStrings decodes a JSON object of strings keeping its keys' order,
// which encoding/json's maps lose.
func orderedStrings(raw json.RawMessage) ([]cypherParam, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []cypherParam
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var v string
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, cypherParam{Name: k, Value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the object")
	}
	return out, nil
}

// templateVar is a variable CYPHER parameters may use, with the types
// that have it; Shown when one of them is subscribed.
type templateVar struct {
	Name, Description string
	Types             []string
	Shown             bool
}

// envelopeVars are the variables of every event type (see format.Cypher).
var envelopeVars = []templateVar{
	{Name: "@event_type", Description: "the event type"},
	{Name: "@event_id", Description: "the event's id"},
	{Name: "@occurred_at", Description: "when it happened (RFC 3339, UTC)"},
	{Name: "@tenant_id", Description: "your tenant id"},
	{Name: "@delivery_id", Description: "the delivery's id, stable across retries"},
	{Name: "@data", Description: "the whole event data, as JSON"},
	{Name: "@{/json/pointer}", Description: "any value of the data by JSON Pointer, e.g. @{/user/email}; for your own types"},
}

// typeVariables lists the variables of every type of the catalog, each
// once with the types that have it, and shows those of the subscribed
// types (the page's script follows the picker from there).
func typeVariables(cat *catalog.Catalog, subscribed []string) []templateVar {
	byName := map[string]*templateVar{}
	for _, et := range cat.All() {
		t := et.Type
		for _, v := range et.Variables {
			tv := byName[v.Name]
			if tv == nil {
				tv = &templateVar{Name: v.Name, Description: v.Description}
				byName[v.Name] = tv
			}
			tv.Types = append(tv.Types, t)
			tv.Shown = tv.Shown || slices.Contains(subscribed, t)
		}
	}
	out := make([]templateVar, 0, len(byName))
	for _, tv := range byName {
		out = append(out, *tv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
