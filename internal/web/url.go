package web

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// PublicURL makes the absolute URLs that the server hands out (portal
// links) on the base the operator configured, never on what a request
// claims: a Host header is the client's to choose, so a link made from
// it could point anyone's users at another site.
type PublicURL struct {
	base string
}

// NewPublicURL returns a PublicURL on base (config.Config.PublicURL,
// validated there), or one that knows none for "".
func NewPublicURL(base string) PublicURL {
	return PublicURL{base: strings.TrimRight(base, "/")}
}

// ErrNoPublicURL refuses to make a link for a request from elsewhere while
// no public URL is configured. It is ECONFLICT (409): the request is
// sound and its key may ask, but the server's state — its configuration
// — does not allow it yet, and only the operator can change that; not a
// 5xx, as nothing failed and retrying will not help, and not a 403, which
// this API keeps for what a key may not do.
var ErrNoPublicURL = domain.Errorf(domain.ECONFLICT,
	"lmshooks does not know the address its users reach it at, so it cannot make a link: "+
		"set --public-url (or LMSHOOKS_PUBLIC_URL), e.g. https://hooks.example.com. "+
		"Until then, links are made only for requests from the server's own machine (loopback)")

// Abs returns path (absolute, "/…") on the public URL. When none is
// configured it falls back to the scheme and Host the request came to
// (https behind a TLS-terminating proxy that says X-Forwarded-Proto), but
// only for a request from loopback, as on a developer's machine; for any
// other it answers ErrNoPublicURL.
func (p PublicURL) Abs(r *http.Request, path string) (string, error) {
	if p.base != "" {
		return p.base + path, nil
	}
	if !fromLoopback(r) {
		return "", ErrNoPublicURL
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path, nil
}

// fromLoopback reports whether r came over a connection from a loopback
// address. X-Forwarded-For is not read: any client can send it.
func fromLoopback(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
