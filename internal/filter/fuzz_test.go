package filter

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// FuzzCompile compiles arbitrary filters and evaluates those that compile
// on arbitrary data. Nothing may panic. A filter that does not compile is
// refused with EINVALID on field "filter"; one that compiles keeps its
// text, comes back from the cache as the same program, passes or fails
// the save-time check without panicking, and evaluates to a boolean or an
// error with a message — within the cost limit, whatever the data.
func FuzzCompile(f *testing.F) {
	for _, expr := range []string{
		`data.course.id in ["c_1", "c_2"]`,
		`data.user.email.endsWith("@acme.com")`,
		`data.score.raw >= 80 && type.startsWith("course")`,
		`occurred_at > timestamp("2025-01-01T00:00:00Z")`,
		`has(data.course.code) || tenant == "acme"`,
		`data.items.exists(i, i.id == "i2" && !i.done)`,
		`data.user.email.lowerAscii().split("@")[1] == "acme.com"`,
		`data.status.matches("^(completed|passed)$")`,
		`[1,2,3].map(x, [x, x, x]).all(y, size(y) == 3)`,
		`data.a.b.c.d`, `1 + 1`, `"s"`, ``, ` `, `(`, `data[`, `data["x"] == null`,
		`dyn(data).size() > 0`, `int(data.n) / 0 == 1`, `data.list.filter(x, x > 1).size() == 2`,
	} {
		f.Add(expr, []byte(enrollment))
	}
	f.Add(`data.n == 1`, []byte(`{"n":1e308}`))
	f.Add(`data.x`, []byte(`not json`))
	f.Add(`true`, []byte(`[1]`))
	eng, err := NewEngine(Options{})
	if err != nil {
		f.Fatal(err)
	}
	c, err := loadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	var targets []Target
	for _, typ := range []string{"course_enrollment.completed", "user.created"} {
		et, ok := c.Lookup(typ)
		if !ok {
			f.Fatalf("no %s in the catalog", typ)
		}
		targets = append(targets, Target{Type: et.Type, Schema: et.Schema, Example: et.Example})
	}
	f.Fuzz(func(t *testing.T, expr string, data []byte) {
		p, err := eng.Compile(expr)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "filter" || domain.ErrorMessage(err) == "" {
				t.Fatalf("Compile(%q) = %v, want EINVALID on field filter with a message", expr, err)
			}
			return
		}
		if p.String() != expr {
			t.Fatalf("Compile(%q) keeps %q", expr, p.String())
		}
		if again, err := eng.Compile(expr); err != nil || again != p {
			t.Fatalf("Compile(%q) again = %p, %v; want the cached program %p", expr, again, err, p)
		}
		if err := p.Check(targets, "acme", when); err != nil && (domain.ErrorMessage(err) == "" || strings.TrimSpace(err.Error()) == "") {
			t.Fatalf("Check(%q) = %v without a message", expr, err)
		}
		ev := event("course_enrollment.completed", string(data))
		if _, err := p.Eval(ev); err != nil && err.Error() == "" {
			t.Fatalf("Eval(%q) on %q: an error without a message", expr, data)
		}
		if json.Valid(data) {
			return
		}
		if _, err := p.Eval(ev); err == nil && len(data) > 0 {
			t.Fatalf("Eval(%q) on data that is not JSON (%q) decided", expr, data)
		}
	})
}
