package retry

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// docs/RETRY_POLICIES.md promises every preset's full schedule: this test
// keeps it true. For each preset it checks the summary row (retries,
// attempts, last retry), every row of the preset's own table (wait and
// cumulative wait) and its total.
func TestDocsListEveryScheduleInFull(t *testing.T) {
	raw, err := os.ReadFile("../../docs/RETRY_POLICIES.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, p := range Presets() {
		t.Run(p.Name, func(t *testing.T) {
			last := "—"
			if len(p.Waits) > 0 {
				last = FormatWait(p.Total())
			}
			summary := fmt.Sprintf("| %d | %d | %s |", len(p.Waits), p.Attempts(), last)
			if !hasLine(doc, "| `"+p.Name+"`", summary) {
				t.Errorf("the summary table has no row for %s with %q", p.Name, summary)
			}
			section := sectionOf(doc, "### `"+p.Name+"`")
			if section == "" {
				t.Fatalf("no section for %s", p.Name)
			}
			var rows []string
			for _, line := range strings.Split(section, "\n") {
				if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| retry") {
					rows = append(rows, line)
				}
			}
			if len(rows) != len(p.Waits) {
				t.Fatalf("%d rows in the schedule of %s, want %d", len(rows), p.Name, len(p.Waits))
			}
			var cum time.Duration
			for i, w := range p.Waits {
				cum += w
				cumText := FormatWait(cum)
				if cum == 0 {
					cumText = "0s"
				}
				want := fmt.Sprintf("| %d | %d | %s | %s |", i+1, i+2, FormatWait(w), cumText)
				if rows[i] != want {
					t.Errorf("%s row %d = %q, want %q", p.Name, i+1, rows[i], want)
				}
			}
			if len(p.Waits) > 0 {
				total := fmt.Sprintf("Total: **%s** (%d s).", FormatWait(p.Total()), int(p.Total().Seconds()))
				if !strings.Contains(section, total) {
					t.Errorf("the %s section lacks %q", p.Name, total)
				}
			}
		})
	}
}

// hasLine reports whether doc has a line starting with prefix and
// containing part.
func hasLine(doc, prefix, part string) bool {
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, prefix) && strings.Contains(line, part) {
			return true
		}
	}
	return false
}

// sectionOf returns the text from heading to the next heading.
func sectionOf(doc, heading string) string {
	i := strings.Index(doc, heading+"\n")
	if i < 0 {
		return ""
	}
	rest := doc[i+len(heading):]
	if j := strings.Index(rest, "\n#"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
