package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

func trigger(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("trigger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenant := fs.String("tenant", "", "tenant to publish to (required)")
	server := fs.String("server", firstNonEmpty(getenv("LMSHOOKS_SERVER"), "http://127.0.0.1:8080"), "lmshooks base URL (env LMSHOOKS_SERVER)")
	key := fs.String("key", "", "API key (default: env LMSHOOKS_API_KEY)")
	data := fs.String("data", "", "event data as a JSON object (default: the catalog example)")
	// Flags may follow the event type: move it out of the way first.
	var typ string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		typ, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if typ == "" && fs.NArg() > 0 {
		typ = fs.Arg(0)
	}
	if typ == "" {
		return fmt.Errorf("usage: lmshooks trigger <event-type> --tenant T [--data JSON]")
	}
	if *tenant == "" {
		return fmt.Errorf("--tenant is required")
	}
	if *key == "" {
		*key = getenv("LMSHOOKS_API_KEY")
	}
	if *key == "" {
		return fmt.Errorf("no API key: pass --key or set LMSHOOKS_API_KEY")
	}
	payload := json.RawMessage(*data)
	if len(payload) == 0 {
		ex, err := exampleData(typ)
		if err != nil {
			return err
		}
		payload = ex
	}
	if !json.Valid(payload) {
		return fmt.Errorf("--data is not valid JSON")
	}
	var out json.RawMessage
	c := newAPIClient(*server, *key)
	if err := c.post(ctx, tenantPath(*tenant, "/events"), map[string]any{"type": typ, "data": payload}, &out); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	fmt.Fprintf(stdout, "%s\n", out)
	return nil
}

// exampleData returns the catalog's example for typ, or a minimal object
// for a type the catalog does not know.
func exampleData(typ string) (json.RawMessage, error) {
	if !domain.ValidEventType(typ) {
		return nil, fmt.Errorf("%q is not an event type of the form <entity>.<action>", typ)
	}
	cat, err := catalog.Load()
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	if et, ok := cat.Lookup(typ); ok && len(et.Example) > 0 {
		return et.Example, nil
	}
	return json.RawMessage(`{"id":"example_1","note":"lmshooks trigger: no catalog example for this type"}`), nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
