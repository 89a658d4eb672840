package fanout

import (
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestMatch(t *testing.T) {
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
		e := &domain.Event{Type: tt.typ}
		if got := Match(w, e); got != tt.want {
			t.Errorf("Match(%v enabled=%v, %q) = %v, want %v", tt.patterns, tt.enabled, tt.typ, got, tt.want)
		}
	}
}
