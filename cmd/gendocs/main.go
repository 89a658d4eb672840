// Command gendocs regenerates the files that are written from the code:
//
//   - docs/EVENTS.md, the reference of the builtin LMS event catalog, from
//     internal/catalog;
//   - internal/api/openapi.json, the OpenAPI 3.1 document the server embeds
//     and serves, from internal/api/openapi.src.yaml, the API's route table,
//     the catalog and docs/API.md's examples.
//
// Run it from the repository root:
//
//	go run ./cmd/gendocs
//
// A test fails while a committed file differs from what it would write.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/lmshooks/lmshooks/internal/api"
	"github.com/lmshooks/lmshooks/internal/catalog"
)

// The files gendocs reads and writes, relative to the repository root.
const (
	eventsDoc     = "docs/EVENTS.md"
	apiDoc        = "docs/API.md"
	openAPISource = "internal/api/openapi.src.yaml"
	openAPIDoc    = "internal/api/openapi.json"
)

func main() {
	if err := run("."); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// run regenerates every file under the repository root.
func run(root string) error {
	files, err := generate(root)
	if err != nil {
		return err
	}
	return write(root, files)
}

// generate returns every generated file's content by its path.
func generate(root string) (map[string][]byte, error) {
	c, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	events, err := render(c)
	if err != nil {
		return nil, err
	}
	source, err := os.ReadFile(filepath.Join(root, openAPISource))
	if err != nil {
		return nil, err
	}
	md, err := os.ReadFile(filepath.Join(root, apiDoc))
	if err != nil {
		return nil, err
	}
	doc, err := renderOpenAPI(openAPISources{Source: source, APIDoc: md, Routes: api.Routes(), Catalog: c})
	if err != nil {
		return nil, err
	}
	return map[string][]byte{eventsDoc: events, openAPIDoc: doc}, nil
}

// write writes files under root.
func write(root string, files map[string][]byte) error {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var errs []error
	for _, p := range paths {
		if err := os.WriteFile(filepath.Join(root, p), files[p], 0o644); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}
