package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleRevocationReachesAPICache revokes a key in the console and
// checks that the API on the same node refuses it at once, although it
// had cached the key a moment before.
func TestConsoleRevocationReachesAPICache(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "app.db"))
	cfg.APIKey = "lmsk_configured_operator_key"
	cfg.AdminPassword = "correct horse battery staple"
	cfg.SecureCookies = false
	a, err := New(context.Background(), cfg, quiet(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Store.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()

	call := func(method, path, key, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := call("POST", "/api/v1/tenants", cfg.APIKey, `{"id":"acme","name":"Acme"}`); code != 201 {
		t.Fatalf("create tenant: %d %s", code, body)
	}
	code, body := call("POST", "/api/v1/tenants/acme/api-keys", cfg.APIKey, `{"name":"lms"}`)
	if code != 201 {
		t.Fatalf("create key: %d %s", code, body)
	}
	var k struct{ ID, Key string }
	if err := json.Unmarshal([]byte(body), &k); err != nil {
		t.Fatal(err)
	}
	if code, _ := call("GET", "/api/v1/tenants/acme", k.Key, ""); code != 200 {
		t.Fatalf("new key answered %d", code)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) int {
		t.Helper()
		res, err := browser.PostForm(srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := post("/login", url.Values{"password": {cfg.AdminPassword}}); code != http.StatusSeeOther {
		t.Fatalf("login = %d", code)
	}
	res, err := browser.Get(srv.URL + "/tenants/acme/api-keys")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the keys page (status %d)", res.StatusCode)
	}
	if code := post("/tenants/acme/api-keys/"+k.ID+"/revoke", url.Values{"csrf": {string(m[1])}, "confirm": {"yes"}}); code != http.StatusSeeOther {
		t.Fatalf("revoke = %d", code)
	}
	if code, _ := call("GET", "/api/v1/tenants/acme", k.Key, ""); code != http.StatusUnauthorized {
		t.Fatalf("revoked key answered %d, want 401 at once", code)
	}
}
