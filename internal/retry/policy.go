package retry

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// JitterFraction is how far Next moves a wait at random in either direction
// (±10%), so that deliveries failing together do not retry in lockstep.
const JitterFraction = 0.10

// Policy is a named schedule of waits between attempts.
type Policy struct {
	// Name is the preset name ("standard", "riseup", …) or "custom".
	Name string
	// Label names the policy for people: the vendor or standard whose
	// schedule it is ("Rise Up", "CYPHER Learning"), as the formats do.
	Label string
	// Waits[i] is the wait before retry i+1, that is after attempt i+1
	// failed. A delivery gets 1 + len(Waits) attempts in total.
	Waits []time.Duration
	// Description explains the policy and spells out its full schedule.
	Description string
}

// Attempts returns the number of attempts the policy allows in total, the
// first one included.
func (p Policy) Attempts() int { return 1 + len(p.Waits) }

// Total returns the sum of all waits: how long after the first attempt the
// last one starts, not counting the time the attempts themselves take.
func (p Policy) Total() time.Duration {
	var t time.Duration
	for _, w := range p.Waits {
		t += w
	}
	return t
}

// MaxWait returns the largest wait of the schedule (0 for no retries).
func (p Policy) MaxWait() time.Duration {
	if len(p.Waits) == 0 {
		return 0
	}
	return slices.Max(p.Waits)
}

// Next returns how long to wait before the next attempt, after
// failedAttempts attempts of the current schedule have failed, and
// ok=false when the policy is exhausted (the delivery becomes failed).
//
// failedAttempts counts from the start of the current schedule (a resend or
// recover starts it over); values below 1 are treated as 1. The wait is the
// scheduled one moved by up to ±JitterFraction at random, so a zero wait
// stays zero and no wait is ever negative. A retryAfter (the receiver's
// Retry-After on a 429 or 503) raises the wait to at least retryAfter, but
// never above the schedule's largest wait, so a receiver cannot park a
// delivery for longer than its policy allows. rnd returns numbers in
// [0, 1); nil uses math/rand/v2.
func (p Policy) Next(failedAttempts int, retryAfter time.Duration, rnd func() float64) (wait time.Duration, ok bool) {
	i := max(failedAttempts, 1) - 1
	if i >= len(p.Waits) {
		return 0, false
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	base := p.Waits[i]
	factor := 1 + (2*rnd()-1)*JitterFraction
	// Rounding to the millisecond keeps the result exact across platforms
	// (fused multiply-add may change the last bits of the product).
	wait = max(time.Duration(float64(base)*factor).Round(time.Millisecond), 0)
	if retryAfter > wait {
		wait = max(wait, min(retryAfter, p.MaxWait()))
	}
	return wait, true
}

// Custom returns a policy with the given waits (a webhook's
// retry_schedule). The slice is copied; validating the limits (1–50 waits,
// each 0–7 days) is the webhook's job (domain.Webhook.Validate).
func Custom(waits []time.Duration) Policy {
	w := slices.Clone(waits)
	return Policy{
		Name:        "custom",
		Label:       "Custom",
		Waits:       w,
		Description: fmt.Sprintf("Custom schedule: %s.", describe(w)),
	}
}

// describe renders a schedule as "1 attempt + 3 retries after 5s, 1m, 1h
// (1h1m5s in total)".
func describe(waits []time.Duration) string {
	if len(waits) == 0 {
		return "one attempt, no retries"
	}
	parts := make([]string, len(waits))
	for i, w := range waits {
		parts[i] = FormatWait(w)
	}
	p := Policy{Waits: waits}
	return fmt.Sprintf("%d retries after %s (%s in total)", len(waits), strings.Join(parts, ", "), FormatWait(p.Total()))
}

// FormatWait renders a wait compactly for people: "immediately", "5s",
// "30m", "2h", "1h25m15s", "48h3m". Unlike time.Duration.String it drops
// zero parts ("5m", not "5m0s"); sub-second parts are dropped unless the
// wait is shorter than a second.
func FormatWait(d time.Duration) string {
	if d <= 0 {
		return "immediately"
	}
	if d < time.Second {
		return d.String()
	}
	d = d.Truncate(time.Second)
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		sym  string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.sym)
			d -= n * u.unit
		}
	}
	return b.String()
}
