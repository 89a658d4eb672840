// Package listen implements "lmshooks listen", a local receiver that
// developers point a webhook at while building their integration. It
// verifies each delivery's Standard Webhooks signature, prints the request
// readably and answers with a chosen status code, so retries and failure
// handling can be tried without writing a receiver first.
package listen
