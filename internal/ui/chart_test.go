package ui

import "testing"

// The axis ends on a round number close above the data: a 950 maximum
// gets an axis to 1,000, not to 2,000.
func TestNiceCeilStaysCloseToTheData(t *testing.T) {
	for n, want := range map[int]int{0: 4, 1: 4, 4: 4, 5: 8, 9: 12, 13: 16, 17: 20, 21: 24, 33: 40, 45: 60, 101: 120, 950: 1000, 1001: 1200, 2100: 2400, 7000: 8000, 8001: 10000} {
		if got := niceCeil(n); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", n, got, want)
		}
	}
	for n := 1; n <= 100000; n = n*11/10 + 1 {
		got := niceCeil(n)
		if got < n || got%4 != 0 {
			t.Fatalf("niceCeil(%d) = %d: below the data or not 4 whole steps", n, got)
		}
		// Nice steps are at most 1.5 apart (1 → 1.5): the axis is never
		// near twice the data.
		if n >= 8 && float64(got) > float64(n)*1.5 {
			t.Fatalf("niceCeil(%d) = %d: far above the data", n, got)
		}
	}
}
