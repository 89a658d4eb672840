package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// contractTools is where .ci/run installs the npm tools of the contract
// (tools/contract/package.json).
var contractTools = filepath.Join("..", "tools", "contract", "node_modules")

// needContractTools returns the absolute path of the installed npm tools,
// or skips the test when Node.js or the tools are missing on a
// workstation. In CI (CI=true), where .ci/run installs them, it fails.
func needContractTools(t *testing.T) string {
	t.Helper()
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed (apt-get install nodejs npm)"
	} else if _, err := os.Stat(filepath.Join(contractTools, ".bin", "openapi-typescript")); err != nil {
		missing = "the npm tools are not installed (cd tools/contract && npm ci)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the TypeScript contract test must run in CI: %s", missing)
		}
		t.Skipf("skipping the TypeScript contract test: %s", missing)
	}
	abs, err := filepath.Abs(contractTools)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestTypeScriptClientFromTheContract proves that others can use the
// OpenAPI document: it generates a TypeScript client from the document a
// real lmshooks serves (openapi-typescript), compiles a program that uses
// it (tsc) and runs it (node) against that server to create a tenant, a
// key and a webhook pointing at a Go receiver, publish an event and read
// the delivery back.
func TestTypeScriptClientFromTheContract(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary, and Node.js")
	}
	tools := needContractTools(t)
	bin := buildBinary(t)
	addr := freePort(t)
	c := startChild(t, bin, addr, filepath.Join(t.TempDir(), "ts.db"))
	rc := newReceiver(t, nil)
	secret := newSecret(t)
	rc.setSecret(secret)

	dir := t.TempDir()
	for _, f := range []string{"roundtrip.ts", "tsconfig.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "tsclient", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"type": "module", "private": true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(tools, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}

	bins := filepath.Join(tools, ".bin")
	runIn(t, dir, nil, filepath.Join(bins, "openapi-typescript"), c.base+"/api/v1/openapi.json", "-o", "schema.d.ts")
	runIn(t, dir, nil, filepath.Join(bins, "tsc"), "-p", ".")
	out := runIn(t, dir, []string{
		"LMSHOOKS_URL=" + c.base,
		"LMSHOOKS_KEY=" + operatorKey,
		"RECEIVER_URL=" + rc.URL,
		"WEBHOOK_SECRET=" + secret,
	}, "node", filepath.Join("out", "roundtrip.js"))

	var got struct {
		Tenant               string  `json:"tenant"`
		WebhookID            string  `json:"webhook_id"`
		WebhookSecretMatches bool    `json:"webhook_secret_matches"`
		EventID              string  `json:"event_id"`
		Deliveries           int     `json:"deliveries"`
		DeliveryID           string  `json:"delivery_id"`
		State                string  `json:"state"`
		Attempts             int     `json:"attempts"`
		ResponseStatus       *int    `json:"response_status"`
		MissingStatus        int     `json:"missing_status"`
		MissingCode          *string `json:"missing_code"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("the program printed %q: %v", out, err)
	}
	if got.Tenant != "ts-acme" || !strings.HasPrefix(got.WebhookID, "wh_") || !got.WebhookSecretMatches ||
		!strings.HasPrefix(got.EventID, "evt_") || got.Deliveries != 1 {
		t.Errorf("what the program created: %+v", got)
	}
	if got.State != "succeeded" || got.Attempts != 1 || got.ResponseStatus == nil || *got.ResponseStatus != 200 {
		t.Errorf("the delivery it read: %+v", got)
	}
	if got.MissingStatus != 404 || got.MissingCode == nil || *got.MissingCode != "not_found" {
		t.Errorf("the error it read: status %d code %v", got.MissingStatus, got.MissingCode)
	}

	// What the receiver got is what the program read: one signed request
	// carrying the event the program published.
	reqs, bad := rc.snapshot()
	if len(bad) > 0 {
		t.Fatalf("bad signatures: %v", bad)
	}
	if len(reqs) != 1 {
		t.Fatalf("the receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.WebhookID != got.DeliveryID || r.EventID != got.EventID || r.Type != "user.created" || r.Header.Get("X-From") != "typescript" {
		t.Errorf("the receiver got webhook-id %q event %q type %q X-From %q; the program read delivery %q event %q",
			r.WebhookID, r.EventID, r.Type, r.Header.Get("X-From"), got.DeliveryID, got.EventID)
	}
	var body struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Data["email"] != "ana@acme.example" {
		t.Errorf("delivered body %s", r.Body)
	}
}

// newSecret returns a fresh webhook secret, "whsec_" and 32 random bytes.
func newSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// runIn runs a command in dir with extra environment variables, within
// minute, and returns its standard output; it fails the test with the
// command's output when it fails.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}
