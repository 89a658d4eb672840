// Package compat holds receiver compatibility tests: for each vendor
// format, an HTTP receiver written the way that vendor's public page tells
// its customers to check requests (seed 001's HMAC-SHA1 hex of the
// re-serialized body, seed 003's form decoding, …) must accept what the
// dispatcher really sends. The package has no code of its own.
package compat
