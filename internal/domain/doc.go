// Package domain holds lmshooks' nouns — tenants, API keys, webhooks, events,
// deliveries and attempts — their states, validation rules and error codes.
//
// It imports only the standard library and does no I/O, so every other
// package can speak these types without pulling in a driver or a transport.
package domain
