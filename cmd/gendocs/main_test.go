package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/catalog"
)

// TestEventsDocUpToDate fails when docs/EVENTS.md no longer matches the
// catalog, so that the published reference cannot drift from the code.
func TestEventsDocUpToDate(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	want, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "docs", "EVENTS.md"))
	if err != nil {
		t.Fatalf("docs/EVENTS.md: %v; run `go run ./cmd/gendocs` from the repository root", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/EVENTS.md is stale: run `go run ./cmd/gendocs` from the repository root")
	}
}

func TestRunWritesEveryType(t *testing.T) {
	out := filepath.Join(t.TempDir(), "EVENTS.md")
	if err := run(out); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
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
	} {
		if !strings.Contains(string(doc), s) {
			t.Errorf("EVENTS.md lacks %q", s)
		}
	}
}

func TestRunReportsWriteFailure(t *testing.T) {
	err := run(filepath.Join(t.TempDir(), "missing-dir", "EVENTS.md"))
	if err == nil || !strings.Contains(err.Error(), "EVENTS.md") {
		t.Fatalf("run into a missing directory: got %v, want an error naming the file", err)
	}
}
