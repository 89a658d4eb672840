// Package format renders a delivery into the body and headers sent on the
// wire. Each wire format is one Renderer, looked up by the name stored on
// the webhook: "standard" (Standard Webhooks), the seed vendors' formats
// ("riseup", "articulate", "innovative-educators", "cypher", "absorb"),
// "cloudevents" and "xapi". docs/FORMATS.md describes each one.
//
// A format may take options (format_options, checked by an
// OptionsValidator, which also refuses event types the format cannot
// express) and bring defaults (timeout, retry preset, success range) the
// API applies to new webhooks (a Defaulter). Every built-in format takes
// content_type, which replaces the Content-Type it sends.
//
// The dispatcher adds the Standard Webhooks signature over exactly the
// bytes a renderer returns, unless the renderer asks it not to
// (Request.SkipStandardSignature). Vendor formats that sign with their own
// header (an HMAC of the body) compute it inside Render, over the same
// bytes they return.
package format
