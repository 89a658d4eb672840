package stats

import (
	"slices"
	"time"
)

// RollupBounds are the upper bounds of the latency histogram buckets of
// the stores' hourly attempt roll-ups; the last bucket counts everything
// slower than the last bound. Changing them invalidates stored roll-ups.
var RollupBounds = []time.Duration{
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2500 * time.Millisecond,
	5 * time.Second, 10 * time.Second,
}

// RollupGrace is how long after an hour ends it is rolled up: attempts are
// recorded a moment after they end (batched, and a crashed node's work is
// redone up to a lease later), so an hour is left open for that long.
const RollupGrace = 5 * time.Minute

// RollupMaxHours bounds the hours one roll-up pass covers, so that catching
// up after a long pause is done in bounded steps.
const RollupMaxHours = 24

// RollupRetention is how long hourly roll-ups are kept: they are a few
// rows per webhook per hour, and a year of history is what dashboards of
// long windows need.
const RollupRetention = 400 * 24 * time.Hour

// RollupPass returns the hours [from, end) a roll-up pass at now covers,
// given the first hour not rolled up yet; when nothing ever was (a zero
// watermark), the first pass starts at the hour of the oldest attempt
// stored, or a day back when there is none. from is not before end when
// there is nothing to do.
func RollupPass(watermark, oldest, now time.Time) (from, end time.Time) {
	end = now.Add(-RollupGrace).UTC().Truncate(time.Hour)
	from = watermark.UTC()
	if watermark.IsZero() {
		from = end.Add(-24 * time.Hour)
		if !oldest.IsZero() && oldest.Before(from) {
			from = oldest.UTC().Truncate(time.Hour)
		}
	}
	if end.Sub(from) > RollupMaxHours*time.Hour {
		end = from.Add(RollupMaxHours * time.Hour)
	}
	return from, end
}

// RolledUpRange returns the whole hours [lo, hi) of [since, until) that a
// store has rolled up, given the first hour it ever rolled up (start) and
// the first hour it has not rolled up yet (watermark), both zero when it
// never rolled anything up. Every hour in between is rolled up: roll-ups
// advance without gaps. lo is not before hi when there are none.
func RolledUpRange(since, until, start, watermark time.Time) (lo, hi time.Time) {
	if start.IsZero() || watermark.IsZero() {
		return until, until
	}
	lo = since.UTC().Truncate(time.Hour)
	if lo.Before(since) {
		lo = lo.Add(time.Hour)
	}
	if lo.Before(start) {
		lo = start.UTC()
	}
	hi = until.UTC().Truncate(time.Hour)
	if watermark.Before(hi) {
		hi = watermark.UTC()
	}
	if !lo.Before(hi) {
		return until, until
	}
	return lo, hi
}

// Accumulator sums a window's attempts per webhook from hourly roll-ups
// and from single attempts (the window's edges and the hours not rolled up
// yet). Calls and errors are exact; a webhook's percentiles are estimated
// from the roll-ups' histogram when any of its calls came from a roll-up,
// and exact (nearest rank) otherwise.
type Accumulator struct {
	hooks map[string]*webhookAcc
}

type webhookAcc struct {
	calls, errors int64
	rolledUp      bool
	hist          *Histogram
	raw           []time.Duration
}

// NewAccumulator returns an empty Accumulator.
func NewAccumulator() *Accumulator { return &Accumulator{hooks: map[string]*webhookAcc{}} }

func (a *Accumulator) of(webhookID string) *webhookAcc {
	w := a.hooks[webhookID]
	if w == nil {
		w = &webhookAcc{hist: NewHistogram(RollupBounds)}
		a.hooks[webhookID] = w
	}
	return w
}

// AddRollup adds one stored roll-up of a webhook: its calls, errors,
// histogram buckets (taken with RollupBounds) and slowest call.
func (a *Accumulator) AddRollup(webhookID string, calls, errors int64, buckets []int64, slowest time.Duration) error {
	w := a.of(webhookID)
	w.calls += calls
	w.errors += errors
	w.rolledUp = true
	return w.hist.Merge(buckets, slowest)
}

// AddAttempt adds one attempt of a webhook.
func (a *Accumulator) AddAttempt(webhookID string, d time.Duration, success bool) {
	w := a.of(webhookID)
	w.calls++
	if !success {
		w.errors++
	}
	w.hist.Observe(d)
	w.raw = append(w.raw, d)
}

// Summaries returns one Summary per webhook that had a call.
func (a *Accumulator) Summaries() map[string]Summary {
	out := make(map[string]Summary, len(a.hooks))
	for id, w := range a.hooks {
		sum := Summary{WebhookID: id, Calls: int(w.calls), Errors: int(w.errors)}
		if w.rolledUp {
			sum.P50, sum.P95 = w.hist.Percentile(50), w.hist.Percentile(95)
		} else {
			slices.Sort(w.raw)
			sum.P50, sum.P95 = Percentile(w.raw, 50), Percentile(w.raw, 95)
		}
		out[id] = sum
	}
	return out
}
