// Package store defines how lmshooks persists its data. One interface, Store,
// has an implementation per database (store/sqlite, store/postgres); both
// pass the same conformance suite (store/storetest), so nothing above this
// package knows which one it has.
//
// Stores keep data; they decide nothing. A publish, for one, arrives with
// its deliveries already built by the fan-out (internal/pipeline/fanout,
// called by internal/pipeline/ingest before the write): the store resolves
// idempotency keys against what it holds and writes.
//
// Errors: methods return *domain.Error with ENOTFOUND, ECONFLICT or EINVALID
// for conditions a caller can act on (documented per method), EUNAVAILABLE
// when the database cannot be reached, and wrapped errors otherwise.
//
// Stores only store: they mint no ids and read no clock. Every record comes
// with its id and its times from the caller (a record without an id is
// refused, see RequireID; a zero time is stored as zero), and every method
// that needs the time takes it as now.
package store

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/stats"
)

// MaxListLimit bounds every list's page size.
const MaxListLimit = 1000

// DefaultListLimit is the page size when none is asked for.
const DefaultListLimit = 100

// Page asks for one page of a list. Lists are ordered newest first by id;
// Cursor is the NextCursor of the previous page ("" for the first).
type Page struct {
	Cursor string
	Limit  int
}

// Store is everything lmshooks persists. Implementations are safe for
// concurrent use.
type Store interface {
	// Tenants.

	// CreateTenant stores t. ECONFLICT if the id is taken.
	CreateTenant(ctx context.Context, t *domain.Tenant) error
	// GetTenant returns a tenant. ENOTFOUND if absent.
	GetTenant(ctx context.Context, id string) (*domain.Tenant, error)
	// UpdateTenant replaces a tenant's mutable fields. ENOTFOUND if absent.
	UpdateTenant(ctx context.Context, t *domain.Tenant) error
	// DeleteTenant removes a tenant and everything it owns. ENOTFOUND if
	// absent.
	DeleteTenant(ctx context.Context, id string) error
	// ListTenants lists tenants, newest first.
	ListTenants(ctx context.Context, p Page) (tenants []domain.Tenant, next string, err error)
	// SetPortalEpoch replaces a tenant's PortalEpoch (CreateTenant stores
	// the first; UpdateTenant leaves it alone). ENOTFOUND if absent.
	SetPortalEpoch(ctx context.Context, tenantID, epoch string) error

	// API keys.

	// CreateAPIKey stores a key (its hash). ENOTFOUND if k.TenantID names
	// no tenant.
	CreateAPIKey(ctx context.Context, k *domain.APIKey) error
	// APIKeyByHash finds a key by the SHA-256 hex of its secret. ENOTFOUND
	// if none.
	APIKeyByHash(ctx context.Context, hash string) (*domain.APIKey, error)
	// SetOperatorKey makes k the one operator key, replacing any other, and
	// reports whether it replaced one with another hash (so that the start
	// that made a configured key win over a generated one can say so). A
	// key with the same hash as the stored one changes nothing, so nodes
	// starting together with the same configured key all succeed, and only
	// one of them reports a replacement.
	SetOperatorKey(ctx context.Context, k *domain.APIKey) (replaced bool, err error)
	// EnsureOperatorKey stores k as the operator key unless one exists, and
	// reports whether it did: of nodes starting together, each with a key
	// of its own, exactly one wins.
	EnsureOperatorKey(ctx context.Context, k *domain.APIKey) (created bool, err error)
	// HasOperatorKey reports whether an operator key exists.
	HasOperatorKey(ctx context.Context) (bool, error)
	// ListAPIKeys lists a tenant's keys, newest first (by CreatedAt, then
	// id), hashes included. Never the operator key; an unknown tenant has
	// none.
	ListAPIKeys(ctx context.Context, tenantID string) ([]domain.APIKey, error)
	// DeleteAPIKey removes one of a tenant's keys. ENOTFOUND if absent or
	// of another tenant; never removes the operator key.
	DeleteAPIKey(ctx context.Context, tenantID, id string) error

	// Webhooks.

	// CreateWebhook stores w. ENOTFOUND if the tenant is absent; ECONFLICT
	// if the tenant is at its MaxWebhooks.
	CreateWebhook(ctx context.Context, w *domain.Webhook) error
	// GetWebhook returns one of a tenant's webhooks. ENOTFOUND if absent.
	GetWebhook(ctx context.Context, tenantID, id string) (*domain.Webhook, error)
	// WebhookByID returns a webhook whatever its tenant (for the
	// dispatcher). ENOTFOUND if absent.
	WebhookByID(ctx context.Context, id string) (*domain.Webhook, error)
	// UpdateWebhook replaces w's mutable fields; FailingSince is not one
	// (RecordAttempts keeps it), but a zero FailingSince clears it (a
	// re-enabled webhook starts afresh). If w is disabled, its
	// scheduled deliveries become canceled in the same transaction; the
	// count is returned. Canceling keeps the lease of an attempt in flight
	// (see Resend). ENOTFOUND if absent.
	UpdateWebhook(ctx context.Context, w *domain.Webhook, now time.Time) (canceled int, err error)
	// DeleteWebhook removes a webhook and cancels its scheduled deliveries
	// (kept for the audit), keeping the lease of an attempt in flight.
	// ENOTFOUND if absent.
	DeleteWebhook(ctx context.Context, tenantID, id string, now time.Time) error
	// ListWebhooks lists a tenant's webhooks, newest first.
	ListWebhooks(ctx context.Context, tenantID string, p Page) (webhooks []domain.Webhook, next string, err error)
	// DisableWebhook disables a webhook on lmshooks' own decision (e.g. a
	// 410 Gone), recording the reason and canceling its scheduled
	// deliveries, keeping the lease of an attempt in flight. ENOTFOUND if
	// absent.
	DisableWebhook(ctx context.Context, id, reason string, now time.Time) error
	// SwapWebhookSecrets stores to as the secret fields of webhook id if
	// they are still from, changing nothing else, and reports whether it
	// did: false if they changed meanwhile or the webhook is gone. It is
	// how secrets are re-encrypted online (package store/sealed) without
	// undoing a concurrent update.
	SwapWebhookSecrets(ctx context.Context, id string, from, to WebhookSecrets) (bool, error)
	// FailingWebhooks returns the enabled webhooks that are failing (their
	// FailingSince is set), oldest streak first, with their tenant's
	// AutoDisableAfterHours: what auto-disable judges.
	FailingWebhooks(ctx context.Context) ([]FailingWebhook, error)

	// Custom event types.

	// PutEventType creates or replaces a tenant's own event type.
	// ENOTFOUND if the tenant is absent.
	PutEventType(ctx context.Context, et *domain.CustomEventType) error
	// ListEventTypes returns a tenant's own event types, sorted by type.
	ListEventTypes(ctx context.Context, tenantID string) ([]domain.CustomEventType, error)
	// DeleteEventType removes one of a tenant's event types. ENOTFOUND if
	// absent.
	DeleteEventType(ctx context.Context, tenantID, eventType string) error

	// Events.

	// EnabledWebhooks returns a tenant's enabled webhooks, by id: what the
	// fan-out of a publish matches events against. It reflects every write
	// that returned before it was called. The result may be shared with
	// other callers (SQLite serves it from a cache on every publish):
	// read it only.
	// ENOTFOUND if the tenant is absent.
	EnabledWebhooks(ctx context.Context, tenantID string) ([]domain.Webhook, error)
	// Publish stores events with the deliveries the fan-out made of them,
	// in one transaction; see PublishParams. ENOTFOUND if the tenant is
	// absent, ECONFLICT if an event id is taken; nothing is written on any
	// error.
	Publish(ctx context.Context, p PublishParams) ([]PublishResult, error)
	// CancelStranded cancels a scheduled delivery whose webhook is disabled
	// or deleted, as disabling the webhook would have, and clears its lease;
	// it reports whether it did. Such a delivery is written by a publish
	// that matched the webhook just before it was disabled: the dispatcher
	// ends it here instead of sending it. A delivery of an enabled webhook,
	// or not scheduled, is left alone.
	CancelStranded(ctx context.Context, deliveryID string, now time.Time) (bool, error)
	// GetEvent returns one event. ENOTFOUND if absent.
	GetEvent(ctx context.Context, tenantID, id string) (*domain.Event, error)

	// Deliveries and attempts.

	// ListDeliveries lists a tenant's deliveries, newest first.
	ListDeliveries(ctx context.Context, f DeliveryFilter) (deliveries []domain.Delivery, next string, err error)
	// CountDeliveries counts a tenant's deliveries per state under f
	// (f.Page ignored; f.State, when set, counts that state alone). With
	// upTo > 0 it counts only the newest upTo of them, reading at most
	// upTo index entries however many the tenant has: the counts are exact
	// when they add up to less than upTo. 0 counts every one.
	CountDeliveries(ctx context.Context, f DeliveryFilter, upTo int) (map[domain.DeliveryState]int, error)
	// CountDeliveriesByHour returns, for each hour (UTC) in which the
	// tenant's deliveries were created that starts in [since truncated to
	// the hour, until), how many are in each state now: per hour, exactly
	// what CountDeliveries gives for a filter of the tenant and that hour.
	// Hours without deliveries are absent or all zero; the rest come in
	// time order. The store keeps these counts as it writes deliveries, so
	// the call reads a few rows an hour however many deliveries it counts.
	CountDeliveriesByHour(ctx context.Context, tenantID string, since, until time.Time) ([]HourCounts, error)
	// GetDelivery returns one delivery. ENOTFOUND if absent.
	GetDelivery(ctx context.Context, tenantID, id string) (*domain.Delivery, error)
	// ListAttempts returns a delivery's attempts, oldest first.
	ListAttempts(ctx context.Context, tenantID, deliveryID string) ([]domain.Attempt, error)
	// Resend makes a delivery due now with a fresh retry schedule, whatever
	// its state. ENOTFOUND if absent; ECONFLICT if an attempt is in flight:
	// the delivery is under a lease that has not run out at now.
	//
	// A delivery canceled while its attempt was in flight (its webhook
	// disabled or deleted) keeps that lease until the attempt is recorded:
	// the request already sent still ends, and a resend meanwhile would
	// send the same delivery twice at once. So Resend answers ECONFLICT
	// until RecordAttempts clears the lease or the lease runs out (its
	// holder died).
	Resend(ctx context.Context, tenantID, id string, now time.Time) (*domain.Delivery, error)
	// Recover re-schedules a webhook's failed and canceled deliveries
	// created in [Since, Until), due now with a fresh retry schedule, and
	// returns how many. A delivery whose attempt is in flight keeps its
	// lease, so no claim takes it until that attempt is recorded (whose
	// outcome then moves the recovered delivery on) or its lease runs out.
	// ENOTFOUND if the webhook is absent.
	Recover(ctx context.Context, p RecoverParams) (int, error)

	// Ordering (see docs/ORDERING.md). Deliveries made Ordered keep, per
	// webhook and OrderingKey, the order in which the store wrote them
	// (publish after publish, events of a batch in their order): the
	// store gives each a position at write time, so that order follows
	// commits, never clocks.

	// SkipDelivery makes an ordered delivery that holds its key stop
	// holding it, so that the key's next delivery may go, and sets its
	// SkippedAt to now; a scheduled one is canceled as well (it is not
	// sent). ENOTFOUND if absent; ECONFLICT if it does not hold its key
	// (not ordered, or already released) or an attempt of it is in
	// flight (its lease has not run out at now).
	SkipDelivery(ctx context.Context, tenantID, id string, now time.Time) (*domain.Delivery, error)
	// BlockedKeys lists a tenant's blocked keys, of one webhook when
	// webhookID is set: the keys whose earliest delivery holding them has
	// failed. Oldest head first, at most limit (store.MaxListLimit when 0).
	BlockedKeys(ctx context.Context, tenantID, webhookID string, limit int) ([]domain.BlockedKey, error)

	// Dispatch.

	// ClaimDue leases up to Limit scheduled deliveries that are due and not
	// leased (or whose lease expired) to Owner until LeaseUntil, oldest due
	// first, and returns them with their events.
	//
	// An ordered delivery is claimed only when it is its key's turn: no
	// other delivery of its webhook and key that holds the key is earlier
	// in the key's order, and none is leased (in flight). So a key has at
	// most one delivery in flight, on one node, and never one overtaking
	// an earlier one that still holds the key.
	ClaimDue(ctx context.Context, p ClaimParams) ([]domain.Job, error)
	// RenewLeases extends to until each of the given leases that owner still
	// holds: the delivery's lease expiry must still be the one the lease
	// names (it is the lease's fencing token: a delivery claimed again,
	// even by the same owner, has a new one) and must be after now, so an
	// expired lease is never revived. It returns the leases it extended, as
	// given. A lease the caller gave up on is simply not named, and runs out.
	RenewLeases(ctx context.Context, owner string, leases []Lease, now, until time.Time) ([]Lease, error)
	// ReleaseLeases drops every lease held by owner, so that other nodes
	// may claim that work at once (used on shutdown).
	ReleaseLeases(ctx context.Context, owner string) error
	// RecordAttempts appends attempts and moves their deliveries to their
	// next state (and HoldsKey), each in the same transaction as its
	// attempt. For an ordered delivery the move is fenced by the record's
	// LeaseUntil: if the delivery's lease is no longer that one (it ran
	// out and another claim took it), the attempt is appended but the
	// delivery is left as it is. A delivery
	// that is no longer scheduled (canceled meanwhile) keeps its state but
	// still gets the attempt. An attempt whose delivery no longer exists
	// (its tenant was deleted while it was in flight) is dropped, so that
	// the records it shares a call with are still written.
	RecordAttempts(ctx context.Context, records []AttemptRecord) error

	// Console.

	// GetConsoleCredential returns the console's stored credential (its
	// generated operator password). ENOTFOUND if none is stored.
	GetConsoleCredential(ctx context.Context) (*domain.ConsoleCredential, error)
	// EnsureConsoleCredential stores c unless a credential is stored
	// already, and returns the one stored: c with created true, or the
	// earlier one with created false. Nodes that start at once with
	// different credentials thus all end up with the same one.
	EnsureConsoleCredential(ctx context.Context, c *domain.ConsoleCredential) (stored *domain.ConsoleCredential, created bool, err error)
	// ReplaceConsoleCredential stores c in place of any stored credential
	// (a password reset).
	ReplaceConsoleCredential(ctx context.Context, c *domain.ConsoleCredential) error

	// Capabilities that differ most between a shared database and a
	// single-process one. Every store implements each of them, so nothing
	// above this package asks which one it has; where SQLite has nothing to
	// do, its method says so in a doc comment and does nothing.
	Statistics
	PortalLinks
	Membership
	Listener
	Maintenance
	WriteHealth

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// Statistics reads what attempt statistics are made of.
type Statistics interface {
	// AttemptSamples returns one sample per attempt of a tenant's webhooks
	// started in [since, until).
	AttemptSamples(ctx context.Context, tenantID string, since, until time.Time) ([]AttemptSample, error)
	// WebhookStats summarizes per webhook the tenant's attempts started in
	// [since, until); a webhook without attempts is absent. Calls and
	// Errors are exactly what stats.Summarize of AttemptSamples gives; so
	// are P50 and P95 unless RollsUp, when they may be estimated from the
	// roll-ups' stats.Histogram within the precision it documents.
	WebhookStats(ctx context.Context, tenantID string, since, until time.Time) (map[string]stats.Summary, error)
}

// PortalLinks remembers which portal links have been used, so that each
// opens one session, whichever node it reaches.
type PortalLinks interface {
	// UsePortalLink records that the portal link id, which expires at
	// expires, has been used. ECONFLICT if it was recorded already: of
	// callers racing with the same id, exactly one succeeds.
	UsePortalLink(ctx context.Context, id string, expires time.Time) error
}

// Membership tracks the dispatchers sharing the database: each takes its
// share of every webhook's limits, and the work a dead one leased is
// released as soon as it is known dead rather than when its leases run out.
//
// A node is dead when its last heartbeat is older than ttl (the caller's
// ttl, the same on every node; see package dispatch). Every process holding
// a node id is one incarnation of it, named by a random string, so that a
// node restarted with the same id is told apart from a second process
// started with that id by mistake: the first takes its id over once its
// predecessor is dead, the second never does while the first lives.
type Membership interface {
	// Join makes incarnation the live holder of nodeID at now and releases
	// every lease held by nodeID: no process of this incarnation can hold
	// any yet, so they are a dead predecessor's, due again at once.
	// ECONFLICT while another incarnation of nodeID is not dead (it
	// heartbeat within ttl of now): a duplicate process, or a predecessor
	// not yet known dead; the caller tries again later.
	Join(ctx context.Context, nodeID, incarnation string, now time.Time, ttl time.Duration) error
	// Heartbeat records that incarnation of dispatcher nodeID is alive at
	// now, declares dead every other node silent for longer than ttl
	// (forgetting it and releasing its leases, fenced like ReleaseLeases:
	// their renewals fail from then on), and returns how many dispatchers,
	// nodeID included, heartbeat within ttl of now (at least 1).
	// ENOTFOUND if incarnation is not nodeID's live holder (never joined,
	// declared dead meanwhile, or replaced by another incarnation): its
	// leases may have been released, so the caller must give up the work
	// it holds and Join again. A store that one process owns (SQLite)
	// always answers 1: no other dispatcher can reach its database.
	Heartbeat(ctx context.Context, nodeID, incarnation string, now time.Time, ttl time.Duration) (int, error)
}

// Listener wakes a node's dispatcher when another node stores due work.
type Listener interface {
	// Listen calls wake whenever another node may have stored due work
	// (published, resent, recovered or released it) until ctx ends, and
	// then returns nil; EUNAVAILABLE once the store is closed. A store
	// that one process owns (SQLite) has no other node to hear from: the
	// process wakes its own dispatcher, and Listen just waits.
	Listen(ctx context.Context, wake func()) error
}

// Maintenance is the work done once per cluster, by the node that leads it
// (see package maintenance). Every task is idempotent: two nodes may both
// believe they lead for a moment.
type Maintenance interface {
	Leadership
	Partitions
	Retention
	RollUps
}

// Leadership elects the one node that runs the maintenance.
type Leadership interface {
	// TryLead tries once to become the leader. A nil lost channel means
	// another node leads. Otherwise lost is closed if the leadership ends
	// by itself (the store lost the session that held it), and release
	// gives it up. A store that one process owns (SQLite) always makes
	// it the leader, until the store closes.
	TryLead(ctx context.Context) (lost <-chan struct{}, release func(), err error)
}

// Partitions keeps time partitions ready ahead of the writes.
type Partitions interface {
	// EnsurePartitions makes sure partitions exist for every day from
	// from's to to's (UTC). A store without partitions (SQLite) has
	// nothing to do.
	EnsurePartitions(ctx context.Context, from, to time.Time) error
}

// Retention removes what is older than the retention.
type Retention interface {
	// ApplyRetention removes events, deliveries and attempts older at now
	// than their tenant's retention (defaultDays unless the tenant sets
	// its own), judged by the creation time in their ids, and reports
	// partitions dropped and rows deleted. A delivery still scheduled is
	// kept, with its attempts and event, until it finishes. A failed
	// ordered delivery that blocks its key is not scheduled: retention
	// deletes it like any other, and the key's next delivery may go.
	ApplyRetention(ctx context.Context, now time.Time, defaultDays int) (dropped int, deleted int64, err error)
	// ForgetUsedPortalLinks forgets the used portal links (see
	// PortalLinks) that expired before before, and reports how many.
	ForgetUsedPortalLinks(ctx context.Context, before time.Time) (int64, error)
}

// RollUps aggregates finished hours of attempts, so that statistics over
// long windows need not read every attempt.
type RollUps interface {
	// RollUpAttempts rolls up the hours finished at now and not rolled up
	// yet, and returns how many. A store that keeps no roll-ups
	// does nothing.
	RollUpAttempts(ctx context.Context, now time.Time) (hours int, err error)
	// RollsUp reports whether the store keeps roll-ups: if so,
	// WebhookStats reads them and reading every sample of a long window
	// costs much more; if not, WebhookStats summarizes the samples, which
	// a caller needing more (a tenant-wide percentile) may read as cheaply.
	RollsUp() bool
}

// Lease names a lease on one delivery by the expiry its holder last wrote,
// which serves as the lease's fencing token. Stores keep times to the
// microsecond: a lease's Until is truncated to it.
type Lease struct {
	DeliveryID string
	Until      time.Time
}

// PublishParams is one publish: a batch of events of one tenant, each with
// the deliveries that the fan-out (internal/pipeline/fanout) made of it. The store
// decides nothing about them: it resolves idempotency keys and writes.
type PublishParams struct {
	TenantID string
	Events   []PublishEvent
}

// PublishEvent is one event to store and its deliveries.
type PublishEvent struct {
	// Event is stored as given (its id, times and key set by the caller).
	// An event whose IdempotencyKey the tenant has stored already (by an
	// earlier publish, or earlier in this batch) is not stored again: its
	// Deliveries are dropped and its result is the stored event with its
	// deliveries as they are now, with Replayed set.
	Event      domain.Event
	Deliveries []NewDelivery
}

// NewDelivery is a delivery to create, as the fan-out built it: its id,
// state, counters and times are stored as given (TenantID and EventID are
// those of its event).
type NewDelivery struct {
	Delivery domain.Delivery
	// LeaseOwner and LeaseUntil, when set, create a scheduled delivery
	// already leased, so that the node that published it hands it to its
	// dispatcher in memory without a claim round trip. Unleased scheduled
	// deliveries are announced to every node.
	LeaseOwner string
	LeaseUntil time.Time
	// Attempt, when set, is stored with the delivery: one that ended at
	// the fan-out without a request (its webhook's filter could not be
	// decided on the event), so Delivery is Failed with one attempt.
	Attempt *domain.Attempt
}

// PublishResult is what became of one event of a publish.
type PublishResult struct {
	Event      domain.Event
	Deliveries []domain.Delivery
	// Replayed is true when the idempotency key matched an earlier event.
	Replayed bool
}

// DeliveryFilter selects deliveries for the audit list.
type DeliveryFilter struct {
	TenantID  string
	State     domain.DeliveryState // "" for any
	WebhookID string
	EventType string
	EventID   string
	// Since and Until bound the creation time, [Since, Until); zero for
	// no bound.
	Since, Until time.Time
	Page
}

// HourCounts is how many of the deliveries created in one hour are in each
// state.
type HourCounts struct {
	// Hour is the hour's start, UTC.
	Hour   time.Time
	Counts map[domain.DeliveryState]int
}

// AddHourCount adds n deliveries of hour in state to out, which a store
// fills from rows in time order: a new hour starts a new element.
func AddHourCount(out []HourCounts, hour time.Time, state domain.DeliveryState, n int) []HourCounts {
	hour = hour.UTC()
	if len(out) == 0 || !out[len(out)-1].Hour.Equal(hour) {
		out = append(out, HourCounts{Hour: hour, Counts: map[domain.DeliveryState]int{}})
	}
	out[len(out)-1].Counts[state] += n
	return out
}

// RecoverParams selects the deliveries to recover.
type RecoverParams struct {
	TenantID  string
	WebhookID string
	// Since and Until bound the deliveries' creation time [Since, Until);
	// a zero Until means now.
	Since, Until time.Time
	Now          time.Time
}

// ClaimParams asks for due work.
type ClaimParams struct {
	Owner      string
	Now        time.Time
	LeaseUntil time.Time
	Limit      int
	// ExcludeWebhooks lists webhooks whose due work must be left alone for
	// now (their in-memory queues are full), so that one dead endpoint's
	// backlog cannot crowd out the others' retries.
	ExcludeWebhooks []string
}

// AttemptRecord is one finished attempt and the state its delivery moves to.
type AttemptRecord struct {
	Attempt domain.Attempt
	// State is the delivery's next state: Scheduled (retry at
	// NextAttemptAt), Succeeded or Failed.
	State         domain.DeliveryState
	NextAttemptAt time.Time
	// HoldsKey is the delivery's next HoldsKey (see
	// domain.Webhook.HoldsKeyAfter); false for an unordered one. Like
	// State, it is applied only to a delivery still scheduled: one
	// canceled meanwhile keeps its own.
	HoldsKey bool
	// LeaseUntil is the lease under which the attempt was made (its
	// fencing token, see Lease); zero when unknown (never for ordered
	// deliveries).
	LeaseUntil time.Time
}

// WebhookSecrets are the fields of a webhook that hold secrets, as
// stored. BasicAuthPassword is "" when the webhook has no basic auth.
type WebhookSecrets struct {
	Secret, PreviousSecret, BasicAuthPassword string
	Headers                                   map[string]string
}

// SecretsOf returns w's secret fields.
func SecretsOf(w *domain.Webhook) WebhookSecrets {
	s := WebhookSecrets{Secret: w.Secret, PreviousSecret: w.PreviousSecret, Headers: w.Headers}
	if w.BasicAuth != nil {
		s.BasicAuthPassword = w.BasicAuth.Password
	}
	return s
}

// FailingWebhook is an enabled webhook in a failing streak.
type FailingWebhook struct {
	WebhookID    string
	TenantID     string
	FailingSince time.Time
	// TenantAutoDisableAfterHours is the tenant's domain.Tenant field.
	TenantAutoDisableAfterHours int
}

// AttemptSample is the part of an attempt that statistics need.
type AttemptSample = stats.Sample
