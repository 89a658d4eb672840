package ui

import "testing"

func TestInlineCode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Rise Up `course_enrollment_completed`, CYPHER *Course completion*", "Rise Up <code>course_enrollment_completed</code>, CYPHER <em>Course completion</em>"},
		{"patterns like `*.completed` stay code", "patterns like <code>*.completed</code> stay code"},
		{"a lone * star and 2 * 3", "a lone * star and 2 * 3"},
		{"<b>escaped</b> & `a<b`", "&lt;b&gt;escaped&lt;/b&gt; &amp; <code>a&lt;b</code>"},
		{"unpaired ` backtick *stays*", "unpaired ` backtick *stays*"},
	} {
		if got := string(inlineCode(c.in)); got != c.want {
			t.Errorf("inlineCode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
