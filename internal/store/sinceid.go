package store

import (
	"time"

	"github.com/lmshooks/lmshooks/internal/id"
)

// idClockSlack is how much earlier than its creation time a delivery's id
// may be stamped: the id and created_at are read from the clock one after
// the other, and a wall clock may step back in between.
const idClockSlack = time.Hour

// SinceID returns an id no later than that of any delivery created at or
// after f.Since, or "" without Since. Ids sort by the time they were made,
// so the stores add "id >= SinceID" to a Since filter: it is redundant, but
// lets them walk (tenant_id, id) from there instead of from the tenant's
// first delivery and, on PostgreSQL, skip the partitions (by id) before
// it, where a backward walk of each would read it whole to find no row.
func (f *DeliveryFilter) SinceID() string {
	if f.Since.IsZero() {
		return ""
	}
	return id.Spell(id.Delivery, f.Since.Add(-idClockSlack), [10]byte{})
}
