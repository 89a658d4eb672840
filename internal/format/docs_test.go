package format

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// docs/FORMATS.md shows, per format, sample requests and receiver snippets
// in Go, Node.js and Python. TestFormatsDoc keeps that page true: each
// sample must be its golden file byte for byte, each Go snippet must be a
// function of docsnippets_test.go, and every snippet must accept every
// sample of its section and refuse a tampered copy (one digit of the body
// changed, and a sender address that is not the vendor's).

const (
	formatsDoc    = "../../docs/FORMATS.md"
	signaturesDoc = "../../docs/SIGNATURES.md"
)

// docSection is the part of FORMATS.md about one format.
type docSection struct {
	name    string
	samples []docSample
	code    map[string]string // language → the one block of that language
}

// docSample is a sample request of a section.
type docSample struct {
	golden string // "riseup/course_enrollment.completed"
	url    string
	header http.Header
	body   []byte
}

var (
	goldenBlock = regexp.MustCompile("(?s)<!-- golden: (\\S+) -->\n```http\n(.*?)```")
	codeBlock   = regexp.MustCompile("(?ms)^```(go|js|python)\n(.*?)^```")
)

// readFormatsDoc splits FORMATS.md into the sections of the formats
// named, checking each sample against its golden file.
func readFormatsDoc(t *testing.T, formats []string) map[string]*docSection {
	t.Helper()
	doc, err := os.ReadFile(formatsDoc)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*docSection{}
	for _, part := range strings.Split(string(doc), "\n## ")[1:] {
		heading, text, _ := strings.Cut(part, "\n")
		name, _, _ := strings.Cut(heading, " ")
		if !contains(formats, name) {
			continue
		}
		s := &docSection{name: name, code: map[string]string{}}
		for _, m := range goldenBlock.FindAllStringSubmatch(text, -1) {
			want, err := os.ReadFile(filepath.Join("testdata", "golden", m[1]+".http"))
			if err != nil {
				t.Fatalf("%s: sample %s: %v", name, m[1], err)
			}
			if m[2] != string(want) {
				t.Errorf("%s: the sample %s differs from its golden file; copy testdata/golden/%s.http into FORMATS.md", name, m[1], m[1])
			}
			s.samples = append(s.samples, parseSample(t, m[1], m[2]))
		}
		for _, m := range codeBlock.FindAllStringSubmatch(text, -1) {
			if _, dup := s.code[m[1]]; dup {
				t.Errorf("%s: more than one ```%s block", name, m[1])
			}
			s.code[m[1]] = m[2]
		}
		out[name] = s
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseSample reads a golden request: "POST <url>", headers, a blank line,
// the body and a final newline.
func parseSample(t *testing.T, name, text string) docSample {
	t.Helper()
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok {
		t.Fatalf("sample %s has no body", name)
	}
	s := docSample{golden: name, header: http.Header{}, body: []byte(strings.TrimSuffix(body, "\n"))}
	sc := bufio.NewScanner(strings.NewReader(head))
	for i := 0; sc.Scan(); i++ {
		if i == 0 {
			s.url = strings.TrimPrefix(sc.Text(), "POST ")
			continue
		}
		k, v, _ := strings.Cut(sc.Text(), ": ")
		s.header.Add(k, v)
	}
	return s
}

// tamper changes the last digit of the body: a value changes, JSON stays
// valid, and a signature over the body no longer matches.
func tamper(t *testing.T, body []byte) []byte {
	t.Helper()
	out := bytes.Clone(body)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] >= '0' && out[i] <= '9' {
			out[i] = '0' + (out[i]-'0'+1)%10
			return out
		}
	}
	t.Fatalf("no digit to change in %s", body)
	return nil
}

// Sender addresses of the runs: the vendor's for the genuine request, a
// documentation address for the tampered one.
const (
	genuineAddr  = "54.243.7.71"
	tamperedAddr = "198.51.100.7"
)

// goVerifiers call each section's Go snippet on a request; they report
// whether the snippet accepts it, checking what it returns besides.
var goVerifiers = map[string]func(r *http.Request, body []byte) bool{
	"standard":             func(r *http.Request, b []byte) bool { return verifyStandard(r, b, goldenNow) },
	"riseup":               verifyRiseUp,
	"articulate":           verifyArticulate,
	"innovative-educators": fromInnovativeEducators,
	"cypher": func(r *http.Request, _ []byte) bool {
		email, ok := readCypher(r)
		return ok && email == "ana.lopez@acme.com"
	},
	"absorb": func(r *http.Request, b []byte) bool {
		name, ok := readAbsorb(r, b, goldenNow)
		return ok && name != ""
	},
	"cloudevents": func(r *http.Request, b []byte) bool {
		typ, ok := readCloudEvent(r, b, goldenNow)
		return ok && strings.HasSuffix(typ, ".user.created")
	},
	"xapi": func(r *http.Request, b []byte) bool {
		verb, ok := readStatement(r, b, goldenNow)
		return ok && strings.HasPrefix(verb, "http://adlnet.gov/expapi/verbs/")
	},
}

// snippetEnv are the environment variables the snippets read.
func snippetEnv() map[string]string {
	return map[string]string{
		"WEBHOOK_SECRET":        goldenSecret,
		"RISEUP_SECRET":         goldenSecret,
		"WEBHOOK_SHARED_SECRET": goldenSecret,
		"CYPHER_TOKEN":          goldenCypherToken,
	}
}

func TestFormatsDoc(t *testing.T) {
	formats := Default().Names()
	sections := readFormatsDoc(t, formats)
	src, err := os.ReadFile("docsnippets_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range formats {
		s, ok := sections[name]
		if !ok {
			t.Errorf("FORMATS.md has no section \"## %s\"", name)
			continue
		}
		if len(s.samples) == 0 {
			t.Errorf("%s: no sample request (<!-- golden: … --> before an ```http block)", name)
		}
		for _, lang := range []string{"go", "js", "python"} {
			if s.code[lang] == "" {
				t.Errorf("%s: no ```%s receiver snippet", name, lang)
			}
		}
		if !bytes.Contains(src, []byte(s.code["go"])) {
			t.Errorf("%s: the Go snippet is not in docsnippets_test.go as printed:\n%s", name, s.code["go"])
		}
		if goVerifiers[name] == nil {
			t.Errorf("%s: no Go verifier in this test", name)
		}
	}
	if t.Failed() {
		return
	}
	for k, v := range snippetEnv() {
		t.Setenv(k, v)
	}

	t.Run("go", func(t *testing.T) {
		for _, name := range formats {
			for _, smp := range sections[name].samples {
				for _, genuine := range []bool{true, false} {
					body, addr := smp.body, genuineAddr
					if !genuine {
						body, addr = tamper(t, body), tamperedAddr
					}
					r, err := http.NewRequest(http.MethodPost, smp.url, bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					r.Header = smp.header.Clone()
					r.RemoteAddr = addr + ":443"
					if got := goVerifiers[name](r, body); got != genuine {
						t.Errorf("%s on %s (genuine %v): accepted %v", name, smp.golden, genuine, got)
					}
				}
			}
		}
	})
	for _, lang := range []string{"js", "python"} {
		t.Run(lang, func(t *testing.T) {
			interp := map[string]string{"js": "node", "python": "python3"}[lang]
			runScriptSnippets(t, interp, lang, formats, sections)
		})
	}
}

// scriptCase is one run of a snippet, as the harness script reads it.
type scriptCase struct {
	ID      string            `json:"id"`
	Section string            `json:"section"`
	Headers map[string]string `json:"headers"` // lower-cased names
	Body    string            `json:"body"`    // base64
	Now     int64             `json:"now"`     // Unix seconds
	Remote  string            `json:"remote"`
	Genuine bool              `json:"-"`
}

// runScriptSnippets runs every section's snippet of lang on its samples,
// genuine and tampered, in one interpreter process.
func runScriptSnippets(t *testing.T, interp, lang string, formats []string, sections map[string]*docSection) {
	path, err := exec.LookPath(interp)
	if err != nil {
		t.Skipf("%s is not installed", interp)
	}
	var cases []scriptCase
	for _, name := range formats {
		for _, smp := range sections[name].samples {
			for _, genuine := range []bool{true, false} {
				body, addr := smp.body, genuineAddr
				if !genuine {
					body, addr = tamper(t, body), tamperedAddr
				}
				h := map[string]string{}
				for k := range smp.header {
					h[strings.ToLower(k)] = smp.header.Get(k)
				}
				cases = append(cases, scriptCase{
					ID:      name + " " + smp.golden + map[bool]string{true: " genuine", false: " tampered"}[genuine],
					Section: name, Headers: h, Body: base64.StdEncoding.EncodeToString(body),
					Now: goldenNow.Unix(), Remote: addr, Genuine: genuine,
				})
			}
		}
	}
	dir := t.TempDir()
	casesFile := filepath.Join(dir, "cases.json")
	raw, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(casesFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "snippets."+map[string]string{"js": "js", "python": "py"}[lang])
	var code string
	if lang == "js" {
		code = nodeScript(t, formats, sections)
	} else {
		code = pythonScript(t, formats, sections)
	}
	if err := os.WriteFile(script, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, script, casesFile)
	cmd.Env = os.Environ()
	for k, v := range snippetEnv() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", interp, err, out)
	}
	results := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r struct{ ID, Res string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%s printed %q", interp, line)
		}
		results[r.ID] = r.Res
	}
	for _, c := range cases {
		res, ok := results[c.ID]
		switch {
		case !ok:
			t.Errorf("%s: no result", c.ID)
		case c.Genuine && res != "accepted":
			t.Errorf("%s: %s", c.ID, res)
		case !c.Genuine && res == "accepted":
			t.Errorf("%s: the tampered request was accepted", c.ID)
		}
	}
}

// signatureBlocks returns SIGNATURES.md's blocks of lang: the
// verifyWebhook / verify_webhook functions the snippets call.
func signatureBlocks(t *testing.T, lang string) string {
	t.Helper()
	doc, err := os.ReadFile(signaturesDoc)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range codeBlock.FindAllStringSubmatch(string(doc), -1) {
		if m[1] == lang {
			b.WriteString(m[2])
			b.WriteString("\n")
		}
	}
	return b.String()
}

// nodeScript wraps each section's snippet in a function of (req, request,
// rawBody) that returns its ok (true when it sets none), and runs the
// cases. Node's request headers are lower-cased; req.body is the parsed
// JSON body, as Express's express.json() gives it.
func nodeScript(t *testing.T, formats []string, sections map[string]*docSection) string {
	var b strings.Builder
	b.WriteString(signatureBlocks(t, "js"))
	b.WriteString("const snippets = {}\n")
	for _, name := range formats {
		b.WriteString("snippets[" + jsString(name) + "] = (req, request, rawBody) => {\n")
		b.WriteString(sections[name].code["js"])
		b.WriteString("return typeof ok === 'undefined' ? true : ok\n}\n")
	}
	b.WriteString(`
const cases = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'))
for (const c of cases) {
  Date.now = () => c.now * 1000
  const rawBody = Buffer.from(c.body, 'base64')
  let body = null
  try { body = JSON.parse(rawBody) } catch {}
  const req = { headers: c.headers, body, socket: { remoteAddress: '::ffff:' + c.remote } }
  let res
  try { res = snippets[c.section](req, req, rawBody) === true ? 'accepted' : 'refused' } catch (e) { res = 'threw: ' + e }
  console.log(JSON.stringify({ id: c.id, res }))
}
`)
	return b.String()
}

// pythonScript is nodeScript for Python: request.headers is
// case-insensitive and request.remote_addr the sender, as in Flask.
func pythonScript(t *testing.T, formats []string, sections map[string]*docSection) string {
	var b strings.Builder
	b.WriteString(signatureBlocks(t, "python"))
	b.WriteString(`
import base64 as _b64, json as _json, sys as _sys, time as _time

class _Headers:
    def __init__(self, d): self._d = {k.lower(): v for k, v in d.items()}
    def __getitem__(self, k): return self._d[k.lower()]
    def __contains__(self, k): return k.lower() in self._d
    def get(self, k, default=None): return self._d.get(k.lower(), default)

class _Request:
    def __init__(self, headers, remote): self.headers, self.remote_addr = _Headers(headers), remote

_snippets = {}
`)
	for i, name := range formats {
		fn := "_snippet_" + strings.Repeat("x", i+1)
		b.WriteString("def " + fn + "(request, raw_body):\n")
		for _, line := range strings.Split(strings.TrimRight(sections[name].code["python"], "\n"), "\n") {
			b.WriteString("    " + line + "\n")
		}
		b.WriteString("    return locals().get('ok', True)\n")
		b.WriteString("_snippets[" + jsString(name) + "] = " + fn + "\n")
	}
	b.WriteString(`
for c in _json.load(open(_sys.argv[1])):
    _time.time = (lambda n: lambda: n)(c["now"])
    try:
        res = "accepted" if _snippets[c["section"]](_Request(c["headers"], c["remote"]), _b64.b64decode(c["body"])) is True else "refused"
    except Exception as e:
        res = "threw: %s: %s" % (type(e).__name__, e)
    print(_json.dumps({"id": c["id"], "res": res}))
`)
	return b.String()
}

// jsString quotes s for JavaScript and Python source.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
