package stats

import (
	"testing"
	"time"
)

func TestRollupPass(t *testing.T) {
	now := time.Date(2030, 3, 4, 12, 3, 0, 0, time.UTC) // 12:00 is still in its grace
	hour := func(h int) time.Time {
		return time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
	}
	for _, tc := range []struct {
		name              string
		watermark, oldest time.Time
		from, end         time.Time
	}{
		{"first pass, no attempts: a day back", time.Time{}, time.Time{}, hour(11 - 24), hour(11)},
		{"first pass, recent attempts only: a day back", time.Time{}, hour(2).Add(17 * time.Minute), hour(11 - 24), hour(11)},
		{"first pass: from the oldest attempt's hour", time.Time{}, hour(-20).Add(17 * time.Minute), hour(-20), hour(4)},
		{"first pass far behind: one day at a time", time.Time{}, hour(-100).Add(time.Minute), hour(-100), hour(-76)},
		{"next pass", hour(9), time.Time{}, hour(9), hour(11)},
		{"up to date", hour(11), time.Time{}, hour(11), hour(11)},
	} {
		from, end := RollupPass(tc.watermark, tc.oldest, now)
		if !from.Equal(tc.from) || !end.Equal(tc.end) {
			t.Errorf("%s: RollupPass = [%v, %v), want [%v, %v)", tc.name, from, end, tc.from, tc.end)
		}
	}
}

func TestRolledUpRange(t *testing.T) {
	h := func(x float64) time.Time {
		return time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC).Add(time.Duration(x * float64(time.Hour)))
	}
	for _, tc := range []struct {
		name                           string
		since, until, start, watermark time.Time
		lo, hi                         time.Time
	}{
		{"never rolled up", h(1), h(5), time.Time{}, time.Time{}, h(5), h(5)},
		{"whole hours inside the window", h(1.5), h(5.5), h(0), h(10), h(2), h(5)},
		{"the watermark cuts it", h(1.5), h(5.5), h(0), h(4), h(2), h(4)},
		{"the start cuts it", h(1.5), h(5.5), h(3), h(10), h(3), h(5)},
		{"no whole hour", h(1.2), h(1.8), h(0), h(10), h(1.8), h(1.8)},
	} {
		lo, hi := RolledUpRange(tc.since, tc.until, tc.start, tc.watermark)
		if !lo.Equal(tc.lo) || !hi.Equal(tc.hi) {
			t.Errorf("%s: RolledUpRange = [%v, %v), want [%v, %v)", tc.name, lo, hi, tc.lo, tc.hi)
		}
	}
}
