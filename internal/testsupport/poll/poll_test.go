package poll

import (
	"testing"
	"time"
)

func TestUntilReturnsWhenTheConditionHolds(t *testing.T) {
	calls := 0
	if !Until(time.Minute, func() bool { calls++; return calls == 3 }) {
		t.Fatal("Until = false for a condition that came to hold")
	}
	if calls != 3 {
		t.Fatalf("cond called %d times, want 3 (until it held)", calls)
	}
}

func TestUntilGivesUpAtTheDeadline(t *testing.T) {
	if Until(0, func() bool { return false }) {
		t.Fatal("Until = true for a condition that never holds")
	}
}
