// Package format renders a delivery into the body and headers sent on the
// wire. Each wire format (Standard Webhooks now; vendor-compatible formats,
// CloudEvents and xAPI later) is one Renderer, looked up by the name stored
// on the webhook.
//
// Rendering only builds bytes. Signing is not a renderer's job: the
// dispatcher signs exactly the bytes a renderer returns, so the signature
// always covers what is sent.
package format
