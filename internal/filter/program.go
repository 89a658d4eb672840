package filter

import (
	"encoding/json"
	"errors"
	"fmt"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Program is a compiled filter. It is immutable and safe for concurrent use.
type Program struct {
	expr  string
	prg   cel.Program
	paths []path // the data fields the filter reads, for the save-time check
}

// String returns the filter's text.
func (p *Program) String() string { return p.expr }

// Eval evaluates the filter on e. An error means the filter could not
// decide: a field it reads is missing from this event, a value has the
// wrong type, the cost limit was reached, or the result is not a boolean.
// Its message is safe to show to the tenant's admin.
func (p *Program) Eval(e *domain.Event) (bool, error) {
	data := map[string]any{}
	if len(e.Data) > 0 {
		// Numbers decode as float64, CEL's double: JSON's own number.
		if err := json.Unmarshal(e.Data, &data); err != nil {
			return false, fmt.Errorf("the event's data is not a JSON object: %w", err)
		}
	}
	out, _, err := p.prg.Eval(map[string]any{
		"data":        data,
		"type":        e.Type,
		"tenant":      e.TenantID,
		"occurred_at": e.OccurredAt,
	})
	if err != nil {
		return false, evalError(err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("the filter yielded %s %v, not true or false", out.Type().TypeName(), out.Value())
	}
	return bool(b), nil
}

// evalError makes CEL's runtime errors read well in a delivery's log.
func evalError(err error) error {
	msg := err.Error()
	if msg == "operation cancelled: actual cost limit exceeded" {
		return errors.New("the filter did too much work on this event (cost limit exceeded)")
	}
	return errors.New(msg)
}
