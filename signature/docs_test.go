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

// codeBlocks returns the fenced blocks of the given language, in order.
func codeBlocks(t *testing.T, lang string) string {
	t.Helper()
	doc, err := os.ReadFile(signaturesDoc)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?ms)^```" + regexp.QuoteMeta(lang) + "\n(.*?)^```")
	var b strings.Builder
	for _, m := range re.FindAllStringSubmatch(string(doc), -1) {
		b.WriteString(m[1])
		b.WriteString("\n")
	}
	if b.Len() == 0 {
		t.Fatalf("no ```%s block in %s", lang, signaturesDoc)
	}
	return b.String()
}

// countKeys counts the vectors' verify keys with the given prefixes.
func countKeys(t *testing.T, prefixes ...string) int {
	t.Helper()
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var set vectorSet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range set.Vectors {
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

func TestDocsNodeSnippet(t *testing.T) {
	got := runSnippet(t, "node", "verify.js", codeBlocks(t, "js")+nodeHarness)
	if want := strconv.Itoa(countKeys(t, SecretPrefix, PublicKeyPrefix)); got != want {
		t.Fatalf("node verified %q vectors' keys, want %s", got, want)
	}
}

func TestDocsPythonSnippet(t *testing.T) {
	got := runSnippet(t, "python3", "verify.py", codeBlocks(t, "python")+pythonHarness)
	if want := strconv.Itoa(countKeys(t, SecretPrefix)); got != want {
		t.Fatalf("python verified %q vectors' keys, want %s", got, want)
	}
}
