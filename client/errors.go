package client

import (
	"fmt"
	"net/http"
)

// Error is an answer of the API that is not a success. Use errors.As to
// read it:
//
//	var e *client.Error
//	if errors.As(err, &e) && e.Code == client.CodeInvalid {
//		fmt.Println(e.Field, e.Message) // url must start with http:// or https://
//	}
type Error struct {
	// Status is the HTTP status code, e.g. 422.
	Status int
	// Code is the API's error code (the Code… constants); "" when the
	// answer was not the API's error body (a proxy's page, say).
	Code string
	// Message says what is wrong.
	Message string
	// Field names the input at fault, as a JSON path ("url",
	// "events[3].type", "headers.X-Foo") or a query parameter name; ""
	// when no one input is.
	Field string
	// Body is the answer's body when it was not the API's error body.
	Body string
}

// Error says what lmshooks answered: "lmshooks answered 422 invalid: url
// must start with http:// or https://".
func (e *Error) Error() string {
	if e.Code == "" {
		if e.Body == "" {
			return fmt.Sprintf("lmshooks answered %d %s", e.Status, http.StatusText(e.Status))
		}
		return fmt.Sprintf("lmshooks answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Body)
	}
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + " " + msg
	}
	return fmt.Sprintf("lmshooks answered %d %s: %s", e.Status, e.Code, msg)
}

// Temporary reports whether the same request may succeed later: the
// server was overloaded or unavailable (429, 5xx), not the request wrong.
func (e *Error) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}
