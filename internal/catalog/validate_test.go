package catalog

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// patched returns the example of typ with the JSON Merge Patch applied.
func patched(t *testing.T, c *Catalog, typ, patch string) json.RawMessage {
	t.Helper()
	et, ok := c.Lookup(typ)
	if !ok {
		t.Fatalf("no type %s", typ)
	}
	out, err := mergePatch(et.Example, json.RawMessage(patch))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// invalidField asserts that err is an EINVALID *domain.Error on field.
func invalidField(t *testing.T, err error, field string) *domain.Error {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("err = %v (%T), want *domain.Error", err, err)
	}
	if de.Code != domain.EINVALID || de.Field != field {
		t.Fatalf("err = %v, want code %s on field %s", err, domain.EINVALID, field)
	}
	return de
}

func TestValidateBrokenExamples(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		name, typ, patch string
		field, message   string
	}{
		{"bad email", "course_enrollment.completed", `{"user":{"email":"ana@"}}`, "data/user/email", `"ana@" is not a valid email`},
		{"missing required", "course_enrollment.completed", `{"completed_at":null}`, "data/completed_at", "is required"},
		{"missing nested id", "course_enrollment.created", `{"user":{"id":null}}`, "data/user/id", "is required"},
		{"missing root id", "user.created", `{"id":null}`, "data/id", "is required"},
		{"wrong type", "course_enrollment.completed", `{"time_spent_seconds":"4350"}`, "data/time_spent_seconds", "must be an integer, not a string"},
		{"bad date-time", "course_enrollment.completed", `{"completed_at":"2025-03-14 09:26"}`, "data/completed_at", `"2025-03-14 09:26" is not a valid RFC 3339 date-time (e.g. "2025-03-14T09:26:53Z")`},
		{"above maximum", "course_enrollment.progressed", `{"progress_percent":140}`, "data/progress_percent", "must be at most 100, not 140"},
		{"not in enum", "course_enrollment.created", `{"status":"done"}`, "data/status", `"done" is not one of "not_started", "in_progress", "completed", "failed", "expired", "withdrawn"`},
		{"empty id", "group.created", `{"id":""}`, "data/id", "must be at least 1 characters long"},
		{"array item", "classroom_session.created", `{"instructors":[{"id":"u_1190","email":"kenji@"}]}`, "data/instructors/0/email", `"kenji@" is not a valid email`},
		{"bad uri", "course.created", `{"url":"learn.acme.com/c_1042"}`, "data/url", `"learn.acme.com/c_1042" is not a valid absolute URI`},
		{"scaled out of range", "course_enrollment.completed", `{"score":{"raw":80,"scaled":80}}`, "data/score/scaled", "must be at most 1, not 80"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Validate(tc.typ, patched(t, c, tc.typ, tc.patch))
			de := invalidField(t, err, tc.field)
			if de.Message != tc.message {
				t.Errorf("message = %q, want %q", de.Message, tc.message)
			}
		})
	}
}

func TestValidateNullWhereTheActionNeedsAValue(t *testing.T) {
	c := load(t)
	// The entity allows started_at to be null; the started action does not.
	// (A merge patch cannot set null, so edit the JSON.)
	ex, _ := c.Lookup("course_enrollment.started")
	data := strings.Replace(string(ex.Example), `"started_at":"2025-03-12T07:58:41.000Z"`, `"started_at":null`, 1)
	if data == string(ex.Example) {
		t.Fatal("example has no started_at to replace")
	}
	de := invalidField(t, c.Validate("course_enrollment.started", json.RawMessage(data)), "data/started_at")
	if de.Message != "must be a string, not null" {
		t.Errorf("message = %q", de.Message)
	}
	if err := c.Validate("course_enrollment.updated", json.RawMessage(data)); err != nil {
		t.Errorf("course_enrollment.updated must accept a null started_at: %v", err)
	}
}

func TestValidateDataShape(t *testing.T) {
	c := load(t)
	for _, tc := range []struct{ data, message string }{
		{``, "is required"},
		{`[]`, "must be an object, not an array"},
		{`{"id":`, "is not valid JSON"},
		{`{} {}`, "is not valid JSON"},
	} {
		de := invalidField(t, c.Validate("user.created", json.RawMessage(tc.data)), "data")
		if !strings.HasPrefix(de.Message, tc.message) {
			t.Errorf("data %q: message = %q, want prefix %q", tc.data, de.Message, tc.message)
		}
	}
}

func TestValidateAllowsAdditionalProperties(t *testing.T) {
	c := load(t)
	data := patched(t, c, "course_enrollment.completed", `{"acme_cost_center":"CS-EMEA","user":{"rhid":"00417"}}`)
	if err := c.Validate("course_enrollment.completed", data); err != nil {
		t.Fatalf("an LMS's own extra fields must be accepted: %v", err)
	}
	// Only ids are required by most types: a lean LMS (Absorb) sends little.
	if err := c.Validate("course_enrollment.created", json.RawMessage(`{"id":"enr_1","user":{"id":"u_1"},"course":{"id":"c_1"}}`)); err != nil {
		t.Fatalf("a minimal enrollment must validate: %v", err)
	}
}

func TestValidateReportsTheSameProblemEveryTime(t *testing.T) {
	c := load(t)
	// Three problems; the smallest pointer wins, whatever order the
	// library found them in.
	data := patched(t, c, "course_enrollment.completed", `{"user":{"email":"ana@"},"course":{"id":null},"status":"done"}`)
	for range 20 {
		de := invalidField(t, c.Validate("course_enrollment.completed", data), "data/course/id")
		if de.Message != "is required" {
			t.Fatalf("message = %q", de.Message)
		}
	}
}

func TestValidateUnknownTypeSuggests(t *testing.T) {
	c := load(t)
	for _, tc := range []struct{ typ, first string }{
		{"course_enrolment.completed", "course_enrollment.completed"},
		{"user.craeted", "user.created"},
		{"course_enrollment.complete", "course_enrollment.completed"},
		{"Certificate.Awarded", "certificate.awarded"},
	} {
		ex, _ := c.Lookup(tc.first)
		de := invalidField(t, c.Validate(tc.typ, ex.Example), "type")
		want := `unknown event type "` + tc.typ + `"; did you mean "` + tc.first + `", `
		if !strings.HasPrefix(de.Message, want) {
			t.Errorf("message = %q, want prefix %q", de.Message, want)
		}
		if n := strings.Count(de.Message, `", "`) + 1; n != 3 {
			t.Errorf("message %q suggests %d types, want 3", de.Message, n)
		}
	}
	de := invalidField(t, c.Validate("", json.RawMessage(`{}`)), "type")
	if de.Message != "is required" {
		t.Errorf("empty type: %q", de.Message)
	}
	long := strings.Repeat("x", 5000) + ".created"
	de = invalidField(t, c.Validate(long, json.RawMessage(`{}`)), "type")
	if strings.Contains(de.Message, "xxxx") || strings.Contains(de.Message, "did you mean") {
		t.Errorf("a long unknown type is echoed or searched: %.80q", de.Message)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"course_enrolment", "course_enrollment", 1},
		{"léa", "lea", 1},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestValidateConcurrently(t *testing.T) {
	c := load(t)
	all := c.All()
	done := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := w; i < len(all); i += 4 {
				if err := c.Validate(all[i].Type, all[i].Example); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
