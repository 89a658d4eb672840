// Package cli implements lmshooks' command line: each subcommand parses its
// own flags into typed configuration and calls into the app.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
)

// env is a getenv function, so tests can pass their own environment.
type env func(string) string

const usage = `lmshooks — webhook delivery server for learning platforms

Usage:
  lmshooks serve    [flags]                 run the API and the dispatcher
  lmshooks migrate  [--db …]                apply database migrations and exit
  lmshooks listen   [--addr …] [--secret …] run a local receiver that verifies and prints deliveries
  lmshooks trigger  <event-type> --tenant T publish an example event to a running server
  lmshooks simulate --tenant T [--rate …]   publish realistic LMS activity at a steady rate (demos, load)
  lmshooks version                          print the version

Run "lmshooks <command> -h" for a command's flags.
`

// Main runs the command line and returns the process exit code.
func Main(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], getenv, stdout, stderr)
	case "listen":
		err = listenCmd(ctx, args[1:], getenv, stdout, stderr)
	case "trigger":
		err = trigger(ctx, args[1:], getenv, stdout, stderr)
	case "simulate":
		err = simulate(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, versionLine())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "lmshooks: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "lmshooks:", err)
		return 1
	}
	return 0
}

// Version returns the module version the binary was built from, or "dev"
// for a build from a checkout.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// versionLine is what "lmshooks version" prints: the version, and what an
// operator needs to tell two builds of a checkout apart — the commit, whether
// it had uncommitted changes, and the Go release.
func versionLine() string {
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
