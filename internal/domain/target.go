package domain

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// MaxHostLength bounds a DNS name (RFC 1035), without its final dot.
const MaxHostLength = 253

// ValidateURL checks a webhook target URL: absolute http or https, at most
// MaxURLLength characters, no spaces, no credentials, no fragment, and a
// host and port that a request can reach: an IP address or a DNS name of
// well-formed labels, and a port from 1 to 65535. It is the one rule for
// every URL lmshooks sends to, whichever surface saves it.
func ValidateURL(raw string) error {
	if raw == "" {
		return FieldErrorf("url", "is required")
	}
	if len(raw) > MaxURLLength {
		return FieldErrorf("url", "must be at most %d characters", MaxURLLength)
	}
	if i := strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		return FieldErrorf("url", "must not contain spaces or control characters (at character %d): encode a space as %%20", len([]rune(raw[:i]))+1)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return FieldErrorf("url", "is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return FieldErrorf("url", "must start with http:// or https://")
	}
	if u.Host == "" || u.Hostname() == "" {
		return FieldErrorf("url", "must include a host")
	}
	if u.User != nil {
		return FieldErrorf("url", "must not embed credentials: use basic_auth")
	}
	if u.Fragment != "" {
		return FieldErrorf("url", "must not have a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return FieldErrorf("url", "port %s is not a port: use 1 to 65535, or none for the scheme's default", p)
		}
	}
	if problem := hostProblem(u.Hostname()); problem != "" {
		return FieldErrorf("url", "host %q %s", u.Hostname(), problem)
	}
	return nil
}

// hostProblem says why host (a URL's, without brackets or port) names no
// machine a request can reach, or "" when it is an IP address or a DNS
// name: labels of 1 to 63 letters, digits, '-' and '_', not starting or
// ending with '-', separated by single dots (one final dot allowed), and
// not ending with a number unless the whole host is an IPv4 address.
func hostProblem(host string) string {
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	name := strings.TrimSuffix(host, ".")
	if len(name) > MaxHostLength {
		return "is longer than a DNS name may be (253 characters)"
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		switch {
		case l == "":
			return "has an empty label: two dots in a row, or a dot at the start"
		case len(l) > 63:
			return "has a label longer than 63 characters"
		case l[0] == '-' || l[len(l)-1] == '-':
			return "has a label that starts or ends with '-'"
		case strings.IndexFunc(l, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' }) >= 0:
			return "may hold only letters, digits, '-', '_' and dots"
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		// A name never ends with a number: this is a mistyped IPv4
		// address ("10.0.0.300", "1.2.3"), which DNS would not resolve.
		return "is not a valid IP address"
	}
	return ""
}

// TargetWarning says why a server that refuses private targets (the
// default) will refuse every delivery to rawURL: its host is a non-public
// IP address (NonPublicAddress) or a name that always means this machine
// (localhost). It is "" when the URL does not say so; a name that resolves
// to a private address is found only when a delivery dials it.
func TargetWarning(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	reason := ""
	if ip, err := netip.ParseAddr(host); err == nil {
		reason = NonPublicAddress(ip)
	} else if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		reason = "loopback address (localhost)"
	}
	if reason == "" {
		return ""
	}
	article := "a"
	if strings.ContainsRune("aeiou", rune(reason[0])) {
		article = "an"
	}
	return fmt.Sprintf("the URL's host %s is %s %s: this server refuses to deliver to private, loopback and link-local addresses, so every delivery to it will fail until the operator starts lmshooks with --allow-private-targets", u.Hostname(), article, reason)
}
