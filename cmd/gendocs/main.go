// Command gendocs regenerates docs/EVENTS.md, the reference of the builtin
// LMS event catalog, from internal/catalog. Run it from the repository root:
//
//	go run ./cmd/gendocs
//
// A test fails while the committed file differs from what it would write.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/lmshooks/lmshooks/internal/catalog"
)

func main() {
	out := flag.String("o", "docs/EVENTS.md", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// run renders the catalog and writes it to path.
func run(path string) error {
	c, err := catalog.Load()
	if err != nil {
		return err
	}
	doc, err := render(c)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
