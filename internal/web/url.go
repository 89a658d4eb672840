package web

import "net/http"

// AbsURL makes path absolute on the scheme and host the request came to,
// so that a link handed out (a portal link, say) works from where the
// caller stands. A TLS-terminating proxy in front says https with
// X-Forwarded-Proto; a wrong claim only spoils the link it is given back.
func AbsURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
