package format

import (
	"slices"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// checkTypes refuses the subscriptions a format with a closed set of
// event types cannot express. A concrete type must be one of supported; a
// wildcard is refused too, because it may select types (a tenant's own
// included) that the format cannot render: the message lists the supported
// types the pattern would have selected, to copy into event_types.
func checkTypes(format string, patterns, supported []string) error {
	var bad []string
	var suggest []string
	for _, p := range patterns {
		if slices.Contains(supported, p) {
			continue
		}
		bad = append(bad, p)
		if strings.Contains(p, "*") {
			for _, s := range supported {
				if domain.MatchEventType(p, s) && !slices.Contains(suggest, s) {
					suggest = append(suggest, s)
				}
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(suggest)
	msg := "the " + format + " format cannot express " + strings.Join(bad, ", ")
	if len(suggest) > 0 {
		msg += "; list the types instead: " + strings.Join(suggest, ", ")
	} else {
		sorted := slices.Clone(supported)
		slices.Sort(sorted)
		msg += "; it supports " + strings.Join(sorted, ", ")
	}
	return domain.FieldErrorf("event_types", "%s", msg)
}

// splitType splits "<entity>.<action>".
func splitType(t string) (entity, action string) {
	entity, action, _ = strings.Cut(t, ".")
	return entity, action
}
