package signature

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The receiver snippets in docs/SIGNATURES.md are run against the test
// vectors, so the documentation cannot drift from what lmshooks sends.
const signaturesDoc = "../docs/SIGNATURES.md"

// codeBlocks returns the fenced blocks of the given language, in order,
// joined; keep, when not nil, picks the blocks to join.
func codeBlocks(t *testing.T, lang string, keep func(block string) bool) string {
	t.Helper()
	doc, err := os.ReadFile(signaturesDoc)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?ms)^```" + regexp.QuoteMeta(lang) + "\n(.*?)^```")
	var b strings.Builder
	for _, m := range re.FindAllStringSubmatch(string(doc), -1) {
		if keep == nil || keep(m[1]) {
			b.WriteString(m[1])
			b.WriteString("\n")
		}
	}
	if b.Len() == 0 {
		t.Fatalf("no such ```%s block in %s", lang, signaturesDoc)
	}
	return b.String()
}

// usesCryptography tells the Python blocks that need the cryptography
// package (ed25519) from those of the standard library alone.
func usesCryptography(block string) bool { return strings.Contains(block, "cryptography") }

// readVectors returns the test vectors.
func readVectors(t *testing.T) []vector {
	t.Helper()
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var set vectorSet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	return set.Vectors
}

// countKeys counts the vectors' verify keys with the given prefixes.
func countKeys(t *testing.T, prefixes ...string) int {
	t.Helper()
	n := 0
	for _, v := range readVectors(t) {
		for _, k := range v.VerifyKeys {
			for _, p := range prefixes {
				if strings.HasPrefix(k, p) {
					n++
				}
			}
		}
	}
	return n
}

func runSnippet(t *testing.T, interpreter, file, code string) string {
	t.Helper()
	path, err := exec.LookPath(interpreter)
	if err != nil {
		t.Skipf("%s not installed", interpreter)
	}
	script := filepath.Join(t.TempDir(), file)
	if err := os.WriteFile(script, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	vectors, err := filepath.Abs(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, script, vectors).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", interpreter, err, out)
	}
	return strings.TrimSpace(string(out))
}

const nodeHarness = `
const fs = require("node:fs");
const set = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let n = 0;
for (const v of set.vectors) {
  const ts = String(v.timestamp);
  const headers = { "webhook-id": v.msg_id, "webhook-timestamp": ts, "webhook-signature": v.signature };
  const body = Buffer.from(v.body, "utf8");
  for (const k of v.verify_keys) {
    const check = (b) => k.startsWith("whsec_") ? verifyWebhook(k, headers, b) : verifyWebhookEd25519(k, v.msg_id, ts, v.signature, b);
    Date.now = () => v.timestamp * 1000 + 60000;
    check(body);
    n++;
    let rejected = false;
    try { check(Buffer.concat([body, Buffer.from(" ")])); } catch { rejected = true; }
    if (!rejected) throw new Error(v.name + ": tampered body accepted");
    if (k.startsWith("whsec_")) {
      Date.now = () => v.timestamp * 1000 + 3600000;
      rejected = false;
      try { check(body); } catch { rejected = true; }
      if (!rejected) throw new Error(v.name + ": stale timestamp accepted");
    }
  }
}
console.log(n);
`

// pythonHarness checks verify_webhook with every whsec_ key of the
// vectors; pythonEd25519Harness checks verify_webhook_ed25519 with every
// whpk_ key.
const pythonHarness = `
import json, sys
vectors = json.load(open(sys.argv[1], encoding="utf-8"))["vectors"]
n = 0
for v in vectors:
    headers = {"webhook-id": v["msg_id"], "webhook-timestamp": str(v["timestamp"]), "webhook-signature": v["signature"]}
    body = v["body"].encode()
    for k in v["verify_keys"]:
        if not k.startswith("whsec_"):
            continue
        time.time = lambda: v["timestamp"] + 60
        verify_webhook(k, headers, body)
        n += 1
        for bad_body, now in ((body + b" ", v["timestamp"]), (body, v["timestamp"] + 3600)):
            time.time = lambda: now
            try:
                verify_webhook(k, headers, bad_body)
            except ValueError:
                continue
            raise SystemExit(v["name"] + ": bad delivery accepted")
print(n)
`

const pythonEd25519Harness = `
import json, sys
vectors = json.load(open(sys.argv[1], encoding="utf-8"))["vectors"]
n = 0
for v in vectors:
    ts, body = str(v["timestamp"]), v["body"].encode()
    for k in v["verify_keys"]:
        if not k.startswith("whpk_"):
            continue
        verify_webhook_ed25519(k, v["msg_id"], ts, v["signature"], body)
        n += 1
        try:
            verify_webhook_ed25519(k, v["msg_id"], ts, v["signature"], body + b" ")
        except ValueError:
            continue
        raise SystemExit(v["name"] + ": tampered body accepted")
print(n)
`

func TestDocsNodeSnippet(t *testing.T) {
	got := runSnippet(t, "node", "verify.js", codeBlocks(t, "js", nil)+nodeHarness)
	if want := strconv.Itoa(countKeys(t, SecretPrefix, PublicKeyPrefix)); got != want {
		t.Fatalf("node verified %q vectors' keys, want %s", got, want)
	}
}

func TestDocsPythonSnippet(t *testing.T) {
	stdlib := func(b string) bool { return !usesCryptography(b) }
	got := runSnippet(t, "python3", "verify.py", codeBlocks(t, "python", stdlib)+pythonHarness)
	if want := strconv.Itoa(countKeys(t, SecretPrefix)); got != want {
		t.Fatalf("python verified %q vectors' keys, want %s", got, want)
	}
}

// The Python ed25519 snippet needs the cryptography package: it runs with
// the first python3 that can import it (the one on PATH, else Debian's,
// which .ci/run completes with python3-cryptography), fails in CI without
// one, and is skipped, saying so, elsewhere.
func TestDocsPythonEd25519Snippet(t *testing.T) {
	python := ""
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(name)
		if err == nil && exec.Command(path, "-c", "import cryptography").Run() == nil {
			python = path
			break
		}
	}
	if python == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no python3 can import cryptography in CI: .ci/run installs python3-cryptography")
		}
		t.Skip("the Python ed25519 snippet of docs/SIGNATURES.md is not run: no python3 can import cryptography (apt-get install python3-cryptography, or pip install cryptography)")
	}
	got := runSnippet(t, python, "verify_ed25519.py", codeBlocks(t, "python", usesCryptography)+pythonEd25519Harness)
	if want := strconv.Itoa(countKeys(t, PublicKeyPrefix)); got != want {
		t.Fatalf("python verified %q vectors' ed25519 keys, want %s", got, want)
	}
}

// The page's Go ed25519 snippet is verifyEd25519 of docsnippets_test.go,
// verbatim, and it verifies every whpk_ key of the vectors and refuses a
// tampered body.
func TestDocsGoEd25519Snippet(t *testing.T) {
	snippet := codeBlocks(t, "go", func(b string) bool { return strings.Contains(b, "func verifyEd25519(") })
	src, err := os.ReadFile("docsnippets_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), strings.TrimSpace(snippet)) {
		t.Fatalf("the Go ed25519 snippet of %s is not verifyEd25519 of docsnippets_test.go as printed:\n%s", signaturesDoc, snippet)
	}
	n := 0
	for _, v := range readVectors(t) {
		ts := strconv.FormatInt(v.Timestamp, 10)
		for _, k := range v.VerifyKeys {
			if !strings.HasPrefix(k, PublicKeyPrefix) {
				continue
			}
			if err := verifyEd25519(k, v.MsgID, ts, v.Signature, []byte(v.Body)); err != nil {
				t.Errorf("%s: %v", v.Name, err)
			}
			if verifyEd25519(k, v.MsgID, ts, v.Signature, []byte(v.Body+" ")) == nil {
				t.Errorf("%s: tampered body accepted", v.Name)
			}
			n++
		}
	}
	if want := countKeys(t, PublicKeyPrefix); n != want || n == 0 {
		t.Fatalf("verified %d ed25519 keys, want %d", n, want)
	}
}
