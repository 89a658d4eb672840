package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/retry"
)

// funcs are the helpers templates may call.
func funcs(a *assets) template.FuncMap {
	return template.FuncMap{
		"asset":     a.url,
		"time":      timeHTML,
		"timeShort": timeShortHTML,
		"wait":      retry.FormatWait,
		"pretty":    prettyBody,
		"code":      inlineCode,
		"pct":       pct,
		"ms":        ms,
		"count":     count,
		"plural":    plural,
		"join":      strings.Join,
		"title":     humanize,
		"state":     stateLabel,
		"headers":   sortedHeaders,
		"contains": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
		"add":        func(a, b int) int { return a + b },
		"selectedIn": selectedIn,
		"sub1":       func(rate float64) float64 { return 1 - rate },
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// prettyBody indents a JSON body and leaves anything else as it is.
func prettyBody(b []byte) string {
	var out bytes.Buffer
	if len(b) > 0 && json.Indent(&out, b, "", "  ") == nil {
		return out.String()
	}
	return string(b)
}

// inlineCode renders catalog prose, which marks names with backticks and
// vendors' own terms with asterisks as Markdown does, with those names as
// <code>, those terms as <em> and everything escaped.
func inlineCode(s string) template.HTML {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unpaired backtick: leave the text as it is
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(p) + "</code>")
		} else {
			b.WriteString(emphasis.ReplaceAllString(template.HTMLEscapeString(p), "<em>$1</em>"))
		}
	}
	return template.HTML(b.String())
}

// emphasis matches *words* (not a lone * nor "* "), as Markdown reads them.
var emphasis = regexp.MustCompile(`\*([^*\s](?:[^*]*[^*\s])?)\*`)

// pct renders a rate in [0, 1] as a percentage.
func pct(rate float64) string {
	p := rate * 100
	switch {
	case p == 100 || p == 0:
		return fmt.Sprintf("%.0f%%", p)
	case p > 99.9:
		return fmt.Sprintf("%.2f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// ms renders a duration in milliseconds for people.
func ms(d time.Duration) string {
	switch {
	case d <= 0:
		return "0 ms"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	case d < 10*time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// count renders a count with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// humanize turns "course_enrollment" into "Course enrollment".
func humanize(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stateLabel is how a delivery state reads in the console.
func stateLabel(s domain.DeliveryState) string {
	return humanize(string(s))
}

// header is one header line.
type header struct{ Name, Value string }

// sortedHeaders flattens headers for display, sorted by name. Secret
// values come masked from the service.
func sortedHeaders(h map[string][]string) []header {
	out := make([]header, 0, len(h))
	for k, v := range h {
		out = append(out, header{Name: k, Value: strings.Join(v, ", ")})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// selectedIn counts the checked types of one entity, for the picker's
// summary ("3 selected"; "all" for entity.*).
func selectedIn(types []string, entity string) string {
	n := 0
	for _, t := range types {
		if t == entity+".*" {
			return "all"
		}
		if strings.HasPrefix(t, entity+".") {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}
