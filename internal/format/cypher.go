package format

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// Cypher renders seed 003's wire format (CYPHER Learning): an
// application/x-www-form-urlencoded body built from parameters the admin
// writes, in the order written, whose values are templates:
//
//	format_options: {"parameters": {"email": "@user_email", "course": "@course_name",
//	                                "note": "Completed on @completed_at"}}
//	→ email=ana.lopez%40acme.com&course=Workplace+Safety+101&note=Completed+on+2025-03-14T09%3A26%3A53.000Z
//
// A variable is "@" and a name from the catalog's list for the event type
// (GET /api/v1/event-types/{type}, field variables), one of the envelope
// variables @event_id, @event_type, @occurred_at, @tenant_id,
// @delivery_id and @data (the whole data as JSON), or @{/json/pointer}
// into the data. A tenant's own types (those Variables does not know) have
// the variables catalog.VariableName derives from their data's property
// names ("@badge_level" for /badge/level), the ones their catalog entry
// lists: for them, every "@name" of lowercase letters, digits and '_' is a
// variable, empty when this event's data has no property that derives it.
// A value keeps the data's spelling: numbers as published ("1.0" stays
// "1.0"), and @data and objects and arrays as their published JSON,
// compacted, never re-serialized.
// A variable whose value is absent or null renders empty; an "@word" that is no variable, and an
// '@' inside a word (an email address), stay as written. CYPHER signs nothing, so neither does
// this format unless format_options.standard_webhooks is true. Defaults:
// 10 s timeout and the "cypher" retry preset; saving warns when the URL is
// longer than CYPHER's 256 characters.
type Cypher struct {
	// Variables resolves the builtin types' variables; nil knows only the
	// envelope variables and pointers, for every type.
	Variables VariableSource
}

// cypherMaxURL is CYPHER's endpoint length limit.
const cypherMaxURL = 256

// Limits of the parameters.
const (
	maxCypherParams   = 100
	maxCypherTemplate = 4096
)

// defaultCypherParameters is what a webhook without parameters sends.
var defaultCypherParameters = obj{
	{"event_type", "@event_type"},
	{"event_id", "@event_id"},
	{"occurred_at", "@occurred_at"},
	{"tenant_id", "@tenant_id"},
	{"data", "@data"},
}

// envelopeVariables are the variables of every event type.
var envelopeVariables = []string{"@event_id", "@event_type", "@occurred_at", "@tenant_id", "@delivery_id", "@data"}

// cypherOptions are the cypher format_options.
type cypherOptions struct {
	commonOptions
	// Parameters is a JSON object of name → template, sent in its order.
	Parameters json.RawMessage `json:"parameters"`
}

// options decodes the options and the ordered parameters.
func (Cypher) options(w *domain.Webhook) (cypherOptions, obj, error) {
	var o cypherOptions
	if err := decodeOptions("cypher", w.FormatOptions, &o); err != nil {
		return o, nil, err
	}
	if len(o.Parameters) == 0 || string(o.Parameters) == "null" {
		return o, defaultCypherParameters, nil
	}
	v, err := parseValue(o.Parameters)
	params, ok := v.(obj)
	if err != nil || !ok {
		return o, nil, domain.FieldErrorf("format_options.parameters", "must be a JSON object of parameter name → template, such as {\"email\": \"@user_email\"}")
	}
	if len(params) == 0 || len(params) > maxCypherParams {
		return o, nil, domain.FieldErrorf("format_options.parameters", "must have 1 to %d parameters", maxCypherParams)
	}
	for _, p := range params {
		f := "format_options.parameters." + p.k
		if strings.TrimSpace(p.k) == "" {
			return o, nil, domain.FieldErrorf("format_options.parameters", "parameter names must not be empty")
		}
		s, ok := p.v.(string)
		if !ok {
			return o, nil, domain.FieldErrorf(f, "must be a string template such as \"@user_email\"")
		}
		if len(s) > maxCypherTemplate {
			return o, nil, domain.FieldErrorf(f, "must be at most %d characters", maxCypherTemplate)
		}
	}
	return o, params, nil
}

// Name returns "cypher".
func (Cypher) Name() string { return "cypher" }

// Defaults: 10 s per call and the "cypher" retry preset, as published.
func (Cypher) Defaults() Defaults {
	return Defaults{Timeout: 10 * time.Second, RetryPolicy: "cypher"}
}

// ValidateWebhook checks the parameters, and warns about a URL longer
// than CYPHER allows and about variables no subscribed type has.
func (c Cypher) ValidateWebhook(w *domain.Webhook) ([]string, error) {
	_, params, err := c.options(w)
	if err != nil {
		return nil, err
	}
	var warnings []string
	if len(w.URL) > cypherMaxURL {
		warnings = append(warnings, fmt.Sprintf("the URL has %d characters; CYPHER Learning allows at most %d, so a receiver built for CYPHER may expect a shorter one", len(w.URL), cypherMaxURL))
	}
	if c.Variables == nil {
		return warnings, nil
	}
	// Variables of the builtin types the webhook subscribes to. The
	// tenant's own types are not known here: a subscription that names one
	// cannot be checked, and one with a pattern may select some.
	known := map[string]bool{}
	var types []string
	for _, t := range c.Variables.Types() {
		if slices.ContainsFunc(w.EventTypes, func(p string) bool { return domain.MatchEventType(p, t) }) {
			types = append(types, t)
			for name := range c.Variables.Variables(t) {
				known[name] = true
			}
		}
	}
	patterns := false
	for _, p := range w.EventTypes {
		if !domain.ValidEventType(p) {
			patterns = true
		} else if c.Variables.Variables(p) == nil {
			return warnings, nil // one of the tenant's own types
		}
	}
	if len(types) == 0 {
		return warnings, nil
	}
	for _, p := range params {
		for _, name := range templateVariables(p.v.(string)) {
			if known[name] || slices.Contains(envelopeVariables, name) {
				continue
			}
			if patterns {
				warnings = append(warnings, fmt.Sprintf("parameter %q: %s is not a variable of the built-in event types the subscription selects, so it is sent as written unless it is one of your own types' variables; see the variables of each type in GET /api/v1/tenants/{tenant}/event-types", p.k, name))
			} else {
				warnings = append(warnings, fmt.Sprintf("parameter %q: %s is not a variable of the subscribed event types, so it is sent as written; see the variables of each type in GET /api/v1/event-types", p.k, name))
			}
		}
	}
	return warnings, nil
}

// Render builds the form body.
func (c Cypher) Render(ev *domain.Event, d *domain.Delivery, w *domain.Webhook, _ time.Time) (Request, error) {
	o, params, err := c.options(w)
	if err != nil {
		return Request{}, err
	}
	// Variables read ev.Data's text (textAt); it must be an object.
	if _, err := parseObject(ev.Data); err != nil {
		return Request{}, fmt.Errorf("cypher format: event %s: %w", ev.ID, err)
	}
	vars := map[string]string{}
	if c.Variables != nil {
		vars = c.Variables.Variables(ev.Type)
	}
	// A type the source does not know is a tenant's own: its variables
	// are derived from its data, read only when a template uses one.
	own := vars == nil
	var derived map[string]string
	deliveryID := ""
	if d != nil {
		deliveryID = d.ID
	}
	lookup := func(name string) (string, bool) {
		switch name {
		case "@event_id":
			return ev.ID, true
		case "@event_type":
			return ev.Type, true
		case "@occurred_at":
			return ev.OccurredAt.UTC().Format(millisLayout), true
		case "@tenant_id":
			return ev.TenantID, true
		case "@delivery_id":
			return deliveryID, true
		case "@data":
			return textAt(ev.Data, ""), true
		}
		// Values keep the data's spelling (numbers as written, objects
		// and arrays as published), as @data does.
		if strings.HasPrefix(name, "@{") {
			return textAt(ev.Data, name[2:len(name)-1]), true
		}
		if p, ok := vars[name]; ok {
			return textAt(ev.Data, p), true
		}
		if own && catalog.IsVariableName(name) {
			if derived == nil {
				derived = catalog.DataVariables(ev.Data)
			}
			if p, ok := derived[name]; ok {
				return textAt(ev.Data, p), true
			}
			// An optional property absent from this event renders empty,
			// as any variable without a value does: without the schema,
			// it cannot be told from a name no property derives.
			return "", true
		}
		return "", false
	}
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(expand(p.v.(string), lookup)))
	}
	return Request{
		ContentType:           o.contentType("application/x-www-form-urlencoded"),
		Body:                  []byte(b.String()),
		SkipStandardSignature: o.skipStandard(false),
	}, nil
}

// expand replaces the variables of a template with lookup's values; an
// "@word" lookup does not know stays as written.
func expand(tmpl string, lookup func(string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); {
		n := variableAt(tmpl, i)
		if n == 0 {
			b.WriteByte(tmpl[i])
			i++
			continue
		}
		if v, ok := lookup(tmpl[i : i+n]); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[i : i+n])
		}
		i += n
	}
	return b.String()
}

// templateVariables lists the "@name" variables of a template (pointers
// excluded: they cannot be checked without data).
func templateVariables(tmpl string) []string {
	var out []string
	for i := 0; i < len(tmpl); {
		n := variableAt(tmpl, i)
		if n == 0 {
			i++
			continue
		}
		if name := tmpl[i : i+n]; !strings.HasPrefix(name, "@{") {
			out = append(out, name)
		}
		i += n
	}
	return out
}

// variableAt returns the length of the variable starting at s[i] ("@name"
// of letters, digits and '_', or "@{pointer}"), 0 when there is none. An
// '@' right after a letter, digit, '.' or '_' starts no variable, so
// email addresses stay as written.
func variableAt(s string, i int) int {
	if s[i] != '@' || i+1 >= len(s) {
		return 0
	}
	if i > 0 && isWordByte(s[i-1]) {
		return 0
	}
	if s[i+1] == '{' {
		end := strings.IndexByte(s[i:], '}')
		if end < 0 || (end > 2 && s[i+2] != '/') {
			return 0
		}
		return end + 1
	}
	j := i + 1
	for j < len(s) && isWordByte(s[j]) && s[j] != '.' {
		j++
	}
	if j == i+1 {
		return 0
	}
	return j - i
}

// isWordByte reports whether c is a letter, digit, '_' or '.'.
func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ReplaysBody reports that the body reads only what the stores keep
// (see Replayable).
func (Cypher) ReplaysBody() bool { return true }
