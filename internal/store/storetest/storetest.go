// Package storetest is the conformance suite of store.Store: every database
// implementation runs Exercise in its own tests and must pass it unchanged.
//
// The suite checks only what the interface's doc comments promise, never a
// database's specifics, so that nothing above the store can tell which one it
// has. Each subtest opens a fresh, empty store.
//
// Where the interface leaves a detail open, the suite pins it down so that
// every implementation behaves alike:
//   - Times round-trip to the microsecond; a zero time stays zero (a
//     delivery that is not scheduled has a zero NextAttemptAt).
//   - Event data round-trips byte for byte (no JSON re-encoding).
//   - Lists are ordered by id, descending; a cursor is the last id shown.
//   - A lease has expired when LeaseUntil <= Now. ClaimDue never returns a
//     delivery under an unexpired lease, not even to its own owner, and
//     Resend answers ECONFLICT for one.
//   - Canceling a delivery (disabling or deleting its webhook) and
//     recovering it keep the lease of its attempt in flight: Resend answers
//     ECONFLICT and no claim takes it until the attempt is recorded or the
//     lease runs out (see inflight.go).
//   - RecordAttempts clears the lease and counts the attempt even on a
//     delivery that is no longer scheduled; only a scheduled delivery
//     changes state. Last status and error come from the attempt. The
//     record of an attempt whose delivery is gone is dropped, without
//     failing the call.
//   - A publish that fails on any event (for example an event id already
//     stored) writes nothing, and its idempotency keys stay unused.
//   - Concurrent calls, which a store may run in one transaction (group
//     commit), each keep their own outcome: a bad publish fails alone, and
//     concurrent publishes of one idempotency key store one event and all
//     answer it (concurrency.go).
//   - Ids and times are the caller's: a record without an id is refused,
//     and a zero time is stored as zero.
//   - Every capability (statistics, membership, listener, leadership,
//     partitions, retention, roll-ups) answers on every store; a store that
//     one process owns answers for one node (capabilities.go).
//   - MaxWebhooks counts disabled webhooks too.
//   - ListAttempts for a delivery of another tenant returns nothing (an
//     empty list or ENOTFOUND).
//   - UpdateTenant leaves the portal epoch alone; only SetPortalEpoch
//     (and CreateTenant) write it (portal.go).
//   - Every commit is a new write outcome (LastWrite); a write refused for
//     its content is none (health.go).
//   - Ordering (ordering.go): a key's positions follow writes, never the
//     deliveries' times. The ordered deliveries of a key in flight block
//     it even when they no longer hold it (canceled while in flight):
//     no claim takes another of the key until the attempt is recorded or
//     the lease runs out. BlockedBy names the earlier holder if any, else
//     the delivery in flight. Resend and Recover make an ordered delivery
//     hold its key again; cancels release it; a record applies HoldsKey
//     only to a delivery still scheduled.
//   - CountDeliveriesByHour equals CountDeliveries over each hour after
//     every write that makes, changes or removes a delivery, rows moved
//     into a new partition and partitions dropped by retention included
//     (hourcounts.go).
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// base is the suite's "now". Times are whole microseconds because that is
// the precision stores keep.
var base = time.Date(2030, 3, 4, 5, 6, 7, 123456000, time.UTC)

// Exercise runs the conformance suite. open must return a new, empty store;
// the suite closes it when the subtest ends.
func Exercise(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Tenants", tenantTests},
		{"APIKeys", apiKeyTests},
		{"APIKeyList", apiKeyListTests},
		{"Webhooks", webhookTests},
		{"Secrets", secretTests},
		{"Publish", publishTests},
		{"Deliveries", deliveryTests},
		{"Dispatch", dispatchTests},
		{"Attempts", attemptTests},
		{"BodyRefs", bodyRefTests},
		{"Failing", failingTests},
		{"Recovery", recoveryTests},
		{"InFlight", inFlightTests},
		{"Capabilities", capabilityTests},
		{"Membership", membershipTests},
		{"Caller", callerTests},
		{"EventTypes", eventTypeTests},
		{"Console", consoleTests},
		{"Portal", portalTests},
		{"Concurrency", concurrencyTests},
		{"WriteHealth", writeHealthTests},
		{"Ordering", orderingTests},
		{"HourCounts", hourCountTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					t.Cleanup(func() {
						if err := s.Close(); err != nil {
							t.Errorf("Close: %v", err)
						}
					})
					tc.run(t, &fixture{t: t, s: s, ctx: context.Background(), ids: id.NewGenerator(nil)})
				})
			}
		})
	}
}

// test is one conformance check.
type test struct {
	name string
	run  func(t *testing.T, f *fixture)
}
