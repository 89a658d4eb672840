// Package retry holds lmshooks' retry policies: named schedules of waits
// between the HTTP attempts of one delivery.
//
// A Policy is pure data, and Next is a pure function of the number of failed
// attempts, the receiver's Retry-After and an injected random source, so the
// dispatcher stays the only place that knows about clocks and the store.
// docs/RETRY_POLICIES.md lists every preset's full schedule.
package retry
