-- Per-tenant retention, hourly attempt roll-ups and the leader's
-- bookkeeping.

-- Days a tenant's events, deliveries and attempts are kept; NULL means the
-- server's --retention-days.
ALTER TABLE tenants ADD COLUMN retention_days integer
    CHECK (retention_days IS NULL OR retention_days BETWEEN 1 AND 3650);

-- Attempts per webhook per hour, for dashboards over long windows.
-- buckets[i] counts the attempts whose duration is at most the i-th bound
-- of rollupBoundsMS (partitions.go) and above the previous one; the last
-- bucket has no upper bound.
CREATE TABLE attempt_rollups (
    tenant_id       text NOT NULL,
    webhook_id      text NOT NULL,
    hour            timestamptz NOT NULL,
    calls           bigint NOT NULL,
    errors          bigint NOT NULL,
    duration_sum_ns bigint NOT NULL,
    duration_max_ns bigint NOT NULL,
    buckets         bigint[] NOT NULL,
    PRIMARY KEY (tenant_id, hour, webhook_id)
);

-- Named timestamps the maintenance leader keeps (the roll-up watermark).
CREATE TABLE maintenance_state (
    name  text PRIMARY KEY,
    value timestamptz NOT NULL
);
