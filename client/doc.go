// Package client is the Go client of lmshooks' HTTP API, version 1
// (/api/v1/): one method per route, typed requests and answers, errors as
// *Error values, and iterators over paginated lists.
//
//	c := client.New(
//		client.WithBaseURL("https://hooks.example.com"),
//		client.WithKey(os.Getenv("LMSHOOKS_API_KEY")),
//	)
//	ev, err := c.Publish(ctx, "acme", client.PublishRequest{
//		Type:           "user.created",
//		Data:           map[string]any{"id": "u_1", "email": "ana@acme.com"},
//		IdempotencyKey: "u_1-created",
//	})
//	var apiErr *client.Error
//	if errors.As(err, &apiErr) && apiErr.Field != "" {
//		// apiErr.Field names the input at fault, e.g. "data/email".
//	}
//
// Every method takes a context.Context, which bounds the whole call.
//
// The request and answer types (requests.go, responses.go) are the wire
// format: their fields carry json tags only, named as in docs/API.md. A
// field without omitzero is required in a request and always present in an
// answer. Request fields that the server treats as "absent means keep" in a
// change (PATCH) are pointers, so that a zero value can still be sent.
// Free-form JSON that the caller sends (event data, format options,
// schemas) is any value encoding/json can encode; free-form JSON that the
// server answers is kept as json.RawMessage for the caller to decode.
//
// The package depends on the standard library only, so that an LMS
// written in Go can import it without the rest of lmshooks.
package client
