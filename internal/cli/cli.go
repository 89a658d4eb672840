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
	"syscall"

	"github.com/lmshooks/lmshooks/internal/version"
)

// env is a getenv function, so tests can pass their own environment.
type env func(string) string

const usage = `lmshooks — webhook delivery server for learning platforms

Usage:
  lmshooks serve    [flags]                 run the API and the dispatcher
  lmshooks migrate  [--db …]                apply database migrations and exit
  lmshooks reset-console-password [--db …]  replace the generated console password and print the new one
  lmshooks rekey    [--db …]                re-encrypt every stored secret under the newest encryption key
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
	case "reset-console-password":
		err = resetConsolePassword(ctx, args[1:], getenv, stdout, stderr)
	case "rekey":
		err = rekey(ctx, args[1:], getenv, stdout, stderr)
	case "listen":
		err = listenCmd(ctx, args[1:], getenv, stdout, stderr)
	case "trigger":
		err = trigger(ctx, args[1:], getenv, stdout, stderr)
	case "simulate":
		err = simulate(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, version.Line())
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

// newFlagSet returns the flag set of a command whose -h prints synopsis
// (the command line after "lmshooks ", its arguments included) before the
// flags: flag's default usage names neither the program nor the arguments.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: lmshooks %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}
