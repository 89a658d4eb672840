package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/signature"
)

// Fixed inputs of the golden requests: every byte of every golden file is
// a function of these and the catalog examples.
const (
	goldenSecret   = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
	goldenTenant   = "6499"
	goldenEvent    = "evt_01jq8z6w3n9xk2b7r4t5y6u8v0"
	goldenDelivery = "dlv_01jq8z6w4c2m5p8r1t4v7x0z3b"
	goldenWebhook  = "wh_01jq8z5k0a1b2c3d4e5f6g7h8j"
	goldenURL      = "https://hooks.example.com/lms"
	// goldenCypherToken is a shared token the admin puts in a CYPHER
	// parameter, the way a CYPHER receiver authenticates requests.
	goldenCypherToken = "tok_5f2a9c0e7b4d81"
)

var (
	goldenOccurred = time.Date(2025, 3, 14, 9, 26, 53, 123_000_000, time.UTC)
	goldenNow      = time.Date(2025, 3, 14, 9, 26, 54, 456_789_000, time.UTC)
)

// goldenProfile is one format with one set of options; its golden files
// are testdata/golden/<dir>/<event type>.http.
type goldenProfile struct {
	dir, format, options string
	// only limits the profile to these types (nil: every supported type).
	only []string
}

var goldenProfiles = []goldenProfile{
	{dir: "standard", format: "standard"},
	{dir: "riseup", format: "riseup"},
	{dir: "articulate", format: "articulate", options: `{"api_base_url":"https://api.rise.com"}`},
	{dir: "innovative-educators", format: "innovative-educators"},
	{dir: "cypher", format: "cypher"},
	{dir: "cypher-parameters", format: "cypher", only: []string{"course_enrollment.completed", "user.created"},
		options: `{"parameters":{"email":"@user_email","first_name":"@user_first_name","course":"@course_name","score":"@score","passed":"@passed","note":"Completed @course_code on @completed_at (@{/certificate_id})","contact":"lms@acme.com","token":"` + goldenCypherToken + `"}}`},
	{dir: "absorb", format: "absorb"},
	{dir: "cloudevents", format: "cloudevents"},
	{dir: "cloudevents-binary", format: "cloudevents", options: `{"mode":"binary","source":"https://learn.acme.com/tenants/{tenant_id}","type_prefix":"com.acme.lms."}`},
	{dir: "xapi", format: "xapi", options: `{"base_url":"https://learn.acme.com","platform":"Acme Learn"}`},
}

// goldenWebhook returns the webhook of a profile subscribed to typ.
func goldenHook(p goldenProfile, typ string) *domain.Webhook {
	w := &domain.Webhook{
		ID: goldenWebhook, TenantID: goldenTenant, Name: "golden", URL: goldenURL,
		EventTypes: []string{typ}, Enabled: true, Format: p.format, Secret: goldenSecret,
	}
	if p.options != "" {
		w.FormatOptions = json.RawMessage(p.options)
	}
	w.Normalize()
	return w
}

// renderWire renders ev for w and adds what the dispatcher adds (the
// Standard Webhooks headers unless the format skips them), returning the
// request as text: request line, sorted headers, blank line, body.
func renderWire(t *testing.T, r Renderer, ev *domain.Event, w *domain.Webhook) string {
	t.Helper()
	dl := &domain.Delivery{ID: goldenDelivery, EventID: ev.ID, WebhookID: w.ID, TenantID: w.TenantID}
	req, err := r.Render(ev, dl, w, goldenNow)
	if err != nil {
		t.Fatalf("%s %s: %v", w.Format, ev.Type, err)
	}
	h := http.Header{}
	for k, v := range req.Header {
		h[k] = v
	}
	h.Set("Content-Type", req.ContentType)
	if !req.SkipStandardSignature {
		sig, err := signature.Sign(w.ActiveSecrets(goldenNow), dl.ID, goldenNow, req.Body)
		if err != nil {
			t.Fatal(err)
		}
		h.Set(signature.HeaderID, dl.ID)
		h.Set(signature.HeaderTimestamp, strconv.FormatInt(goldenNow.Unix(), 10))
		h.Set(signature.HeaderSignature, sig)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s\n", w.URL)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.Write(req.Body)
	b.WriteString("\n")
	return b.String()
}

// TestGolden renders every catalog example in every format that supports
// its type and compares the whole request with testdata/golden. Run
// `go test ./internal/format -update` to rewrite the files after an
// intended change, and review the diff.
func TestGolden(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	reg := Default()
	root := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(root); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, p := range goldenProfiles {
		r, ok := reg.Lookup(p.format)
		if !ok {
			t.Fatalf("no renderer %s", p.format)
		}
		count := 0
		for _, et := range cat.All() {
			if p.only != nil && !slices.Contains(p.only, et.Type) {
				continue
			}
			w := goldenHook(p, et.Type)
			if _, err := reg.Validate(w); err != nil {
				if domain.ErrorField(err) != "event_types" {
					t.Fatalf("%s: %s: %v", p.dir, et.Type, err)
				}
				continue // the format cannot express this type
			}
			ev := &domain.Event{ID: goldenEvent, TenantID: goldenTenant, Type: et.Type, OccurredAt: goldenOccurred, Data: et.Example}
			got := renderWire(t, r, ev, w)
			file := filepath.Join(root, p.dir, et.Type+".http")
			seen[file] = true
			count++
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Errorf("%v (run go test ./internal/format -update)", err)
				continue
			}
			if got != string(want) {
				t.Errorf("%s differs from the rendered request (run with -update if intended)\n got:\n%s\nwant:\n%s", file, got, want)
			}
		}
		if count == 0 {
			t.Errorf("profile %s rendered no event type", p.dir)
		}
	}
	// No golden file is left over from a type or profile that is gone.
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !seen[path] {
			t.Errorf("stale golden file %s (run with -update)", path)
		}
		return nil
	})
}

// TestGoldenBodiesAreValid checks every golden JSON body parses and every
// form body decodes, so a golden file can never enshrine broken output.
func TestGoldenBodiesAreValid(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*.http"))
	if len(files) < 300 {
		t.Fatalf("only %d golden files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, body, ok := bytes.Cut(b, []byte("\n\n"))
		if !ok {
			t.Fatalf("%s has no body", f)
		}
		body = bytes.TrimSuffix(body, []byte("\n"))
		if bytes.Contains(b, []byte("application/x-www-form-urlencoded")) {
			continue // checked by the cypher tests
		}
		if !json.Valid(body) {
			t.Errorf("%s: body is not valid JSON", f)
		}
	}
}
