-- 0001: the whole lmshooks schema.
--
-- Times are timestamptz (microsecond precision); durations are bigint
-- nanoseconds so they round-trip exactly. Nullable columns keep the
-- difference between "absent" (nil map, nil body) and "empty".

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
    id              text PRIMARY KEY,
    tenant_id       text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type            text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    -- json, not jsonb: the payload is kept byte for byte as received.
    data            json NOT NULL,
    idempotency_key text NOT NULL DEFAULT ''
);
CREATE INDEX events_tenant ON events (tenant_id, id);
CREATE UNIQUE INDEX events_idempotency ON events (tenant_id, idempotency_key)
    WHERE idempotency_key <> '';

-- Deliveries have no foreign key to webhooks: a deleted webhook's
-- deliveries stay for the audit. They go with their event (and so with
-- their tenant); tenant_id is denormalised for the audit queries and needs
-- no foreign key of its own, which keeps publish from locking the tenant
-- row once per delivery.
CREATE TABLE deliveries (
    id              text PRIMARY KEY,
    tenant_id       text NOT NULL,
    event_id        text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
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
    updated_at      timestamptz NOT NULL
);
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
    id               text PRIMARY KEY,
    delivery_id      text NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
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
    success          boolean NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, number);
-- Stats over a window.
CREATE INDEX attempts_tenant_started ON attempts (tenant_id, started_at);
