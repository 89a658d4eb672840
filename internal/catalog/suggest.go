package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// maxSuggestions is how many known types an unknown-type error proposes.
const maxSuggestions = 3

// maxTypeLength is the length of the longest valid event type name
// (domain.ValidEventType: two parts of at most 63 characters and a dot).
const maxTypeLength = 127

// unknownType returns the EINVALID error for an event type the catalog does
// not know, naming the closest known types so that a typo is a one-glance fix.
func (c *Catalog) unknownType(t string) error {
	if t == "" {
		return domain.FieldErrorf("type", "is required")
	}
	if len(t) > maxTypeLength {
		// Valid names are short; do not spend edit-distance work on, or
		// echo back, a long string.
		return domain.FieldErrorf("type", "unknown event type (%d characters; event types are at most %d)", len(t), maxTypeLength)
	}
	return domain.FieldErrorf("type", "unknown event type %q%s", t, DidYouMean(c.Suggest(t)))
}

// DidYouMean renders suggestions as `; did you mean "a", "b"?`, or "" when
// there are none: the one wording of every "did you mean" in lmshooks.
func DidYouMean(suggestions []string) string {
	if len(suggestions) == 0 {
		return ""
	}
	q := make([]string, len(suggestions))
	for i, x := range suggestions {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "; did you mean " + strings.Join(q, ", ") + "?"
}

// Suggest returns up to three known types closest to t by edit distance,
// closest first (ties by name).
func (c *Catalog) Suggest(t string) []string {
	return nearest(c.names, func(n string) (int, bool) { return editDistance(t, n), true })
}

// maxCloseDistance is how many typos away Closest still proposes a name.
const maxCloseDistance = 3

// Closest returns up to three of candidates nearest to s by edit distance,
// nearest first, none farther than a few typos unless s begins it (so
// that "course" proposes "course_enrollment"). Unlike Suggest, which
// always proposes the nearest types, it proposes nothing for a word that
// resembles none: it serves entities, actions and patterns.
func Closest(s string, candidates []string) []string {
	if len(s) > maxTypeLength {
		return nil
	}
	return nearest(candidates, func(c string) (int, bool) {
		d := editDistance(s, c)
		return d, d <= maxCloseDistance || strings.HasPrefix(c, s)
	})
}

// NearestPatterns returns up to three of the event type patterns nearest
// to the event type t, nearest first, however far: it names the
// subscriptions an event just missed. A pattern's distance is the sum of
// its parts' edit distances to t's, a "*" part costing nothing, so that
// "course_enrolment.completed" is nearest to "course_enrollment.*".
func NearestPatterns(t string, patterns []string) []string {
	if len(t) > maxTypeLength {
		return nil
	}
	te, ta, _ := strings.Cut(t, ".")
	part := func(p, s string) int {
		if p == "*" {
			return 0
		}
		return editDistance(s, p)
	}
	sorted := slices.Clone(patterns)
	slices.Sort(sorted)
	return nearest(slices.Compact(sorted), func(p string) (int, bool) {
		if p == "*" {
			return 0, true
		}
		pe, pa, _ := strings.Cut(p, ".")
		return part(pe, te) + part(pa, ta), true
	})
}

// nearest returns up to maxSuggestions of candidates that dist keeps,
// smallest distance first; ties keep the candidates' order.
func nearest(candidates []string, dist func(string) (int, bool)) []string {
	type scored struct {
		name string
		dist int
	}
	var all []scored
	for _, c := range candidates {
		if d, ok := dist(c); ok {
			all = append(all, scored{c, d})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].dist < all[j].dist })
	var out []string
	for _, x := range all[:min(len(all), maxSuggestions)] {
		out = append(out, x.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
