package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/domain"
)

func trigger(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlagSet("trigger", triggerSynopsis, stderr)
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
		return fmt.Errorf("usage: lmshooks %s", triggerSynopsis)
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
	if !domain.ValidEventType(typ) {
		return fmt.Errorf("%q is not an event type of the form <entity>.<action>", typ)
	}
	c := newClient(*server, *key)
	payload := json.RawMessage(*data)
	if len(payload) == 0 {
		ex, err := exampleData(ctx, c, *tenant, typ)
		if err != nil {
			return err
		}
		payload = ex
	} else if !json.Valid(payload) {
		return fmt.Errorf("--data is not valid JSON")
	}
	ev, err := c.Publish(ctx, *tenant, client.PublishRequest{Type: typ, Data: payload})
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", out)
	if ev.Deliveries == 0 {
		// Stored but sent nowhere: the newcomer's usual surprise. Say
		// why; the event itself was published, so this is no error.
		fmt.Fprintf(stderr, "note: %s\n", whyNoDelivery(ctx, c, *tenant, typ))
	}
	return nil
}

// triggerSynopsis is trigger's command line.
const triggerSynopsis = "trigger <event-type> --tenant T [--data JSON] [--server URL] [--key KEY]"

// exampleData returns the example of typ as the tenant's catalog on the
// server has it: a builtin type's, or one of the tenant's own types'. The
// server, not this binary's catalog, is asked so that a tenant's own types
// work and a server of another version is followed.
func exampleData(ctx context.Context, c *client.Client, tenant, typ string) (json.RawMessage, error) {
	et, err := c.GetTenantEventType(ctx, tenant, typ)
	if err != nil {
		// A 404 names the unknown type (or tenant) and the closest types.
		return nil, fmt.Errorf("read the example of %s: %w", typ, err)
	}
	if len(et.Example) == 0 || string(et.Example) == "null" {
		return nil, fmt.Errorf("event type %s of tenant %s has no example: pass --data", typ, tenant)
	}
	return et.Example, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
