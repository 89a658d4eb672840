package app

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAPIAndConsoleRefuseAlike sends the same bad webhook to the JSON API
// and to the console's form on one node: both refuse it with the same
// status and the same message, which the console shows next to the field.
func TestAPIAndConsoleRefuseWebhookInputAlike(t *testing.T) {
	cfg := consoleConfig(t, filepath.Join(t.TempDir(), "app.db"))
	cfg.APIKey = "lmsk_configured_operator_key"
	cfg.AdminPassword = "correct horse battery staple"
	a, err := New(context.Background(), cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Store.Close()
	n := serveConsole(t, a)
	// call answers the API's status and body, whatever they are.
	call := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, n.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+cfg.APIKey)
		res, err := n.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	// send is the browser's request to the console.
	send := func(path string, form url.Values) (int, string) {
		t.Helper()
		var res *http.Response
		var err error
		if form == nil {
			res, err = n.client.Get(n.srv.URL + path)
		} else {
			res, err = n.client.PostForm(n.srv.URL+path, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	n.api("POST", "/api/v1/tenants", cfg.APIKey, `{"id":"acme","name":"Acme"}`, nil)
	if code, _ := n.signIn(cfg.AdminPassword); code != http.StatusSeeOther {
		t.Fatalf("sign in = %d", code)
	}
	_, page := send("/t/acme/webhooks/new", nil)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatal("no CSRF token on the new webhook page")
	}

	cases := []struct {
		name string
		// api and form are the same webhook; field is the form field the
		// console shows the error next to.
		api   map[string]any
		form  url.Values
		field string
	}{
		{"bad URL",
			map[string]any{"url": "ftp://hooks.example.com/x"},
			url.Values{"url": {"ftp://hooks.example.com/x"}}, "url"},
		{"URL with no port",
			map[string]any{"url": "https://hooks.example.com:0/x"},
			url.Values{"url": {"https://hooks.example.com:0/x"}}, "url"},
		{"URL with an empty label",
			map[string]any{"url": "https://hooks..example.com/x"},
			url.Values{"url": {"https://hooks..example.com/x"}}, "url"},
		{"unknown format option",
			map[string]any{"format": "cloudevents", "format_options": map[string]any{"mood": "binary"}},
			url.Values{"format": {"cloudevents"}, "format_options": {`{"mood": "binary"}`}}, "format_options"},
		{"filter that does not compile",
			map[string]any{"filter": `data.course.id in [`},
			url.Values{"filter": {`data.course.id in [`}}, "filter"},
		{"filter that does not fit the subscribed type",
			map[string]any{"event_types": []string{"user.created"}, "filter": `data.course.id == "c_1"`},
			url.Values{"event_types": {"user.created"}, "filter": {`data.course.id == "c_1"`}}, "filter"},
		{"unknown event type",
			map[string]any{"event_types": []string{"user.craeted"}},
			url.Values{"event_types": nil, "other_types": {"user.craeted"}}, "other_types"},
		{"unknown ordering",
			map[string]any{"ordering": "fifo"},
			url.Values{"ordering": {"fifo"}}, "ordering"},
		{"unknown ordering failure mode",
			map[string]any{"ordering": "key", "ordering_failure": "retry"},
			url.Values{"ordering": {"key"}, "ordering_failure": {"retry"}}, "ordering_failure"},
		{"secret of another scheme",
			map[string]any{"signature_scheme": "ed25519", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
			url.Values{"signature_scheme": {"ed25519"}, "secret": {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}, "secret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := map[string]any{"name": "HRIS", "url": "https://hooks.example.com/lms", "event_types": []string{"course_enrollment.completed"}}
			for k, v := range c.api {
				body[k] = v
			}
			j, _ := json.Marshal(body)
			apiStatus, raw := call("POST", "/api/v1/tenants/acme/webhooks", string(j))
			var eb struct{ Error struct{ Message string } }
			if err := json.Unmarshal(raw, &eb); err != nil || eb.Error.Message == "" {
				t.Fatalf("API answered %d %s", apiStatus, raw)
			}

			form := url.Values{
				"csrf": {csrf[1]}, "name": {"HRIS"}, "url": {"https://hooks.example.com/lms"},
				"event_types": {"course_enrollment.completed"}, "enabled": {"on"}, "format": {"standard"},
				"signature_scheme": {"hmac-sha256"}, "timeout_seconds": {"10"}, "retry_policy": {"standard"}, "success_status": {"2xx"},
			}
			for k, v := range c.form {
				form[k] = v
			}
			consoleStatus, page := send("/t/acme/webhooks", form)
			shown := fieldError(page, c.field)
			if consoleStatus != apiStatus || shown != eb.Error.Message {
				t.Errorf("API: %d %q\nconsole: %d %q next to %s", apiStatus, eb.Error.Message, consoleStatus, shown, c.field)
			}
		})
	}

	// A URL that deliveries may not reach is saved with the same warning.
	apiStatus, raw := call("POST", "/api/v1/tenants/acme/webhooks", `{"name":"Local","url":"http://127.0.0.1:9/x","event_types":["*"]}`)
	var saved struct{ Warnings []string }
	if err := json.Unmarshal(raw, &saved); err != nil || apiStatus != http.StatusCreated || len(saved.Warnings) != 1 {
		t.Fatalf("API answered %d %s, want 201 with one warning", apiStatus, raw)
	}
	consoleStatus, page := send("/t/acme/webhooks", url.Values{
		"csrf": {csrf[1]}, "name": {"Local"}, "url": {"http://127.0.0.1:9/x"}, "event_types": {"*"}, "enabled": {"on"},
		"format": {"standard"}, "signature_scheme": {"hmac-sha256"}, "timeout_seconds": {"10"}, "retry_policy": {"standard"}, "success_status": {"2xx"},
	})
	if consoleStatus != http.StatusOK || !strings.Contains(html.UnescapeString(page), "Note: "+saved.Warnings[0]) {
		t.Errorf("console answered %d without the API's warning %q", consoleStatus, saved.Warnings[0])
	}

	// The tenant's cap: the same conflict, shown above the form.
	n.api("PATCH", "/api/v1/tenants/acme", cfg.APIKey, `{"max_webhooks":3}`, nil)
	hook := `{"name":"HRIS","url":"https://hooks.example.com/lms","event_types":["*"]}`
	n.api("POST", "/api/v1/tenants/acme/webhooks", cfg.APIKey, hook, nil)
	apiStatus, raw = call("POST", "/api/v1/tenants/acme/webhooks", hook)
	var eb struct{ Error struct{ Message string } }
	_ = json.Unmarshal(raw, &eb)
	consoleStatus, page = send("/t/acme/webhooks", url.Values{
		"csrf": {csrf[1]}, "name": {"HRIS"}, "url": {"https://hooks.example.com/lms"}, "event_types": {"*"}, "enabled": {"on"},
		"format": {"standard"}, "signature_scheme": {"hmac-sha256"}, "timeout_seconds": {"10"}, "retry_policy": {"standard"}, "success_status": {"2xx"},
	})
	if apiStatus != http.StatusConflict || consoleStatus != apiStatus || eb.Error.Message == "" || !strings.Contains(html.UnescapeString(page), eb.Error.Message) {
		t.Errorf("cap: API %d %q, console %d", apiStatus, eb.Error.Message, consoleStatus)
	}
}

// fieldError returns the error the page shows next to a form field.
func fieldError(page, field string) string {
	i := strings.Index(page, `name="`+field+`"`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	if j := strings.Index(rest[1:], `<div class="field`); j >= 0 {
		rest = rest[:j+1]
	}
	m := regexp.MustCompile(`role="alert">([^<]*)<`).FindStringSubmatch(rest)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}
