// Command lmshooks is the webhook delivery server for learning platforms.
// Run "lmshooks help" for its commands.
package main

import (
	"os"

	"github.com/lmshooks/lmshooks/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
