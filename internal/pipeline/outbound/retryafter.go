package outbound

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds a parsed Retry-After. No retry policy waits longer
// (custom waits are at most 7 days), and the bound keeps absurd values
// from overflowing a time.Duration.
const maxRetryAfter = 7 * 24 * time.Hour

// ParseRetryAfter converts a Retry-After header value into a wait from
// now. It accepts delay-seconds ("120") and an HTTP date ("Wed, 21 Oct 2015
// 07:28:00 GMT", or the two obsolete date forms). It returns 0 for an
// empty, negative, fractional or unparseable value and for a date that has
// passed, and caps the wait at 7 days.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	secs, err := strconv.ParseUint(v, 10, 64)
	switch {
	case err == nil && secs <= uint64(maxRetryAfter/time.Second):
		return time.Duration(secs) * time.Second
	case err == nil, errors.Is(err, strconv.ErrRange):
		return maxRetryAfter
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), maxRetryAfter)
}
