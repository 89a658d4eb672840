package cli

import (
	"bytes"
	"encoding/json"
	"math"
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

// The Go runtime's memory follows --memory-budget: a soft limit of
// twice the budget and 64 MiB (192 MiB by default) makes the collector
// work harder as it nears it, instead of letting garbage grow to three
// times the live heap (GOGC=200) in a burst. An operator's GOMEMLIMIT wins.
func TestTuneGCLimitsMemoryByTheBudget(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tuneGC(func(string) string { return "" }, 64<<20)
	if got := debug.SetMemoryLimit(-1); got != 192<<20 {
		t.Errorf("memory limit with a 64 MiB budget = %d MiB, want 192", got>>20)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	tuneGC(func(k string) string { return map[string]string{"GOMEMLIMIT": "1GiB"}[k] }, 64<<20)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, tuneGC set the memory limit to %d", got)
	}
}

func TestTuneGCKeepsAnOperatorsGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tuneGC(func(string) string { return "" }, 64<<20)
	if got := debug.SetGCPercent(150); got != serverGCPercent {
		t.Fatalf("without GOGC the GC percent is %d, want %d", got, serverGCPercent)
	}
	tuneGC(func(k string) string { return map[string]string{"GOGC": "50"}[k] }, 64<<20)
	if got := debug.SetGCPercent(100); got != 150 {
		t.Fatalf("with GOGC set, tuneGC changed the GC percent to %d", got)
	}
}
