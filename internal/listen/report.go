package listen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lmshooks/lmshooks/signature"
)

// maxPrintedBody caps how much of a body is printed; the rest is counted.
const maxPrintedBody = 64 << 10

// report is everything printed about one request.
type report struct {
	now     time.Time
	req     *http.Request
	body    []byte
	verdict verdict
	status  int
}

// render formats the report as a block of lines, ready to write at once.
func (p report) render() []byte {
	var b bytes.Buffer
	r := p.req
	fmt.Fprintf(&b, "── %s  %s %s\n", p.now.Format(time.RFC3339), r.Method, r.URL.RequestURI())
	field := func(name, value string) { fmt.Fprintf(&b, "   %-18s %s\n", name, value) }

	field(signature.HeaderID, orDash(r.Header.Get(signature.HeaderID)))
	field(signature.HeaderTimestamp, p.timestamp())
	field("event type", orDash(eventType(r.Header, p.body)))
	field("signature", p.signatureLine())
	for _, h := range otherHeaders(r.Header) {
		field(h[0], h[1])
	}
	p.renderBody(&b)
	fmt.Fprintf(&b, "   → answered %d %s\n\n", p.status, http.StatusText(p.status))
	return b.Bytes()
}

func (p report) signatureLine() string {
	switch {
	case !p.verdict.checked:
		return "– not checked (no secret given)"
	case p.verdict.err != nil:
		return "✗ " + reason(p.verdict.err)
	}
	return "✓ valid"
}

// timestamp shows webhook-timestamp with its age, which explains most
// "timestamp outside tolerance" failures at a glance.
func (p report) timestamp() string {
	raw := p.req.Header.Get(signature.HeaderTimestamp)
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return orDash(raw)
	}
	age := p.now.Sub(time.Unix(n, 0)).Round(time.Second)
	switch {
	case age > 0:
		return fmt.Sprintf("%s (%s ago)", raw, age)
	case age < 0:
		return fmt.Sprintf("%s (%s in the future)", raw, -age)
	}
	return raw + " (now)"
}

func (p report) renderBody(b *bytes.Buffer) {
	body := p.body
	if len(body) == 0 {
		b.WriteString("   body               (empty)\n")
		return
	}
	fmt.Fprintf(b, "   body               %d bytes\n", len(body))
	var pretty bytes.Buffer
	if json.Valid(body) && json.Indent(&pretty, body, "", "  ") == nil {
		body = pretty.Bytes()
	}
	more := 0
	if len(body) > maxPrintedBody {
		more = len(body) - maxPrintedBody
		body = body[:maxPrintedBody]
	}
	if !utf8.Valid(body) && more == 0 {
		fmt.Fprintf(b, "     %q\n", body)
		return
	}
	b.WriteString("     ")
	b.Write(bytes.ReplaceAll(bytes.TrimRight(body, "\n"), []byte("\n"), []byte("\n     ")))
	b.WriteString("\n")
	if more > 0 {
		fmt.Fprintf(b, "     … %d more bytes not shown\n", more)
	}
}

// eventType finds the event type wherever the supported formats put it:
// the CloudEvents ce-type header, or a top-level body field.
func eventType(h http.Header, body []byte) string {
	if t := h.Get("ce-type"); t != "" {
		return t
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	for _, k := range []string{"type", "event_type", "eventType", "event"} {
		var s string
		if json.Unmarshal(fields[k], &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// otherHeaders lists the request headers not already shown, sorted, in
// lower case, with credentials masked: the terminal may be shared or
// recorded, and an Authorization value is a secret.
func otherHeaders(h http.Header) [][2]string {
	skip := map[string]bool{
		"webhook-id": true, "webhook-timestamp": true,
		"content-length": true, "accept-encoding": true,
	}
	var out [][2]string
	for name, values := range h {
		lower := strings.ToLower(name)
		if skip[lower] {
			continue
		}
		v := strings.Join(values, ", ")
		if lower == "authorization" || lower == "proxy-authorization" {
			scheme, _, _ := strings.Cut(v, " ")
			v = scheme + " ••••••"
		}
		out = append(out, [2]string{lower, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
