package fanout

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
)

func newMatcher(t *testing.T) *Matcher {
	t.Helper()
	eng, err := filter.NewEngine(filter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return New(eng)
}

func TestMatch(t *testing.T) {
	m := newMatcher(t)
	tests := []struct {
		patterns []string
		enabled  bool
		typ      string
		want     bool
	}{
		{[]string{"*"}, true, "user.created", true},
		{[]string{"*"}, false, "user.created", false},
		{[]string{"course_enrollment.*"}, true, "course_enrollment.completed", true},
		{[]string{"course_enrollment.*"}, true, "course.completed", false},
		{[]string{"*.completed"}, true, "course_enrollment.completed", true},
		{[]string{"*.completed"}, true, "course_enrollment.created", false},
		{[]string{"user.created", "user.deleted"}, true, "user.deleted", true},
		{[]string{"user.created"}, true, "user.created_extra", false},
	}
	for _, tt := range tests {
		w := &domain.Webhook{EventTypes: tt.patterns, Enabled: tt.enabled}
		e := &domain.Event{Type: tt.typ, Data: json.RawMessage(`{}`)}
		if got := m.Match(w, e); got != tt.want {
			t.Errorf("Match(%v enabled=%v, %q) = %v, want %v", tt.patterns, tt.enabled, tt.typ, got, tt.want)
		}
	}
}

func TestMatchFilters(t *testing.T) {
	m := newMatcher(t)
	c1 := &domain.Event{Type: "course_enrollment.completed", Data: json.RawMessage(`{"course":{"id":"c_1"},"user":{"email":"a@acme.com"}}`)}
	c2 := &domain.Event{Type: "course_enrollment.completed", Data: json.RawMessage(`{"course":{"id":"c_2"},"user":{"email":"b@other.com"}}`)}
	noCourse := &domain.Event{Type: "course_enrollment.completed", Data: json.RawMessage(`{"user":{"email":"a@acme.com"}}`)}
	tests := []struct {
		filter  string
		enabled bool
		e       *domain.Event
		match   bool
		errs    bool
	}{
		{"", true, c1, true, false},
		{`data.course.id in ["c_1"]`, true, c1, true, false},
		{`data.course.id in ["c_1"]`, true, c2, false, false},
		{`data.course.id in ["c_1"]`, false, c1, false, false}, // disabled wins
		{`data.user.email.endsWith("@acme.com")`, true, c2, false, false},
		// Errors make a delivery, so the error is recorded on it.
		{`data.course.id in ["c_1"]`, true, noCourse, true, true},
		{`this is not CEL(`, true, c1, true, true},
	}
	for _, tt := range tests {
		w := &domain.Webhook{EventTypes: []string{"course_enrollment.*"}, Enabled: tt.enabled, Filter: tt.filter}
		if got := m.Match(w, tt.e); got != tt.match {
			t.Errorf("Match(%q, %s) = %v, want %v", tt.filter, tt.e.Data, got, tt.match)
		}
		err := m.FilterError(w, tt.e)
		if (err != nil) != tt.errs {
			t.Errorf("FilterError(%q, %s) = %v, want error: %v", tt.filter, tt.e.Data, err, tt.errs)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "filter error: ") {
			t.Errorf("FilterError = %q, want it to start with \"filter error: \"", err)
		}
	}
}
