package domain

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Redacted stands for a secret value wherever one is shown: the audit log,
// test results.
const Redacted = "[redacted]"

// reservedHeaders are set by lmshooks itself and cannot be overridden.
var reservedHeaders = map[string]bool{
	"host": true, "content-length": true, "content-type": true, "transfer-encoding": true,
	"connection": true, "keep-alive": true, "te": true, "upgrade": true, "trailer": true,
	"proxy-authorization": true, "proxy-connection": true,
	"webhook-id": true, "webhook-timestamp": true, "webhook-signature": true,
}

var headerNamePattern = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// secretNameParts are what a header name holds when its value is a
// credential; secretNameEnds what it ends with.
var (
	secretNameParts = []string{"authorization", "secret", "cookie", "password", "passwd", "credential", "api-key", "api_key", "apikey", "access-key", "private-key"}
	secretNameEnds  = []string{"-key", "_key", "-token", "_token", "-signature", "_signature", "-auth", "_auth"}
)

// SecretHeaderName reports whether a header of this name carries a
// credential, whatever the admin said: Authorization and
// Proxy-Authorization, names that end in -Key, -Token, -Signature or -Auth
// (X-Api-Key, X-Auth-Token), and names that contain Secret, Cookie,
// Password, Credential or Api-Key, in any case. It is the one rule of
// which headers are secret; a webhook adds the names its admin flagged
// (Webhook.SecretHeader).
func SecretHeaderName(name string) bool {
	var buf [64]byte
	n := lowerASCII(buf[:0], strings.TrimSpace(name))
	if string(n) == "key" || string(n) == "token" {
		return true
	}
	for _, p := range secretNamePartBytes {
		if bytes.Contains(n, p) {
			return true
		}
	}
	for _, e := range secretNameEndBytes {
		if bytes.HasSuffix(n, e) {
			return true
		}
	}
	return false
}

// The name lists as bytes, for lowerASCII's result.
var (
	secretNamePartBytes = asBytes(secretNameParts)
	secretNameEndBytes  = asBytes(secretNameEnds)
)

func asBytes(list []string) [][]byte {
	out := make([][]byte, len(list))
	for i, s := range list {
		out[i] = []byte(s)
	}
	return out
}

// lowerASCII appends s in lower case to b. The audit asks
// SecretHeaderName of every header of every attempt, so a plain ASCII name
// (as header names are) is lowered into the caller's buffer, without
// strings.ToLower's allocation; any other goes through strings.ToLower,
// whose Unicode rules (the Kelvin sign lowers to "k") must be kept.
func lowerASCII(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return []byte(strings.ToLower(s))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// SecretHeader reports whether the webhook's header name is secret: by
// its name, or flagged by the admin. Header names match in any case, as in
// HTTP.
func (w *Webhook) SecretHeader(name string) bool {
	if SecretHeaderName(name) {
		return true
	}
	return slices.ContainsFunc(w.SecretHeaders, func(s string) bool { return strings.EqualFold(s, name) })
}

// normalizeSecretHeaders keeps the flags that say something: names of the
// webhook's headers that their name does not already make secret, spelled
// as the header is, sorted.
func (w *Webhook) normalizeSecretHeaders() {
	var flagged []string
	for name := range w.Headers {
		if SecretHeaderName(name) {
			continue
		}
		if slices.ContainsFunc(w.SecretHeaders, func(s string) bool { return strings.EqualFold(s, name) }) {
			flagged = append(flagged, name)
		}
	}
	sort.Strings(flagged)
	w.SecretHeaders = flagged
}

// MaskHeaderValue returns value as the audit log shows the header name
// when it is secret: "[redacted]", after the scheme of an Authorization
// value ("Bearer [redacted]"), which says how the receiver was
// authenticated without saying with what.
func MaskHeaderValue(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		if scheme, _, ok := strings.Cut(value, " "); ok && scheme != "" {
			return scheme + " " + Redacted
		}
	}
	return Redacted
}

// MaskedHeaders returns h with the values of the headers that secret says
// are secret masked (MaskHeaderValue): a copy when there are any, h itself
// otherwise. It is how an attempt's request is recorded, and how the audit
// log shows attempts recorded before that was so.
func MaskedHeaders(h map[string][]string, secret func(name string) bool) map[string][]string {
	if !anySecret(h, secret) {
		return h
	}
	out := make(map[string][]string, len(h))
	for name, vs := range h {
		if !secret(name) {
			out[name] = vs
			continue
		}
		masked := make([]string, len(vs))
		for i, v := range vs {
			masked[i] = MaskHeaderValue(name, v)
		}
		out[name] = masked
	}
	return out
}

// anySecret says whether secret says any header of h is.
func anySecret(h map[string][]string, secret func(name string) bool) bool {
	for name := range h {
		if secret(name) {
			return true
		}
	}
	return false
}

// validateHeaders checks the extra request headers: valid names that
// lmshooks does not set itself, each given once (in any case), values of
// one line.
func (w *Webhook) validateHeaders() error {
	names := make([]string, 0, len(w.Headers))
	for k := range w.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	seen := make(map[string]string, len(names))
	for _, k := range names {
		f := "headers." + k
		if !headerNamePattern.MatchString(k) {
			return FieldErrorf(f, "is not a valid header name")
		}
		lk := strings.ToLower(k)
		if reservedHeaders[lk] || strings.HasPrefix(lk, "webhook-") {
			return FieldErrorf(f, "is reserved: lmshooks sets it")
		}
		if lk == "authorization" && w.BasicAuth != nil {
			return FieldErrorf(f, "conflicts with basic_auth")
		}
		if other, dup := seen[lk]; dup {
			return FieldErrorf(f, "is the same header as %q: header names are case-insensitive", other)
		}
		seen[lk] = k
		if strings.ContainsAny(w.Headers[k], "\r\n") {
			return FieldErrorf(f, "must not contain line breaks")
		}
		if !ValidText(w.Headers[k]) {
			return textError(f)
		}
	}
	return nil
}
