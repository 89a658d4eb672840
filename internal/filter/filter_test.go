package filter

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

var when = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func newEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func event(typ, data string) *domain.Event {
	return &domain.Event{ID: "evt_1", TenantID: "acme", Type: typ, OccurredAt: when, Data: json.RawMessage(data)}
}

const enrollment = `{"id":"enr_1","user":{"id":"u_1","email":"ana@acme.com"},"course":{"id":"c_1","title":"Safety"},"status":"completed","score":{"raw":80},"tags":["hse","onboarding"],"items":[{"id":"i1","done":true},{"id":"i2","done":false}]}`

func TestEval(t *testing.T) {
	eng := newEngine(t, Options{})
	tests := []struct {
		expr string
		typ  string
		want bool
	}{
		{`data.course.id in ["c_1", "c_2"]`, "course_enrollment.completed", true},
		{`data.course.id in ["c_3"]`, "course_enrollment.completed", false},
		{`data.user.email.endsWith("@acme.com")`, "course_enrollment.completed", true},
		{`data.user.email.endsWith("@other.com")`, "course_enrollment.completed", false},
		{`data.score.raw >= 80`, "course_enrollment.completed", true},
		{`data.score.raw == 80`, "course_enrollment.completed", true},
		{`data.score.raw > 80.5`, "course_enrollment.completed", false},
		{`type == "course_enrollment.completed" && tenant == "acme"`, "course_enrollment.completed", true},
		{`type.startsWith("user.")`, "course_enrollment.completed", false},
		{`occurred_at > timestamp("2025-01-01T00:00:00Z")`, "course_enrollment.completed", true},
		{`has(data.course.code)`, "course_enrollment.completed", false},
		{`"hse" in data.tags`, "course_enrollment.completed", true},
		{`data.items.exists(i, i.id == "i2" && !i.done)`, "course_enrollment.completed", true},
		{`data.items.all(i, i.done)`, "course_enrollment.completed", false},
		{`data.user.email.lowerAscii().split("@")[1] == "acme.com"`, "course_enrollment.completed", true},
		{`data.status.matches("^(completed|passed)$")`, "course_enrollment.completed", true},
	}
	for _, tt := range tests {
		p, err := eng.Compile(tt.expr)
		if err != nil {
			t.Errorf("Compile(%s): %v", tt.expr, err)
			continue
		}
		got, err := p.Eval(event(tt.typ, enrollment))
		if err != nil {
			t.Errorf("Eval(%s): %v", tt.expr, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Eval(%s) = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	eng := newEngine(t, Options{})
	tests := []struct {
		expr, data, want string
	}{
		{`data.course.id == "c_1"`, `{"user":{"id":"u_1"}}`, "no such key: course"},
		{`data.user.email.endsWith("x")`, `{"user":{"email":42}}`, "no such overload"},
		{`data.flag`, `{"flag":"yes"}`, "not true or false"},
		{`data.n + 1 > 2`, `{"n":1}`, "no such overload"},
	}
	for _, tt := range tests {
		p, err := eng.Compile(tt.expr)
		if err != nil {
			t.Fatalf("Compile(%s): %v", tt.expr, err)
		}
		_, err = p.Eval(event("user.created", tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Eval(%s) on %s: error %v, want it to contain %q", tt.expr, tt.data, err, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	eng := newEngine(t, Options{})
	tests := []struct {
		expr string
		want []string
	}{
		{`data.course.id in [`, []string{"Syntax error", "column"}},
		{`date.course.id == "c_1"`, []string{"undeclared reference to 'date'", "at column 1"}},
		{`data.course.id`, nil},                  // dyn: accepted, a runtime question
		{`1 + 2`, []string{"yields int"}},        // not a condition
		{`type.size()`, []string{"yields int"}},  // typed variable, typed result
		{`"a" + "b"`, []string{"yields string"}}, //
		{"   ", []string{"is empty"}},            //
		{`type == 1`, []string{"no matching overload"}},
	}
	for _, tt := range tests {
		_, err := eng.Compile(tt.expr)
		if tt.want == nil {
			if err != nil {
				t.Errorf("Compile(%q): %v, want ok", tt.expr, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Compile(%q) succeeded, want an error", tt.expr)
			continue
		}
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "filter" {
			t.Errorf("Compile(%q): %v, want EINVALID on field filter", tt.expr, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(domain.ErrorMessage(err), w) {
				t.Errorf("Compile(%q): message %q lacks %q", tt.expr, domain.ErrorMessage(err), w)
			}
		}
	}
	long := strings.Repeat("true && ", MaxLength/8+1) + "true"
	if _, err := eng.Compile(long); domain.ErrorField(err) != "filter" {
		t.Errorf("Compile(long) = %v, want a filter error", err)
	}
}

func TestCostLimit(t *testing.T) {
	eng := newEngine(t, Options{CostLimit: 10_000})
	// Nested loops over a 100-element list: 10,000 iterations and more.
	p, err := eng.Compile(`data.items.all(a, data.items.all(b, a + b >= 0.0))`)
	if err != nil {
		t.Fatal(err)
	}
	items := make([]int, 100)
	raw, _ := json.Marshal(map[string]any{"items": items})
	_, err = p.Eval(event("x.y", string(raw)))
	if err == nil || !strings.Contains(err.Error(), "cost limit") {
		t.Fatalf("Eval = %v, want a cost limit error", err)
	}
	// The same filter on a small list stays under the limit.
	if ok, err := p.Eval(event("x.y", `{"items":[1,2,3]}`)); err != nil || !ok {
		t.Fatalf("Eval(small) = %v, %v", ok, err)
	}
}

func TestCache(t *testing.T) {
	eng := newEngine(t, Options{CacheSize: 2})
	a1, _ := eng.Compile(`type == "a.b"`)
	a2, _ := eng.Compile(`type == "a.b"`)
	if a1 != a2 {
		t.Fatal("the same filter was compiled twice")
	}
	eng.Compile(`type == "c.d"`)
	eng.Compile(`type == "e.f"`) // evicts the least recently used: "a.b"
	if n := eng.cache.len(); n != 2 {
		t.Fatalf("cache holds %d programs, want 2", n)
	}
	if a3, _ := eng.Compile(`type == "a.b"`); a3 == a1 {
		t.Fatal("an evicted filter came back from the cache")
	}
	if _, err := eng.Compile(`nope(`); err == nil || eng.cache.len() != 2 {
		t.Fatalf("a broken filter was cached (%v, %d)", err, eng.cache.len())
	}

	// Concurrent use from fan-out goroutines.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				p, err := eng.Compile([]string{`type == "a.b"`, `type == "c.d"`, `tenant == "acme"`}[(i+j)%3])
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := p.Eval(event("a.b", `{}`)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestDataPaths(t *testing.T) {
	eng := newEngine(t, Options{})
	p, err := eng.Compile(`data.course.id in ["c_1"] && has(data.user.email) && data["score"]["raw"] > 1 && data.items[0].id == "x" && data.items.exists(i, i.done) && [1].all(x, x > 0)`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pth := range p.paths {
		got = append(got, pth.String())
	}
	want := []string{"data.course.id", "data.course", "data.user.email", "data.user", "data.score.raw", "data.score", "data.items[].id", "data.items[]", "data.items", "data.items[].done"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("paths = %v\nwant    %v", got, want)
	}
}

var loadCatalog = sync.OnceValues(catalog.Load)

func targets(t *testing.T, types ...string) []Target {
	t.Helper()
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var out []Target
	for _, typ := range types {
		et, ok := c.Lookup(typ)
		if !ok {
			t.Fatalf("no %s in the catalog", typ)
		}
		out = append(out, Target{Type: et.Type, Schema: et.Schema, Example: et.Example})
	}
	return out
}

func TestCheck(t *testing.T) {
	eng := newEngine(t, Options{})
	tests := []struct {
		expr  string
		types []string
		want  string // "" for valid, else part of the error message
	}{
		{`data.course.id in ["c_1", "c_2"]`, []string{"course_enrollment.completed"}, ""},
		{`data.user.email.endsWith("@acme.com")`, []string{"course_enrollment.completed", "course_enrollment.created"}, ""},
		{`data.email.endsWith("@acme.com")`, []string{"user.created"}, ""},
		{`data.custom_fields.cost_center == "CS-EMEA"`, []string{"user.created"}, ""}, // a map: any key
		{`data.course.id == "c_1"`, []string{"user.created"}, "data.course does not exist in user.created"},
		{`data.cours.id == "c_1"`, []string{"course_enrollment.completed"}, "data.cours does not exist in course_enrollment.completed; data has "},
		{`data.course.idd == "c_1"`, []string{"course_enrollment.completed"}, "data.course.idd does not exist"},
		{`data.cours.id == "c_1"`, []string{"course_enrollment.completed", "user.created"}, "does not exist in any subscribed event type (course_enrollment.completed, user.created)"},
		// Known to one type, read unguarded on another that lacks it.
		{`data.course.id == "c_1"`, []string{"course_enrollment.completed", "user.created"}, "fails on the example of user.created: no such key: course"},
		// Guarded: fine.
		{`has(data.course) && data.course.id == "c_1"`, []string{"course_enrollment.completed", "user.created"}, ""},
		{`type != "user.created" && data.course.id == "c_1"`, []string{"course_enrollment.completed", "user.created"}, ""},
		{`data.email`, []string{"user.created"}, "not true or false"},
	}
	for _, tt := range tests {
		p, err := eng.Compile(tt.expr)
		if err != nil {
			t.Fatalf("Compile(%s): %v", tt.expr, err)
		}
		err = p.Check(targets(t, tt.types...), "acme", when)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(%s, %v): %v", tt.expr, tt.types, err)
		case tt.want != "" && (err == nil || !strings.Contains(domain.ErrorMessage(err), tt.want)):
			t.Errorf("Check(%s, %v) = %v, want %q", tt.expr, tt.types, err, tt.want)
		case err != nil && domain.ErrorField(err) != "filter":
			t.Errorf("Check(%s): field %q, want filter", tt.expr, domain.ErrorField(err))
		}
	}
}

func TestCheckCustomSchemas(t *testing.T) {
	eng := newEngine(t, Options{})
	open := Target{Type: "acme_badge.earned"} // no schema: any object
	strict := Target{
		Type:    "acme_quiz.passed",
		Schema:  json.RawMessage(`{"type":"object","properties":{"quiz":{"$ref":"#/$defs/q"},"list":{"type":"array","items":{"type":"object","properties":{"k":{"type":"string"}},"additionalProperties":false}}},"$defs":{"q":{"allOf":[{"type":"object","properties":{"id":{"type":"string"}}},{"properties":{"level":{"type":"integer"}}}]}}}`),
		Example: json.RawMessage(`{"quiz":{"id":"q1","level":2},"list":[{"k":"v"}]}`),
	}
	for expr, want := range map[string]string{
		`data.anything.at.all == 1`:                   "",
		`data.quiz.id == "q1" && data.quiz.level > 1`: "",
		`data.list.exists(x, x.k == "v")`:             "",
		`data.list.exists(x, x.kk == "v")`:            "data.list[].kk does not exist in acme_quiz.passed",
		`data.quiz.name == "x"`:                       "data.quiz.name does not exist in acme_quiz.passed; data.quiz has id, level",
	} {
		p, err := eng.Compile(expr)
		if err != nil {
			t.Fatalf("Compile(%s): %v", expr, err)
		}
		tg := []Target{strict}
		if strings.HasPrefix(expr, "data.anything") {
			tg = []Target{open}
		}
		err = p.Check(tg, "acme", when)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("Check(%s) = %v, want %q", expr, err, want)
		}
	}
}

// documentedExample is one row of the examples table of docs/FILTERS.md
// with the types it is meant for and an event it selects and one it does
// not.
type documentedExample struct {
	types       []string
	match, miss string    // data
	missAt      time.Time // occurred_at of the miss, when it is what differs
}

// TestDocumentedExamples keeps docs/FILTERS.md honest: every filter in its
// examples table is listed here (and only those), compiles, passes the
// save-time check for the types it is meant for, and selects the event
// it should and not the other one.
func TestDocumentedExamples(t *testing.T) {
	eng := newEngine(t, Options{})
	enrollments := []string{"course_enrollment.completed", "course_enrollment.created"}
	users := []string{"user.created", "user.updated"}
	examples := map[string]documentedExample{
		`data.course.id in ["c_1", "c_2"]`: {types: enrollments,
			match: `{"course":{"id":"c_2"}}`, miss: `{"course":{"id":"c_3"}}`},
		`data.user.email.endsWith("@acme.com")`: {types: enrollments,
			match: `{"user":{"email":"ana@acme.com"}}`, miss: `{"user":{"email":"ana@acme.com.evil.io"}}`},
		`data.email.endsWith("@acme.com")`: {types: users,
			match: `{"email":"ana@acme.com"}`, miss: `{"email":"ana@other.com"}`},
		`data.user.email.lowerAscii().split("@")[1] in ["acme.com", "acme.de"]`: {types: enrollments,
			match: `{"user":{"email":"Ana@ACME.de"}}`, miss: `{"user":{"email":"ana@acme.org"}}`},
		`has(data.score) && data.score.raw >= 80`: {types: enrollments,
			match: `{"score":{"raw":80}}`, miss: `{"id":"enr_1"}`},
		`data.is_mandatory && data.completion_source == "learner"`: {types: []string{"course_enrollment.completed"},
			match: `{"is_mandatory":true,"completion_source":"learner"}`, miss: `{"is_mandatory":true,"completion_source":"admin"}`},
		`has(data.actor) && data.actor.type == "admin"`: {types: append([]string{"user.created", "course.published"}, enrollments...),
			match: `{"actor":{"type":"admin","id":"u_1015"}}`, miss: `{"id":"u_1"}`},
		`data.department_id == "d_12"`: {types: users,
			match: `{"department_id":"d_12"}`, miss: `{"department_id":"d_13"}`},
		`"manager" in data.roles`: {types: users,
			match: `{"roles":["learner","manager"]}`, miss: `{"roles":["learner"]}`},
		`data.categories.exists(c, c.startsWith("Compliance"))`: {types: []string{"course.created", "course.published"},
			match: `{"categories":["Sales","Compliance — EU"]}`, miss: `{"categories":["Sales"]}`},
		`data.course.code.matches("^HSE-[0-9]+$")`: {types: enrollments,
			match: `{"course":{"code":"HSE-101"}}`, miss: `{"course":{"code":"HSE-101b"}}`},
		`type == "user.created" || (has(data.course) && data.course.id == "c_1")`: {types: append([]string{"user.created"}, enrollments...),
			match: `{"course":{"id":"c_1"}}`, miss: `{"course":{"id":"c_2"}}`},
		`occurred_at.getDayOfWeek() in [1, 2, 3, 4, 5]`: {types: users,
			match: `{}`, miss: `{}`, missAt: time.Date(2025, 3, 16, 12, 0, 0, 0, time.UTC)}, // a Sunday; when is a Friday
	}

	documented := documentedFilters(t)
	if len(documented) < 10 {
		t.Fatalf("found only %d filters in docs/FILTERS.md's examples table", len(documented))
	}
	for _, expr := range documented {
		if _, ok := examples[expr]; !ok {
			t.Errorf("docs/FILTERS.md shows %s, which this test does not try", expr)
		}
	}
	for expr, ex := range examples {
		if !slices.Contains(documented, expr) {
			t.Errorf("%s is tried here but not in docs/FILTERS.md", expr)
		}
		p, err := eng.Compile(expr)
		if err != nil {
			t.Errorf("Compile(%s): %v", expr, err)
			continue
		}
		if err := p.Check(targets(t, ex.types...), "acme", when); err != nil {
			t.Errorf("Check(%s, %v): %v", expr, ex.types, err)
		}
		// The match is evaluated as the first type; the miss as the last
		// one, so a type test in the filter is exercised too.
		if got, err := p.Eval(event(ex.types[0], ex.match)); err != nil || !got {
			t.Errorf("%s on %s %s = %v, %v; want true", expr, ex.types[0], ex.match, got, err)
		}
		miss := event(ex.types[len(ex.types)-1], ex.miss)
		if !ex.missAt.IsZero() {
			miss.OccurredAt = ex.missAt
		}
		if got, err := p.Eval(miss); err != nil || got {
			t.Errorf("%s on %s %s = %v, %v; want false", expr, miss.Type, ex.miss, got, err)
		}
	}
}

// documentedFilters returns the filters of the examples table of
// docs/FILTERS.md: the second column of each row, unquoted.
func documentedFilters(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "FILTERS.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "## Examples\n")
	if !ok {
		t.Fatal("docs/FILTERS.md has no Examples section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	var out []string
	for _, line := range strings.Split(table, "\n") {
		line = strings.ReplaceAll(line, `\|`, "\x00") // an escaped | inside a cell
		cells := strings.Split(line, "|")
		if len(cells) != 4 || !strings.HasPrefix(strings.TrimSpace(cells[2]), "`") {
			continue
		}
		f := strings.Trim(strings.TrimSpace(cells[2]), "`")
		out = append(out, strings.ReplaceAll(f, "\x00", "|"))
	}
	return out
}
