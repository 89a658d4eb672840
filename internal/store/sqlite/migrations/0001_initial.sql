-- lmshooks schema, version 1.
--
-- Times are INTEGER unix microseconds, UTC; 0 means "none". Durations are
-- INTEGER nanoseconds. Maps and lists are JSON text.

CREATE TABLE tenants (
    id           TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL,
    environment  TEXT    NOT NULL,
    max_webhooks INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- tenant_id is NULL for the one operator key, so that the foreign key holds.
CREATE TABLE api_keys (
    id         TEXT    PRIMARY KEY,
    tenant_id  TEXT    REFERENCES tenants (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    prefix     TEXT    NOT NULL,
    hash       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE webhooks (
    id                         TEXT    PRIMARY KEY,
    tenant_id                  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                       TEXT    NOT NULL,
    description                TEXT    NOT NULL DEFAULT '',
    url                        TEXT    NOT NULL,
    event_types                TEXT    NOT NULL,
    enabled                    INTEGER NOT NULL,
    disabled_reason            TEXT    NOT NULL DEFAULT '',
    format                     TEXT    NOT NULL,
    basic_auth_username        TEXT    NOT NULL DEFAULT '',
    basic_auth_password        TEXT    NOT NULL DEFAULT '',
    secret                     TEXT    NOT NULL,
    previous_secret            TEXT    NOT NULL DEFAULT '',
    previous_secret_expires_at INTEGER NOT NULL DEFAULT 0,
    headers                    TEXT    NOT NULL DEFAULT '',
    timeout_ns                 INTEGER NOT NULL,
    retry_policy               TEXT    NOT NULL,
    retry_waits_ns             TEXT    NOT NULL DEFAULT '',
    success_min                INTEGER NOT NULL,
    success_max                INTEGER NOT NULL,
    rate_limit                 REAL    NOT NULL DEFAULT 0,
    max_concurrency            INTEGER NOT NULL DEFAULT 0,
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

CREATE TABLE events (
    id              TEXT    PRIMARY KEY,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type            TEXT    NOT NULL,
    occurred_at     INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    data            BLOB    NOT NULL,
    idempotency_key TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_tenant ON events (tenant_id, id);
CREATE UNIQUE INDEX events_idempotency ON events (tenant_id, idempotency_key)
    WHERE idempotency_key <> '';

-- webhook_id has no foreign key: deleting a webhook keeps its deliveries for
-- the audit (canceled).
--
-- due_at is when the dispatcher may next claim a scheduled delivery: its
-- next_attempt_at when unleased, its lease_until when leased. Keeping it in one
-- column lets ClaimDue walk one small partial index instead of skipping over
-- every delivery in flight.
CREATE TABLE deliveries (
    id              TEXT    PRIMARY KEY,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    webhook_id      TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    retry_from      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    lease_owner     TEXT    NOT NULL DEFAULT '',
    lease_until     INTEGER NOT NULL DEFAULT 0,
    due_at          INTEGER NOT NULL DEFAULT 0
);
-- The audit: newest first per tenant, optionally per state or event type.
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, id);
CREATE INDEX deliveries_tenant_state ON deliveries (tenant_id, state, id);
CREATE INDEX deliveries_tenant_type ON deliveries (tenant_id, event_type, id);
-- Per webhook (audit filter, cancel on disable, recover) and per event.
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, id);
CREATE INDEX deliveries_event ON deliveries (event_id);
-- The dispatcher's claim query, and lease renewal/release by owner.
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE state = 'scheduled';
CREATE INDEX deliveries_lease ON deliveries (lease_owner) WHERE lease_owner <> '';

CREATE TABLE attempts (
    id               TEXT    PRIMARY KEY,
    delivery_id      TEXT    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    tenant_id        TEXT    NOT NULL,
    webhook_id       TEXT    NOT NULL,
    event_id         TEXT    NOT NULL,
    number           INTEGER NOT NULL,
    trigger          TEXT    NOT NULL,
    started_at       INTEGER NOT NULL,
    duration_ns      INTEGER NOT NULL,
    request_url      TEXT    NOT NULL,
    request_headers  TEXT    NOT NULL DEFAULT '',
    request_body     BLOB,
    status_code      INTEGER NOT NULL DEFAULT 0,
    response_headers TEXT    NOT NULL DEFAULT '',
    response_body    BLOB,
    error            TEXT    NOT NULL DEFAULT '',
    success          INTEGER NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_id);
-- Statistics over a window, and deleting a tenant's attempts.
CREATE INDEX attempts_tenant_started ON attempts (tenant_id, started_at);
