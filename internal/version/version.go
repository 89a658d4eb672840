// Package version tells which build of lmshooks is running: for the
// version command, the User-Agent of deliveries and the logs.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version returns the module version the binary was built from, or "dev"
// for a build from a checkout.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// UserAgent is the User-Agent of every delivery: receivers can tell
// lmshooks' requests, and which release sent them, from their logs.
func UserAgent() string { return "lmshooks/" + Version() }

// Line is what "lmshooks version" prints: the version, and what an operator
// needs to tell two builds of a checkout apart — the commit, whether it had
// uncommitted changes, and the Go release.
func Line() string {
	var revision, modified string
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	var parts []string
	short := revision[:min(12, len(revision))]
	// A pseudo-version (v0.0.0-…-8af7289b289f+dirty) already names it.
	if revision != "" && !strings.Contains(Version(), short) {
		c := "commit " + short
		if modified == "true" {
			c += " (modified)"
		}
		parts = append(parts, c)
	}
	parts = append(parts, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
	return fmt.Sprintf("lmshooks %s (%s)", Version(), strings.Join(parts, ", "))
}
