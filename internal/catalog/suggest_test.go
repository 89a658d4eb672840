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
