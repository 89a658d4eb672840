package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/retry"
	"github.com/lmshooks/lmshooks/internal/service"
)

// webhookForm is the create/edit form as the admin typed it, so that a
// form with errors comes back exactly as it was sent.
type webhookForm struct {
	Name, Description, URL string
	EventTypes             []string // checked boxes: "entity.action", "entity.*", "*"
	OtherTypes             string   // free patterns, comma- or space-separated
	Enabled                bool
	Format                 string
	FormatOptions          string
	CypherParams           []cypherParam // the cypher format's parameters, as rows
	CypherStandard         bool          // cypher: add the Standard Webhooks signature headers
	Filter                 string        // CEL expression; empty sends every subscribed event
	TryType                string        // the event type "Try on the example" evaluates the filter on
	TryData                string        // optional JSON data to try the filter on instead of the example
	BasicAuth              bool
	Username, Password     string
	Scheme, Secret         string // create only
	Headers                string // plain headers, "Name: value" per line
	// SecretHeaders are the secret headers as rows: the stored ones,
	// whose values never reach the browser (empty keeps one), and new ones.
	SecretHeaders  []secretHeader
	Timeout        string
	RetryPolicy    string
	RetrySchedule  string // custom waits: "5s, 1m, 2h"
	SuccessStatus  string
	RateLimit      string
	MaxConcurrency string
	// Ordering and OrderingFailure are the chosen radio buttons.
	Ordering        string
	OrderingFailure string
}

// secretHeader is one row of the form's secret headers.
type secretHeader struct {
	Name string
	// Value is what the admin typed; it is never filled from the store nor
	// shown again.
	Value string
	// Stored marks a header the webhook has: an empty Value keeps its
	// value, Remove drops it.
	Stored, Remove bool
}

// formFromWebhook fills the form from a stored webhook. The basic auth
// password and the values of secret headers are never sent back to the
// browser; empty keeps them.
func formFromWebhook(w *domain.Webhook) webhookForm {
	f := webhookForm{
		Name: w.Name, Description: w.Description, URL: w.URL,
		Enabled:       w.Enabled,
		Format:        w.Format,
		Filter:        w.Filter,
		Timeout:       strconv.Itoa(int(w.Timeout / time.Second)),
		RetryPolicy:   w.RetryPolicy,
		SuccessStatus: w.SuccessRule.String(),

		Ordering:        string(w.Ordering),
		OrderingFailure: string(w.OrderingFailure),
	}
	if len(w.FormatOptions) > 0 && string(w.FormatOptions) != "null" {
		f.FormatOptions = prettyBody(w.FormatOptions)
		if w.Format == formatCypher {
			if params, std, ok := cypherFromOptions(w.FormatOptions); ok {
				f.CypherParams, f.CypherStandard, f.FormatOptions = params, std, ""
			}
		}
	}
	if w.RateLimit > 0 {
		f.RateLimit = strconv.FormatFloat(w.RateLimit, 'f', -1, 64)
	}
	if w.MaxConcurrency > 0 {
		f.MaxConcurrency = strconv.Itoa(w.MaxConcurrency)
	}
	var other []string
	for _, t := range w.EventTypes {
		if t == "*" || domain.ValidEventType(t) || strings.HasSuffix(t, ".*") && !strings.HasPrefix(t, "*") {
			f.EventTypes = append(f.EventTypes, t)
		} else {
			other = append(other, t)
		}
	}
	f.OtherTypes = strings.Join(other, ", ")
	if w.BasicAuth != nil {
		f.BasicAuth, f.Username = true, w.BasicAuth.Username
	}
	names := make([]string, 0, len(w.Headers))
	for k := range w.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var hb strings.Builder
	for _, k := range names {
		if w.SecretHeader(k) {
			f.SecretHeaders = append(f.SecretHeaders, secretHeader{Name: k, Stored: true})
			continue
		}
		fmt.Fprintf(&hb, "%s: %s\n", k, w.Headers[k])
	}
	f.Headers = hb.String()
	if w.RetryPolicy == domain.CustomRetryPolicy {
		parts := make([]string, len(w.RetryWaits))
		for i, d := range w.RetryWaits {
			parts[i] = retry.FormatWait(d)
			if d == 0 {
				parts[i] = "0s"
			}
		}
		f.RetrySchedule = strings.Join(parts, ", ")
	}
	return f
}

// newWebhookForm is the form of a new webhook, with the defaults.
func newWebhookForm() webhookForm {
	return webhookForm{
		Enabled:       true,
		Format:        domain.DefaultFormat,
		Scheme:        service.SchemeHMAC,
		Timeout:       strconv.Itoa(int(domain.DefaultTimeout / time.Second)),
		RetryPolicy:   domain.DefaultRetryPolicy,
		SuccessStatus: "2xx",

		Ordering:        string(domain.OrderingNone),
		OrderingFailure: string(domain.FailureBlock),
	}
}

// parseWebhookForm reads the posted form.
func parseWebhookForm(r *http.Request) webhookForm {
	v := r.PostForm
	var params []cypherParam
	names, values := v["cypher_param_name"], v["cypher_param_value"]
	for i, n := range names {
		p := cypherParam{Name: n}
		if i < len(values) {
			p.Value = values[i]
		}
		if strings.TrimSpace(p.Name) != "" || p.Value != "" {
			params = append(params, p)
		}
	}
	return webhookForm{
		Name:           v.Get("name"),
		Description:    v.Get("description"),
		URL:            v.Get("url"),
		EventTypes:     v["event_types"],
		OtherTypes:     v.Get("other_types"),
		Enabled:        v.Get("enabled") == "on",
		Format:         v.Get("format"),
		FormatOptions:  v.Get("format_options"),
		CypherParams:   params,
		CypherStandard: v.Get("cypher_standard_webhooks") == "on",
		Filter:         v.Get("filter"),
		TryType:        strings.TrimSpace(v.Get("filter_try_type")),
		TryData:        v.Get("filter_try_data"),
		BasicAuth:      v.Get("basic_auth") == "on",
		Username:       v.Get("basic_auth_username"),
		Password:       v.Get("basic_auth_password"),
		Scheme:         v.Get("signature_scheme"),
		Secret:         strings.TrimSpace(v.Get("secret")),
		Headers:        v.Get("headers"),
		SecretHeaders:  parseSecretHeaders(v),
		Timeout:        v.Get("timeout_seconds"),
		RetryPolicy:    v.Get("retry_policy"),
		RetrySchedule:  v.Get("retry_schedule"),
		SuccessStatus:  v.Get("success_status"),
		RateLimit:      v.Get("rate_limit"),
		MaxConcurrency: v.Get("max_concurrency"),

		Ordering:        v.Get("ordering"),
		OrderingFailure: v.Get("ordering_failure"),
	}
}

// input reads the form into the service's input, whole: the form shows
// every field, so each is given. It reads only what the form's own
// notation has (numbers typed as text, "Name: value" lines, waits like
// "5s, 1m", CYPHER's parameter rows); every rule is the service's. The
// signature scheme and an own secret are read when creating only.
func (f *webhookForm) input(creating bool) (service.WebhookInput, error) {
	types := f.types()
	in := service.WebhookInput{
		Name: &f.Name, Description: &f.Description, URL: &f.URL,
		EventTypes: &types, Enabled: &f.Enabled, Format: &f.Format, Filter: &f.Filter,
		SuccessStatus: &f.SuccessStatus,
	}
	opts := strings.TrimSpace(f.FormatOptions)
	if strings.TrimSpace(f.Format) == formatCypher {
		var err error
		if opts, err = cypherOptionsJSON(f.CypherParams, f.CypherStandard, opts); err != nil {
			return in, err
		}
	}
	in.FormatOptions = json.RawMessage("null")
	if opts != "" {
		in.FormatOptions = json.RawMessage(opts)
	}
	if f.BasicAuth {
		in.BasicAuth = &service.BasicAuthInput{Username: &f.Username}
		if f.Password != "" { // blank keeps the stored one
			in.BasicAuth.Password = &f.Password
		}
	} else {
		in.RemoveBasicAuth = true
	}
	headers, err := f.headers()
	if err != nil {
		return in, err
	}
	in.Headers = headers
	secs, err := strconv.Atoi(strings.TrimSpace(f.Timeout))
	if err != nil {
		return in, domain.FieldErrorf("timeout_seconds", "must be a whole number of seconds")
	}
	in.TimeoutSeconds = &secs
	policy := strings.TrimSpace(f.RetryPolicy)
	in.RetryPolicy = &policy
	if policy == domain.CustomRetryPolicy {
		waits, err := parseWaits(f.RetrySchedule)
		if err != nil {
			return in, err
		}
		in.RetrySchedule = &waits
	}
	rate, conc := 0.0, 0
	if s := strings.TrimSpace(f.RateLimit); s != "" {
		if rate, err = strconv.ParseFloat(s, 64); err != nil {
			return in, domain.FieldErrorf("rate_limit", "must be a number of deliveries per second (empty for no limit)")
		}
	}
	if s := strings.TrimSpace(f.MaxConcurrency); s != "" {
		if conc, err = strconv.Atoi(s); err != nil {
			return in, domain.FieldErrorf("max_concurrency", "must be a whole number (empty for the default, %d)", domain.DefaultMaxConcurrency)
		}
	}
	in.RateLimit, in.MaxConcurrency = &rate, &conc
	in.Ordering, in.OrderingFailure = &f.Ordering, &f.OrderingFailure
	if creating {
		if f.Scheme != "" {
			in.SignatureScheme = &f.Scheme
		}
		if f.Secret != "" {
			in.Secret = &f.Secret
		}
	}
	return in, nil
}

// types merges the checked boxes and the free patterns. A checked
// "entity.*" makes that entity's single actions redundant, and "*" all.
func (f *webhookForm) types() []string {
	all := append([]string(nil), f.EventTypes...)
	all = append(all, strings.FieldsFunc(f.OtherTypes, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })...)
	wild := map[string]bool{}
	for _, t := range all {
		if t == "*" {
			return []string{"*"}
		}
		if e, ok := strings.CutSuffix(t, ".*"); ok {
			wild[e] = true
		}
	}
	var out []string
	for _, t := range all {
		e, a, _ := strings.Cut(t, ".")
		if wild[e] && a != "*" {
			continue
		}
		out = append(out, t)
	}
	return out
}

// parseSecretHeaders reads the secret header rows: names and values in
// order, the stored and the removed ones by name.
func parseSecretHeaders(v url.Values) []secretHeader {
	names, values := v["secret_header_name"], v["secret_header_value"]
	var out []secretHeader
	for i, n := range names {
		h := secretHeader{Name: strings.TrimSpace(n), Stored: slices.Contains(v["secret_header_stored"], n), Remove: slices.Contains(v["secret_header_remove"], n)}
		if i < len(values) {
			h.Value = values[i]
		}
		if h.Name != "" || h.Value != "" {
			out = append(out, h)
		}
	}
	return out
}

// headers reads the form's headers: the secret rows (an empty value keeps
// the stored one), then the plain lines, which replace a secret header of
// the same name. Which are secret beyond the rows is the service's rule.
func (f *webhookForm) headers() (map[string]service.HeaderInput, error) {
	out := map[string]service.HeaderInput{}
	secret := true
	for _, h := range f.SecretHeaders {
		switch {
		case h.Remove:
			continue
		case h.Name == "":
			return nil, domain.FieldErrorf("secret_headers", "a secret header needs a name")
		}
		in := service.HeaderInput{Secret: &secret}
		if h.Value != "" {
			in.Value = &h.Value
		}
		out[h.Name] = in
	}
	plain, err := parseHeaders(f.Headers)
	if err != nil {
		return nil, err
	}
	for name, v := range plain {
		for k := range out {
			if strings.EqualFold(k, name) {
				delete(out, k)
			}
		}
		out[name] = service.HeaderInput{Value: &v}
	}
	return out, nil
}

// parseHeaders reads "Name: value" lines.
func parseHeaders(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, domain.FieldErrorf("headers", "line %d must look like “Name: value”", i+1)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// parseWaits reads a custom retry schedule, waits like "5s, 1m, 2h30m" or
// plain numbers of seconds, as seconds.
func parseWaits(s string) ([]float64, error) {
	var out []float64
	for i, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		d, err := time.ParseDuration(p)
		if err != nil {
			n, nerr := strconv.ParseFloat(p, 64)
			if nerr != nil {
				return nil, domain.FieldErrorf("retry_schedule", "wait %d (%q) must be a duration like 30s, 5m or 2h", i+1, p)
			}
			d = time.Duration(n * float64(time.Second))
		}
		out = append(out, d.Seconds())
	}
	if len(out) == 0 {
		return nil, domain.FieldErrorf("retry_schedule", "list the waits between attempts, like “10s, 1m, 10m, 1h”")
	}
	return out, nil
}

// formField maps an error's field ("event_types[2]", "headers.X-Key",
// "retry_schedule[0]") to the form field that shows it. A type of the
// subscription is shown where the admin wrote it: the picker or the free
// patterns.
func (f *webhookForm) formField(field string) string {
	if i := strings.IndexByte(field, '['); i >= 0 {
		if n, err := strconv.Atoi(strings.TrimSuffix(field[i+1:], "]")); err == nil && field[:i] == "event_types" {
			if types := f.types(); n < len(types) && !slices.Contains(f.EventTypes, types[n]) {
				return "other_types"
			}
		}
		field = field[:i]
	}
	if name, ok := strings.CutPrefix(field, "headers."); ok {
		name = strings.TrimSuffix(name, ".secret")
		if slices.ContainsFunc(f.SecretHeaders, func(h secretHeader) bool { return strings.EqualFold(h.Name, name) }) {
			return "secret_headers"
		}
		return "headers"
	}
	if strings.HasPrefix(field, "format_options.") {
		return "format_options"
	}
	switch field {
	case "entity", "actions":
		return "event_types"
	case "retry_waits":
		return "retry_schedule"
	}
	return field
}
