package store

import "time"

// FailingChange is how a batch of attempts moves one webhook's
// FailingSince, which RecordAttempts keeps in the same call.
type FailingChange struct {
	WebhookID string
	// Since is when the failing streak that the batch leaves began: the
	// start of its first failed attempt after its last success. Zero when
	// the batch's last attempt of the webhook succeeded: the streak ends.
	Since time.Time
	// Restart is set when the batch saw a success before Since, so Since
	// replaces the stored value; otherwise Since is stored only where no
	// streak is stored yet (an older one goes on).
	Restart bool
}

// FailingChanges returns the change each webhook of records undergoes, in
// the order the webhooks first appear. Records are in the order their
// attempts ended.
func FailingChanges(records []AttemptRecord) []FailingChange {
	var out []FailingChange
	at := map[string]int{}
	for i := range records {
		a := &records[i].Attempt
		j, ok := at[a.WebhookID]
		if !ok {
			j = len(out)
			at[a.WebhookID] = j
			out = append(out, FailingChange{WebhookID: a.WebhookID})
		}
		c := &out[j]
		switch {
		case a.Success:
			c.Since, c.Restart = time.Time{}, true
		case c.Since.IsZero():
			c.Since = a.StartedAt
		}
	}
	// A batch of failures alone restarts nothing: the stored streak, if
	// any, began earlier. Restart only matters where a success came first.
	for i := range out {
		if out[i].Since.IsZero() {
			out[i].Restart = false
		}
	}
	return out
}
