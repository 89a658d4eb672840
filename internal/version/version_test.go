package version

import (
	"runtime"
	"strings"
	"testing"
)

func TestLineNamesVersionAndGo(t *testing.T) {
	l := Line()
	if !strings.HasPrefix(l, "lmshooks "+Version()+" (") {
		t.Fatalf("Line() = %q, want it to start with the version", l)
	}
	if !strings.Contains(l, runtime.Version()) || !strings.Contains(l, runtime.GOOS+"/"+runtime.GOARCH) {
		t.Fatalf("Line() = %q, want the Go release and platform", l)
	}
}

func TestUserAgent(t *testing.T) {
	if ua := UserAgent(); ua != "lmshooks/"+Version() {
		t.Fatalf("UserAgent() = %q", ua)
	}
}
