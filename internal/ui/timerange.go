package ui

import (
	"net/url"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/service"
)

// rangeCustom is the time range choice that takes its own bounds.
const rangeCustom = "custom"

// ranges are the preset time ranges of the audit's filter and of "retry
// failed since…".
var ranges = []struct {
	Key   string
	Label string
	Dur   time.Duration
}{
	{"1h", "Last hour", time.Hour},
	{"24h", "Last 24 hours", 24 * time.Hour},
	{"7d", "Last 7 days", 7 * 24 * time.Hour},
	{"30d", "Last 30 days", 30 * 24 * time.Hour},
}

// presetRange returns the length of a preset range, or 0 for any other key.
func presetRange(key string) time.Duration {
	for _, rg := range ranges {
		if rg.Key == key {
			return rg.Dur
		}
	}
	return 0
}

// localInput is how <input type="datetime-local"> writes a time.
const localInput = "2006-01-02T15:04"

// formTime reads one bound of a custom range. The page script sends it as
// an RFC 3339 instant in utcName, converted from the viewer's time zone;
// without the script the browser sends the field's own value in localName,
// which the page then labels, and this reads, as UTC. Zero when both are
// empty.
func formTime(v url.Values, utcName, localName string) (time.Time, error) {
	if s := strings.TrimSpace(v.Get(utcName)); s != "" {
		return service.ParseTime(utcName, s)
	}
	if s := strings.TrimSpace(v.Get(localName)); s != "" {
		for _, layout := range []string{localInput, localInput + ":05", localInput + ":05.999999999"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, domain.FieldErrorf(localName, "%q is not a date and time like 2025-05-01T13:00", s)
	}
	return time.Time{}, nil
}

// timeField is what the template needs to show one bound of a custom range
// in a datetime-local field: its UTC value for the field (the script
// rewrites it in the viewer's zone) and the instant itself.
type timeField struct {
	Local string // "2006-01-02T15:04" in UTC
	UTC   string // RFC 3339
}

func newTimeField(t time.Time) timeField {
	if t.IsZero() {
		return timeField{}
	}
	u := t.UTC()
	return timeField{Local: u.Format(localInput), UTC: u.Format(time.RFC3339)}
}
