-- 0001: the whole lmshooks schema.
--
-- Times are timestamptz (microsecond precision); durations are bigint
-- nanoseconds so they round-trip exactly. Nullable columns keep the
-- difference between "absent" (nil map, nil body) and "empty".
--
-- events, deliveries and attempts are the big tables. They are range
-- partitioned by day on their ids, which begin with the creation time (see
-- internal/id), so that retention drops a day's partition instead of
-- deleting rows, and a lookup by id reads one partition. Attempts are
-- partitioned on their delivery's id, so a delivery and its attempts live
-- and expire together. The daily partitions are created ahead of time (see
-- partitions.go); a default partition catches ids outside them (ids made
-- with a clock far from now, or given by a caller), so an insert never
-- fails for want of a partition. Id columns use the "C" collation: ids are
-- compared byte by byte, whatever the database's locale.
--
-- Partitioned tables cannot have unique indexes that leave out the
-- partition key, nor cheap foreign keys between them: idempotency keys
-- live in their own table, and the store deletes a tenant's deliveries and
-- attempts itself.

CREATE TABLE tenants (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    environment  text NOT NULL,
    max_webhooks integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id         text PRIMARY KEY,
    -- NULL for the operator key, which reaches every tenant.
    tenant_id  text REFERENCES tenants (id) ON DELETE CASCADE,
    name       text NOT NULL DEFAULT '',
    prefix     text NOT NULL DEFAULT '',
    hash       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
-- At most one operator key.
CREATE UNIQUE INDEX api_keys_one_operator ON api_keys ((true)) WHERE tenant_id IS NULL;

CREATE TABLE webhooks (
    id                         text PRIMARY KEY,
    tenant_id                  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                       text NOT NULL,
    description                text NOT NULL DEFAULT '',
    url                        text NOT NULL,
    event_types                text[],
    enabled                    boolean NOT NULL,
    disabled_reason            text NOT NULL DEFAULT '',
    format                     text NOT NULL DEFAULT '',
    -- NULL when the webhook has no basic auth.
    basic_auth_username        text,
    basic_auth_password        text,
    secret                     text NOT NULL DEFAULT '',
    previous_secret            text NOT NULL DEFAULT '',
    previous_secret_expires_at timestamptz,
    headers                    jsonb,
    timeout_ns                 bigint NOT NULL DEFAULT 0,
    retry_policy               text NOT NULL DEFAULT '',
    retry_waits_ns             bigint[],
    success_min                integer NOT NULL DEFAULT 0,
    success_max                integer NOT NULL DEFAULT 0,
    rate_limit                 double precision NOT NULL DEFAULT 0,
    max_concurrency            integer NOT NULL DEFAULT 0,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL
);
-- Lists (newest first) and the publish-time lookup of a tenant's webhooks.
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

CREATE TABLE events (
    id              text COLLATE "C" NOT NULL,
    tenant_id       text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type            text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    -- json, not jsonb: the payload is kept byte for byte as received.
    data            json NOT NULL,
    idempotency_key text NOT NULL DEFAULT '',
    PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_tenant ON events (tenant_id, id);

-- One row per idempotency key: the key's uniqueness must hold across
-- partitions. Retention deletes a key with its event.
CREATE TABLE idempotency_keys (
    tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key       text NOT NULL,
    event_id  text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_event ON idempotency_keys (event_id);

-- Deliveries have no foreign key to webhooks: a deleted webhook's
-- deliveries stay for the audit. tenant_id is denormalised for the audit
-- queries.
CREATE TABLE deliveries (
    id              text COLLATE "C" NOT NULL,
    tenant_id       text NOT NULL,
    event_id        text COLLATE "C" NOT NULL,
    webhook_id      text NOT NULL,
    event_type      text NOT NULL,
    state           text NOT NULL
        CHECK (state IN ('scheduled', 'succeeded', 'failed', 'canceled')),
    attempts        integer NOT NULL DEFAULT 0,
    retry_from      integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_status     integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    lease_owner     text,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE TABLE deliveries_default PARTITION OF deliveries DEFAULT;
-- Audit list and its filters, newest first.
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, id);
CREATE INDEX deliveries_tenant_state ON deliveries (tenant_id, state, id);
CREATE INDEX deliveries_tenant_webhook ON deliveries (tenant_id, webhook_id, id);
CREATE INDEX deliveries_tenant_type ON deliveries (tenant_id, event_type, id);
CREATE INDEX deliveries_event ON deliveries (event_id);
-- ClaimDue: only scheduled deliveries, by due time.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'scheduled';
-- Canceling a disabled or deleted webhook's pending work.
CREATE INDEX deliveries_webhook_scheduled ON deliveries (webhook_id) WHERE state = 'scheduled';
-- RenewLeases / ReleaseLeases.
CREATE INDEX deliveries_lease_owner ON deliveries (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE attempts (
    id               text COLLATE "C" NOT NULL,
    delivery_id      text COLLATE "C" NOT NULL,
    tenant_id        text NOT NULL,
    webhook_id       text NOT NULL,
    event_id         text NOT NULL,
    number           integer NOT NULL,
    trigger          text NOT NULL,
    started_at       timestamptz NOT NULL,
    duration_ns      bigint NOT NULL,
    request_url      text NOT NULL,
    request_headers  jsonb,
    request_body     bytea,
    status_code      integer NOT NULL DEFAULT 0,
    response_headers jsonb,
    response_body    bytea,
    error            text NOT NULL DEFAULT '',
    success          boolean NOT NULL,
    -- The node that held the delivery's lease when the attempt was
    -- recorded (NULL if none): shows how work spreads over a cluster.
    node             text,
    PRIMARY KEY (delivery_id, id)
) PARTITION BY RANGE (delivery_id);
CREATE TABLE attempts_default PARTITION OF attempts DEFAULT;
CREATE INDEX attempts_delivery ON attempts (delivery_id, number);
-- Stats over a window.
CREATE INDEX attempts_tenant_started ON attempts (tenant_id, started_at);
-- Roll-ups read every tenant's attempts of an hour: attempts arrive in
-- time order, so a BRIN index finds them for almost no upkeep.
CREATE INDEX attempts_started ON attempts USING brin (started_at);
