package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"runtime"
	"runtime/debug"
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

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func TestTuneGCKeepsAnOperatorsGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(150); got != serverGCPercent {
		t.Fatalf("without GOGC the GC percent is %d, want %d", got, serverGCPercent)
	}
	tuneGC(func(k string) string { return map[string]string{"GOGC": "50"}[k] })
	if got := debug.SetGCPercent(100); got != 150 {
		t.Fatalf("with GOGC set, tuneGC changed the GC percent to %d", got)
	}
}
