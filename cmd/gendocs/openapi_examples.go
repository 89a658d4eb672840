package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The document's examples are docs/API.md's, so that the two never show
// different things:
//
//   - the body of each curl command (`-d '…'`) is a request example of the
//     route its method and URL name;
//   - a ```json block right after a ```sh block of one curl command is an
//     example of that route's success answer, unless it is elided (holds
//     "..." or "…");
//   - a ```json block after the line `<!-- openapi: schema Name -->` is an
//     example of components/schemas/Name.
//
// Each is named after the heading it appears under. The api tests validate
// every example against its schema, so a wrong example in API.md fails.

// mdBlock is one fenced code block of a Markdown page.
type mdBlock struct {
	lang    string
	text    string
	heading string // the closest heading above it
	schema  string // the Name of a `<!-- openapi: schema Name -->` marker just above it
	line    int
	// adjacent is true when only blank lines separate the block from the
	// one before it.
	adjacent bool
}

var schemaMarker = regexp.MustCompile(`^<!-- openapi: schema ([A-Za-z0-9_.]+) -->$`)

// codeBlocks returns the fenced code blocks of a Markdown page.
func codeBlocks(md []byte) []mdBlock {
	var blocks []mdBlock
	var cur *mdBlock
	var body strings.Builder
	heading, marker := "", ""
	adjacent := false
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && strings.HasPrefix(line, "```"):
			cur.text = body.String()
			blocks = append(blocks, *cur)
			cur = nil
			adjacent = true
		case cur != nil:
			body.WriteString(line + "\n")
		case strings.HasPrefix(line, "```"):
			cur = &mdBlock{lang: strings.TrimPrefix(line, "```"), heading: heading, schema: marker, line: n, adjacent: adjacent}
			body.Reset()
			marker = ""
		case strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
			marker = ""
			adjacent = false
		default:
			if m := schemaMarker.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				marker = m[1]
			} else if strings.TrimSpace(line) != "" {
				marker = ""
			}
			if strings.TrimSpace(line) != "" {
				adjacent = false
			}
		}
	}
	return blocks
}

// curlCall is one curl command of an example.
type curlCall struct {
	method, path string
	body         string
}

// curlCalls parses the curl commands of a shell block: the method (-X, or
// GET), the path of the URL under /api/v1/, and the -d body.
func curlCalls(sh string) ([]curlCall, error) {
	var calls []curlCall
	for _, words := range shellCommands(sh) {
		if len(words) == 0 || words[0] != "curl" {
			continue
		}
		c := curlCall{method: "GET"}
		for i := 1; i < len(words); i++ {
			w := words[i]
			switch {
			case (w == "-X" || w == "-d") && i+1 < len(words):
				i++
				if w == "-X" {
					c.method = words[i]
				} else {
					c.body = words[i]
				}
			case w == "-H":
				i++
			case strings.Contains(w, "/api/v1/"):
				p := w[strings.Index(w, "/api/v1/"):]
				p, _, _ = strings.Cut(p, "?")
				c.path = p
			}
		}
		if c.path == "" {
			return nil, fmt.Errorf("a curl command without an /api/v1/ URL: %q", strings.Join(words, " "))
		}
		calls = append(calls, c)
	}
	return calls, nil
}

// shellCommands splits shell text into commands of words: quotes group,
// a backslash before a newline continues the line, # starts a comment.
func shellCommands(sh string) [][]string {
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(sh); i++ {
		ch := sh[i]
		switch {
		case ch == '\\' && i+1 < len(sh) && sh[i+1] == '\n':
			i++
			endWord()
		case ch == '\n':
			endCmd()
		case ch == ' ' || ch == '\t':
			endWord()
		case ch == '#' && !inWord:
			for i < len(sh) && sh[i] != '\n' {
				i++
			}
			endCmd()
		case ch == '\'' || ch == '"':
			end := strings.IndexByte(sh[i+1:], ch)
			if end < 0 {
				end = len(sh) - i - 1
			}
			w.WriteString(sh[i+1 : i+1+end])
			inWord = true
			i += end + 1
		default:
			w.WriteByte(ch)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

// matchPath finds the operation of a concrete path ("/api/v1/tenants/acme")
// among ops: the one whose pattern matches with the most literal segments,
// as the API's mux picks.
func matchPath(ops []operation, method, path string) *operation {
	var best *operation
	bestLiterals := -1
	segs := strings.Split(path, "/")
	for i := range ops {
		if ops[i].route.Method != method {
			continue
		}
		pat := strings.Split(ops[i].route.Path, "/")
		if len(pat) != len(segs) {
			continue
		}
		literals, ok := 0, true
		for j := range pat {
			switch {
			case strings.HasPrefix(pat[j], "{"):
			case pat[j] == segs[j]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = &ops[i], literals
		}
	}
	return best
}

// elided reports whether a JSON block leaves parts out.
func elided(text string) bool {
	return strings.Contains(text, `"..."`) || strings.Contains(text, "…")
}

// addExamples adds docs/API.md's examples to the document.
func addExamples(root *yaml.Node, ops []operation, md []byte) error {
	blocks := codeBlocks(md)
	schemas := get(get(root, "components"), "schemas")
	for i, b := range blocks {
		switch {
		case b.lang == "json" && b.schema != "":
			s := get(schemas, b.schema)
			if s == nil {
				return fmt.Errorf("line %d: no schema %s", b.line, b.schema)
			}
			v, err := exampleValue(b.text)
			if err != nil {
				return fmt.Errorf("line %d: %w", b.line, err)
			}
			set(s, "examples", seq(v))
		case b.lang == "sh":
			calls, err := curlCalls(b.text)
			if err != nil {
				return fmt.Errorf("line %d: %w", b.line, err)
			}
			var last *operation
			for _, c := range calls {
				o := matchPath(ops, c.method, c.path)
				if o == nil {
					return fmt.Errorf("line %d: %s %s is no route of the API", b.line, c.method, c.path)
				}
				last = o
				if c.body == "" {
					continue
				}
				v, err := exampleValue(c.body)
				if err != nil {
					return fmt.Errorf("line %d: the body of %s %s: %w", b.line, c.method, c.path, err)
				}
				media := get(get(get(o.op, "requestBody"), "content"), "application/json")
				if media == nil {
					return fmt.Errorf("line %d: %s %s takes no JSON body", b.line, c.method, c.path)
				}
				addNamedExample(media, b.heading, v)
			}
			if len(calls) != 1 || i+1 >= len(blocks) || blocks[i+1].lang != "json" || !blocks[i+1].adjacent || elided(blocks[i+1].text) {
				continue
			}
			v, err := exampleValue(blocks[i+1].text)
			if err != nil {
				return fmt.Errorf("line %d: %w", blocks[i+1].line, err)
			}
			media := get(get(get(get(last.op, "responses"), last.success), "content"), "application/json")
			if media == nil {
				return fmt.Errorf("line %d: %s %s answers no JSON", blocks[i+1].line, last.route.Method, last.route.Path)
			}
			addNamedExample(media, b.heading, v)
		}
	}
	return nil
}

// exampleValue parses an example's JSON.
func exampleValue(text string) (*yaml.Node, error) {
	if !json.Valid([]byte(text)) {
		return nil, fmt.Errorf("example is not valid JSON: %s", text)
	}
	return parseTree([]byte(text))
}

// addNamedExample adds an example to a media type, named after the
// heading it appears under.
func addNamedExample(media *yaml.Node, heading string, v *yaml.Node) {
	examples := child(media, "examples")
	base := slug(heading)
	name := base
	for n := 2; get(examples, name) != nil; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	set(examples, name, obj("summary", heading+" (docs/API.md)", "value", v))
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
