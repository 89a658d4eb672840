package main

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lmshooks/lmshooks/internal/catalog"
)

// Names of the catalog's schemas among the document's components.
const (
	eventDataPrefix = "EventData."
	eventDefPrefix  = "EventDef."
)

// addCatalog adds the builtin event types: the JSON Schema of each type's
// data as components/schemas/EventData.<type>, the shared objects those
// schemas use as EventDef.<name>, and under "webhooks" what a receiver gets
// for each type in the standard format.
func addCatalog(root *yaml.Node, c *catalog.Catalog) error {
	schemas := child(child(root, "components"), "schemas")
	webhooks := obj()
	defs := map[string][]byte{} // name → JSON, to check copies agree
	for _, et := range c.All() {
		s, err := parseTree(et.Schema)
		if err != nil {
			return fmt.Errorf("%s: schema: %w", et.Type, err)
		}
		del(s, "$schema") // the document's dialect is 2020-12 already
		if err := moveDefs(s, schemas, defs, et.Type); err != nil {
			return err
		}
		rewriteRefs(s)
		if get(s, "title") == nil {
			set(s, "title", str(et.Title))
		}
		if get(s, "description") == nil {
			set(s, "description", str(et.Description))
		}
		if len(et.Example) > 0 {
			ex, err := parseTree(et.Example)
			if err != nil {
				return fmt.Errorf("%s: example: %w", et.Type, err)
			}
			set(s, "examples", seq(ex))
		}
		set(schemas, eventDataPrefix+et.Type, s)
		set(webhooks, et.Type, obj("post", delivery(et)))
	}
	setAfter(root, "paths", "webhooks", webhooks)
	return nil
}

// moveDefs moves the "$defs" of an event type's schema to the document's
// components, each shared object once.
func moveDefs(s, schemas *yaml.Node, seen map[string][]byte, eventType string) error {
	d := get(s, "$defs")
	del(s, "$defs")
	for _, name := range keys(d) {
		def := get(d, name)
		rewriteRefs(def)
		text, err := encodeJSON(def)
		if err != nil {
			return fmt.Errorf("%s: $defs/%s: %w", eventType, name, err)
		}
		if prev, ok := seen[name]; ok {
			if !bytes.Equal(prev, text) {
				return fmt.Errorf("%s: $defs/%s differs from another type's copy", eventType, name)
			}
			continue
		}
		seen[name] = text
		set(schemas, eventDefPrefix+name, def)
	}
	return nil
}

// rewriteRefs points the schema's local references ("#/$defs/user_ref")
// at the shared objects among the components, and turns a reference that
// sits beside other keywords ({"$ref": A, "properties": …}) into the
// equivalent {"allOf": [{"$ref": A}, {"properties": …}]}: JSON Schema
// 2020-12 applies both either way, but client generators that follow
// OpenAPI 3.0 ignore whatever sits beside a "$ref".
func rewriteRefs(s *yaml.Node) {
	walk(s, func(n *yaml.Node) {
		r := get(n, "$ref")
		if r == nil {
			return
		}
		if name, ok := strings.CutPrefix(r.Value, "#/$defs/"); ok {
			r.Value = "#/components/schemas/" + eventDefPrefix + name
		}
		rest := obj()
		for _, k := range keys(n) {
			switch k {
			case "$ref", "title", "description", "examples":
			default:
				set(rest, k, get(n, k))
			}
		}
		if len(rest.Content) == 0 {
			return
		}
		for _, k := range keys(rest) {
			del(n, k)
		}
		del(n, "$ref")
		set(n, "allOf", seq(ref(r.Value), rest))
	})
}

// delivery describes the request a receiver gets for an event of type et
// in the standard format (docs/FORMATS.md, Standard Webhooks).
func delivery(et catalog.EventType) *yaml.Node {
	body := obj(
		"type", "object",
		"required", seq("id", "type", "timestamp", "data"),
		"properties", obj(
			"id", obj("type", "string", "description", "The event's id (`evt_…`)."),
			"type", obj("type", "string", "const", et.Type),
			"timestamp", obj("$ref", "#/components/schemas/Time", "description", "When the event occurred."),
			"data", ref("#/components/schemas/"+eventDataPrefix+et.Type),
		),
	)
	return obj(
		"operationId", "deliver_"+strings.ReplaceAll(et.Type, ".", "_"),
		"summary", et.Title,
		"description", "The request every webhook subscribed to `"+et.Type+
			"` receives in the `standard` format; other formats reshape it (docs/FORMATS.md).",
		"tags", seq("Event deliveries"),
		"security", seq(),
		"parameters", seq(
			ref("#/components/parameters/WebhookIDHeader"),
			ref("#/components/parameters/WebhookTimestampHeader"),
			ref("#/components/parameters/WebhookSignatureHeader"),
		),
		"requestBody", obj("required", true, "content", obj("application/json", obj("schema", body))),
		"responses", obj("2XX", ref("#/components/responses/DeliveryAccepted")),
	)
}
