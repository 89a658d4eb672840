package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/version"
)

func run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main(args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMainCommands(t *testing.T) {
	if code, out, _ := run("version"); code != 0 || !strings.HasPrefix(out, "lmshooks "+version.Version()+" (") || !strings.Contains(out, runtime.Version()) {
		t.Fatalf("version = %d %q", code, out)
	}
	if code, _, errOut := run("frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command = %d %q", code, errOut)
	}
	if code, _, errOut := run(); code != 2 || !strings.Contains(errOut, "Usage") {
		t.Fatalf("no command = %d %q", code, errOut)
	}
	if code, _, errOut := run("trigger", "user.created"); code != 1 || !strings.Contains(errOut, "--tenant is required") {
		t.Fatalf("trigger without tenant = %d %q", code, errOut)
	}
	if code, _, errOut := run("trigger", "user.created", "--tenant", "acme"); code != 1 || !strings.Contains(errOut, "no API key") {
		t.Fatalf("trigger without key = %d %q", code, errOut)
	}
	if code, _, errOut := run("serve", "--role", "boss"); code != 1 || !strings.Contains(errOut, "--role") {
		t.Fatalf("serve with a bad role = %d %q", code, errOut)
	}
}

func TestParseStatuses(t *testing.T) {
	got, err := parseStatuses("500, 500,200")
	if err != nil || len(got) != 3 || got[0] != 500 || got[2] != 200 {
		t.Fatalf("parseStatuses = %v, %v", got, err)
	}
	for _, bad := range []string{"abc", "99", "600", "100"} {
		if _, err := parseStatuses(bad); err == nil {
			t.Errorf("parseStatuses(%q) accepted", bad)
		}
	}
}

// trigger publishes the catalog's example of the type, or --data, with the
// key, and prints the server's answer.
func TestTriggerPublishesTheExample(t *testing.T) {
	var got []map[string]json.RawMessage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/api/v1/tenants/acme/events" || r.Header.Get("Authorization") != "Bearer lmsk_k" {
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"tenant \"x\" not found"}}`))
			return
		}
		var body map[string]json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&body)
		got = append(got, body)
		w.WriteHeader(202)
		_, _ = w.Write([]byte(`{"id":"evt_1","deliveries":2}` + "\n"))
	}))
	defer srv.Close()
	env := func(k string) string {
		return map[string]string{"LMSHOOKS_API_KEY": "lmsk_k", "LMSHOOKS_SERVER": srv.URL}[k]
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"trigger", "course_enrollment.completed", "--tenant", "acme"}, env, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("trigger = %d: %s", code, errOut.String())
	}
	if strings.TrimSpace(out.String()) != `{"id":"evt_1","deliveries":2}` {
		t.Fatalf("printed %q, want the server's answer", out.String())
	}
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	et, _ := cat.Lookup("course_enrollment.completed")
	if len(got) != 1 || string(got[0]["type"]) != `"course_enrollment.completed"` || !jsonEqual(t, got[0]["data"], et.Example) {
		t.Fatalf("published %v, want the catalog example", got)
	}

	out.Reset()
	if code := Main([]string{"trigger", "user.created", "--tenant", "acme", "--data", `{"id":"u_9"}`}, env, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("trigger --data = %d: %s", code, errOut.String())
	}
	if len(got) != 2 || string(got[1]["data"]) != `{"id":"u_9"}` {
		t.Fatalf("published %s, want the --data", got[1]["data"])
	}
	errOut.Reset()
	if code := Main([]string{"trigger", "user.created", "--tenant", "x"}, env, strings.NewReader(""), &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), `404 not_found: tenant "x" not found`) {
		t.Fatalf("trigger to an unknown tenant = %d %q", code, errOut.String())
	}
	if code := Main([]string{"trigger", "user.created", "--tenant", "acme", "--data", `{"id":`}, env, strings.NewReader(""), &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "--data is not valid JSON") {
		t.Fatalf("trigger with broken --data = %d %q", code, errOut.String())
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
