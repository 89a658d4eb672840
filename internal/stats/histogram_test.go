package stats

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var testBounds = []time.Duration{ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000)}

// bucketOf returns the index of the bucket holding d.
func bucketOf(bounds []time.Duration, d time.Duration) int {
	i := 0
	for i < len(bounds) && d > bounds[i] {
		i++
	}
	return i
}

func TestHistogramObserveBuckets(t *testing.T) {
	h := NewHistogram(testBounds)
	for _, d := range []time.Duration{0, ms(10), ms(11), ms(25), ms(1000), ms(1001), ms(5000)} {
		h.Observe(d)
	}
	want := []int64{2, 2, 0, 0, 0, 0, 1, 2}
	if !slices.Equal(h.Counts, want) || h.Max != ms(5000) || h.Total() != 7 {
		t.Fatalf("histogram %+v, want counts %v, max 5s, total 7", h, want)
	}
	if err := h.Merge([]int64{1}, 0); err == nil {
		t.Fatal("merging a histogram of other bounds succeeded")
	}
	if got := NewHistogram(testBounds).Percentile(50); got != 0 {
		t.Fatalf("percentile of nothing = %v, want 0", got)
	}
}

func TestHistogramPercentileInterpolates(t *testing.T) {
	h := NewHistogram(testBounds)
	// Four calls in (25ms, 50ms]: the 2nd of them is estimated halfway.
	if err := h.Merge([]int64{0, 0, 4, 0, 0, 0, 0, 0}, ms(45)); err != nil {
		t.Fatal(err)
	}
	// The bucket's top is the largest duration seen, 45ms: 25 + 20·2/4.
	if got := h.Percentile(50); got != ms(35) {
		t.Errorf("p50 = %v, want 35ms", got)
	}
	if got := h.Percentile(95); got != ms(45) {
		t.Errorf("p95 = %v, want 45ms (the max)", got)
	}
	// The unbounded last bucket ends at the max.
	h = NewHistogram(testBounds)
	h.Observe(ms(2000))
	h.Observe(ms(3000))
	if got := h.Percentile(50); got != ms(2000) {
		t.Errorf("p50 of the last bucket = %v, want 1s + 2s/2 = 2s", got)
	}
}

// Estimates lie in the same bucket as the exact nearest-rank percentile,
// which is the precision Histogram documents.
func TestHistogramPercentileWithinBucket(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(300)
		h := NewHistogram(testBounds)
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = time.Duration(rng.ExpFloat64() * float64(ms(80)))
			h.Observe(ds[i])
		}
		slices.Sort(ds)
		for _, p := range []float64{50, 95} {
			exact, est := Percentile(ds, p), h.Percentile(p)
			if bucketOf(testBounds, exact) != bucketOf(testBounds, est) || est > ds[n-1] {
				t.Fatalf("trial %d, p%v of %d: estimate %v, exact %v: not in the same bucket or above the max", trial, p, n, est, exact)
			}
		}
	}
}
