package ui

import (
	"context"
	"encoding/json"

	"github.com/lmshooks/lmshooks/internal/service"
)

// actionTryFilter is the form action that evaluates the filter on an
// example instead of saving.
const actionTryFilter = "try-filter"

// filterExample is a documented filter, shown as a hint under the field.
type filterExample struct {
	Want, Expr string
}

// filterExamples are docs/FILTERS.md's examples (internal/filter tests
// that each one passes the save-time check for the types it is meant for).
var filterExamples = []filterExample{
	{"only some courses", `data.course.id in ["c_1", "c_2"]`},
	{"only the company's own users, on enrollment events", `data.user.email.endsWith("@acme.com")`},
	{"the same on user.* events, where data is the user", `data.email.endsWith("@acme.com")`},
	{"passing scores only", `has(data.score) && data.score.raw >= 80`},
	{"mandatory trainings completed by learners themselves", `data.is_mandatory && data.completion_source == "learner"`},
	{"learners holding a role", `"manager" in data.roles`},
	{"one course code family", `data.course.code.matches("^HSE-[0-9]+$")`},
	{"several types with different rules", `type == "user.created" || (has(data.course) && data.course.id == "c_1")`},
	{"events of weekdays (UTC)", `occurred_at.getDayOfWeek() in [1, 2, 3, 4, 5]`},
}

// tryFilter evaluates the form's filter on the example of the chosen type
// (or of the first subscribed one), or on the pasted data, as the service
// tries filters. Problems are part of the outcome, never an error page:
// this is a tool for writing filters.
func (c *Console) tryFilter(ctx context.Context, tenantID string, f *webhookForm) *service.FilterOutcome {
	return c.webhooks.TryFilter(ctx, tenantID, service.FilterTrial{
		Filter:     f.Filter,
		EventType:  f.TryType,
		Data:       json.RawMessage(f.TryData),
		Subscribed: f.types(),
	})
}
