package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/catalog"
)

// TestGeneratedFilesUpToDate fails when docs/EVENTS.md or
// internal/api/openapi.json no longer match their sources, so that the
// published reference and the served contract cannot drift from the code.
func TestGeneratedFilesUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Errorf("%s: %v; run `go run ./cmd/gendocs` from the repository root", path, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `go run ./cmd/gendocs` from the repository root", path)
		}
	}
}

func TestEventsDocListsEveryType(t *testing.T) {
	files, err := generate(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	doc := files[eventsDoc]
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, et := range c.All() {
		if !bytes.Contains(doc, []byte("### `"+et.Type+"`")) {
			t.Errorf("no section for %s", et.Type)
		}
	}
	// A field table row derived from the schema, a variable, an example
	// value and a link to a shared object.
	for _, s := range []string{
		"| `completed_at` | string (date-time) | yes | When the learner completed the course. |",
		"| `@user_email` | `/user/email` | Email address of the learner. |",
		`"email": "ana.lopez@acme.com"`,
		"| `user` | [User reference](#def-user_ref) | yes | The learner. |",
		"### User reference (`user_ref`)",
		"Default ordering key: `/id`.",
		"Default ordering key: `/user/id`.",
	} {
		if !strings.Contains(string(doc), s) {
			t.Errorf("EVENTS.md lacks %q", s)
		}
	}
}

func TestWriteReportsFailure(t *testing.T) {
	err := write(t.TempDir(), map[string][]byte{"missing-dir/EVENTS.md": []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "EVENTS.md") {
		t.Fatalf("write into a missing directory: got %v, want an error naming the file", err)
	}
}
