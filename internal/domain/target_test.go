package domain

import (
	"strings"
	"testing"
)

// A URL that no request can reach is refused when it is saved, on url,
// rather than failing every delivery later.
func TestValidateURL(t *testing.T) {
	for _, u := range []string{
		"",
		"ftp://hooks.example.com/",
		"https:///path",
		"https://user:pw@hooks.example.com/",
		"https://hooks.example.com/#frag",
		"http://hooks.example.com:0/x",
		"http://hooks.example.com:65536/x",
		"http://hooks.example.com:99999999999/x",
		"http://hooks.example.com:-1/x",
		"http://-/",
		"http://a..b/",
		"http://.example.com/",
		"http://example.com../",
		"http://-example.com/",
		"http://example-.com/",
		"http://exa$mple.com/",
		"http://10.0.0.300/",
		"http://1.2.3/",
		"http://hooks.example.com/a b",
		"http://hooks.example.com/?q=a b",
		"http://hooks.example.com/\u00a0",
		"http://hooks.example.com/a\tb",
		"http://" + strings.Repeat("a", 64) + ".com/",
	} {
		err := ValidateURL(u)
		if ErrorCode(err) != EINVALID || ErrorField(err) != "url" {
			t.Errorf("ValidateURL(%q) = %v, want EINVALID on url", u, err)
		}
	}
	for _, u := range []string{
		"https://hooks.example.com",
		"http://hooks.example.com:65535/x",
		"http://hooks.example.com:1/x",
		"http://hooks.example.com:/x",
		"https://hooks.example.com./x",
		"https://bücher.example/x",
		"https://my_service.internal/x",
		"http://10.0.0.3:8080/x",
		"http://[2001:db8::1]:8080/x",
		"http://[fe80::1%25eth0]/x",
		"https://hooks.example.com/a%20b?q=a+b",
		"https://xn--bcher-kva.example/",
		"https://3com.example/",
	} {
		if err := ValidateURL(u); err != nil {
			t.Errorf("ValidateURL(%q) = %v, want nil", u, err)
		}
	}
}

// A URL whose host is a non-public address or localhost gets a warning
// that names what it is; any other gets none.
func TestTargetWarning(t *testing.T) {
	for u, says := range map[string]string{
		"http://127.0.0.1:8080/x":   "is a loopback address",
		"http://LOCALHOST./x":       "is a loopback address (localhost)",
		"http://app.localhost/x":    "is a loopback address (localhost)",
		"http://0.0.0.0/x":          "is an unspecified address",
		"http://[fd00::1]/x":        "is a private address",
		"http://169.254.169.254/x":  "cloud metadata",
		"http://[::ffff:10.1.2.3]/": "is a private address",
	} {
		if w := TargetWarning(u); !strings.Contains(w, says) || !strings.Contains(w, "--allow-private-targets") {
			t.Errorf("TargetWarning(%q) = %q, want it to say %q", u, w, says)
		}
	}
	for _, u := range []string{"https://hooks.example.com/x", "http://8.8.8.8/", "http://localhost.example.com/", "http://[2606:4700::1]/"} {
		if w := TargetWarning(u); w != "" {
			t.Errorf("TargetWarning(%q) = %q, want none", u, w)
		}
	}
}
