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
	"time"
)

// call sends a request to n and returns the status and body.
func (n *consoleNode) call(req *http.Request) (int, string) {
	n.t.Helper()
	res, err := n.client.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// apiError calls the JSON API and returns its error's status and message.
func (n *consoleNode) apiError(method, path, key, body string) (int, string) {
	n.t.Helper()
	req, _ := http.NewRequest(method, n.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	status, b := n.call(req)
	var out struct {
		Error struct{ Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(b), &out); err != nil || out.Error.Message == "" {
		n.t.Fatalf("%s %s = %d %s: no error message", method, path, status, b)
	}
	return status, out.Error.Message
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// The API and the console refuse the same bad audit filter, and the same
// bad recover range, with the same status and message: the rule and its
// words live once, in the deliveries service.
func TestAPIAndConsoleRefuseAlike(t *testing.T) {
	cfg := consoleConfig(t, filepath.Join(t.TempDir(), "app.db"))
	cfg.AdminPassword = "parity test password"
	a, err := New(context.Background(), cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Store.Close()
	n := serveConsole(t, a)
	op := a.GeneratedKey
	n.api("POST", "/api/v1/tenants", op, `{"id":"acme","name":"Acme"}`, nil)
	var wh struct{ ID string }
	n.api("POST", "/api/v1/tenants/acme/webhooks", op, `{"name":"crm","url":"https://rx.example.com/","event_types":["*"]}`, &wh)
	if status, _ := n.signIn(cfg.AdminPassword); status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", status)
	}
	console := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, n.srv.URL+path, strings.NewReader(form.Encode()))
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return n.call(req)
	}
	_, page := console("GET", "/t/acme/deliveries", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the audit page has no CSRF token")
	}
	csrf := m[1]

	now := time.Now().UTC()
	later, earlier := now.Add(time.Hour).Format(time.RFC3339), now.Add(-time.Hour).Format(time.RFC3339)
	for _, c := range []struct {
		name        string
		query       url.Values // the audit's, the same on both
		apiBody     string     // or a recover body for the API…
		consoleForm url.Values // …and the console's form of the same range
	}{
		{name: "unknown state", query: url.Values{"state": {"lost"}}},
		{name: "since not a time", query: url.Values{"since": {"yesterday"}}},
		{name: "until before since", query: url.Values{"since": {later}, "until": {earlier}}},
		{name: "cursor of another list", query: url.Values{"cursor": {"wh_01j9x2k7m3"}}},
		{name: "recover without since", apiBody: `{}`, consoleForm: url.Values{"since": {"custom"}}},
		{name: "recover from the future", apiBody: `{"since":"` + later + `"}`, consoleForm: url.Values{"since": {"custom"}, "since_time": {later}}},
		{name: "recover from no time", apiBody: `{"since":"yesterday"}`, consoleForm: url.Values{"since": {"custom"}, "since_time": {"yesterday"}}},
	} {
		var apiStatus, consoleStatus int
		var msg, body string
		if c.query != nil {
			apiStatus, msg = n.apiError("GET", "/api/v1/tenants/acme/deliveries?"+c.query.Encode(), op, "")
			consoleStatus, body = console("GET", "/t/acme/deliveries?"+c.query.Encode(), nil)
		} else {
			apiStatus, msg = n.apiError("POST", "/api/v1/tenants/acme/webhooks/"+wh.ID+"/recover", op, c.apiBody)
			c.consoleForm.Set("csrf", csrf)
			c.consoleForm.Set("webhook_id", wh.ID)
			consoleStatus, body = console("POST", "/t/acme/deliveries/recover", c.consoleForm)
		}
		if apiStatus != http.StatusUnprocessableEntity || consoleStatus != apiStatus {
			t.Errorf("%s: API %d, console %d; want 422 on both", c.name, apiStatus, consoleStatus)
		}
		if !strings.Contains(body, html.EscapeString(msg)) {
			t.Errorf("%s: the console does not say what the API says: %q", c.name, msg)
		}
	}
}
