package filter

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Target is an event type a webhook's filter will see: its name, the JSON
// Schema of its data and, when it has one, an example of its data.
type Target struct {
	Type    string
	Schema  json.RawMessage
	Example json.RawMessage
}

// maxNamed and maxFieldsNamed bound how many event types and fields one
// message names.
const (
	maxNamed       = 3
	maxFieldsNamed = 12
)

// Check is the save-time check of a filter against the event types a
// webhook subscribes to (tenant's own types included):
//
//   - every field the filter reads from data (data.course.id) must exist in
//     the schema of at least one of them, which catches typos; a path that
//     only some types have is fine as long as the filter guards it (has(),
//     or a test of type first);
//   - the filter must evaluate without error on each type's example, which
//     catches fields read unguarded on types that lack them.
//
// Errors are EINVALID on field "filter" and name the path and the type,
// e.g. "data.course.id does not exist in user.created". tenantID and now
// fill the tenant and occurred_at variables of the example events.
func (p *Program) Check(targets []Target, tenantID string, now time.Time) error {
	if len(targets) == 0 {
		return nil
	}
	docs := make([]*schemaDoc, len(targets))
	for i, t := range targets {
		d, err := parseSchema(t.Schema)
		if err != nil {
			return fmt.Errorf("filter: %s: %w", t.Type, err)
		}
		docs[i] = d
	}
	for _, pth := range p.paths {
		if err := checkPath(pth, targets, docs); err != nil {
			return err
		}
	}
	for _, t := range targets {
		if len(t.Example) == 0 {
			continue
		}
		ev := &domain.Event{Type: t.Type, TenantID: tenantID, OccurredAt: now, ReceivedAt: now, Data: t.Example}
		if _, err := p.Eval(ev); err != nil {
			return domain.FieldErrorf("filter", "fails on the example of %s: %v%s", t.Type, err, guardHint(err))
		}
	}
	return nil
}

// checkPath reports a path that exists in none of the targets' schemas.
func checkPath(pth path, targets []Target, docs []*schemaDoc) error {
	var first lookup
	for i := range targets {
		l := docs[i].find(pth)
		if l.found {
			return nil
		}
		if i == 0 {
			first = l
		}
	}
	where := targets[0].Type
	if len(targets) > 1 {
		where = "any subscribed event type (" + names(targets) + ")"
	}
	msg := fmt.Sprintf("%s does not exist in %s", first.missing, where)
	if len(first.known) > 0 && len(targets) == 1 {
		parent := first.missing[:len(first.missing)-1]
		known := first.known
		if len(known) > maxFieldsNamed {
			known = append(known[:maxFieldsNamed:maxFieldsNamed], "…")
		}
		msg += fmt.Sprintf("; %s has %s", parent, strings.Join(known, ", "))
	}
	return domain.FieldErrorf("filter", "%s", msg)
}

// names lists the targets' types, the first few of them.
func names(targets []Target) string {
	var ns []string
	for _, t := range targets[:min(len(targets), maxNamed)] {
		ns = append(ns, t.Type)
	}
	s := strings.Join(ns, ", ")
	if len(targets) > maxNamed {
		s += fmt.Sprintf(" and %d more", len(targets)-maxNamed)
	}
	return s
}

// guardHint suggests has() when an example lacked a field the filter reads.
func guardHint(err error) string {
	if strings.Contains(err.Error(), "no such key") {
		return " (guard fields that not every event has, e.g. has(data.course) && data.course.id == \"c_1\", or test type first)"
	}
	return ""
}
