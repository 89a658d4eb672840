package api

// CheckContract lets the external tests (package api_test) check their
// exchanges against openapi.json like the internal ones do.
var CheckContract = checkContract
