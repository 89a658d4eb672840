package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	names := []string{"user", "course", "course_enrollment", "group", "badge"}
	for _, tc := range []struct {
		s    string
		want []string
	}{
		{"usr", []string{"user"}},
		{"cours", []string{"course", "course_enrollment"}},
		{"zzzzzzzzzz", nil},
		{strings.Repeat("u", 200), nil},
	} {
		if got := Closest(tc.s, names); !slices.Equal(got, tc.want) {
			t.Errorf("Closest(%.20q) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	if got := DidYouMean(nil); got != "" {
		t.Errorf("no suggestions = %q", got)
	}
	if got, want := DidYouMean([]string{"a.b", "c.d"}), `; did you mean "a.b", "c.d"?`; got != want {
		t.Errorf("= %q, want %q", got, want)
	}
}

func TestNearestPatterns(t *testing.T) {
	subscribed := []string{"user.created", "course_enrollment.*", "*.completed", "badge.awarded", "user.created"}
	for _, tc := range []struct {
		t    string
		want []string
	}{
		// A typo in the entity: the wildcard pattern of that entity first.
		{"course_enrolment.started", []string{"course_enrollment.*", "*.completed", "user.created"}},
		{"user.updated", []string{"user.created", "*.completed", "badge.awarded"}},
		{"badge.revoked", []string{"badge.awarded", "*.completed", "user.created"}},
		{strings.Repeat("u", 200), nil},
	} {
		if got := NearestPatterns(tc.t, subscribed); !slices.Equal(got, tc.want) {
			t.Errorf("NearestPatterns(%.20q) = %q, want %q", tc.t, got, tc.want)
		}
	}
	if got := NearestPatterns("user.created", nil); got != nil {
		t.Errorf("no patterns = %q", got)
	}
}
