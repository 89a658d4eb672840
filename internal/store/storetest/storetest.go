// Package storetest is the conformance suite of store.Store: every database
// implementation runs Exercise in its own tests and must pass it unchanged.
//
// The suite checks only what the interface's doc comments promise, never a
// database's specifics, so that nothing above the store can tell which one it
// has. Each subtest opens a fresh, empty store.
package storetest

import (
	"context"
	"testing"
	"time"

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
		{"Webhooks", webhookTests},
		{"Publish", publishTests},
		{"Deliveries", deliveryTests},
		{"Dispatch", dispatchTests},
		{"Attempts", attemptTests},
		{"Recovery", recoveryTests},
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
					tc.run(t, &fixture{t: t, s: s, ctx: context.Background()})
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
