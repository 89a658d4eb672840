// Package poll waits in tests for a condition that no signal announces
// (a row in a database, a request at a receiver, a process's state),
// checking it often and giving up at a deadline. Prefer a channel or
// another signal when the code under test offers one.
package poll

import (
	"testing"
	"time"
)

// interval is how often the condition is checked.
const interval = 10 * time.Millisecond

// Until checks cond every few milliseconds until it holds, and reports
// whether it did before timeout passed. For a failure message of the
// caller's own (saying what was seen instead).
func Until(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

// For fails the test unless cond holds within timeout; what names the
// awaited condition in the failure message.
func For(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Until(timeout, cond) {
		t.Fatalf("timed out after %s waiting for %s", timeout, what)
	}
}
