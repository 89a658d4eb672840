-- Hourly attempt roll-ups, as on PostgreSQL: dashboards over long windows
-- read a few rows per webhook per hour instead of every attempt.
-- buckets is a JSON array: buckets[i] counts the attempts whose duration
-- is at most the i-th bound of stats.RollupBounds and above the previous
-- one; the last bucket has no upper bound. hour is in unix microseconds.
CREATE TABLE attempt_rollups (
    tenant_id       TEXT NOT NULL,
    webhook_id      TEXT NOT NULL,
    hour            INTEGER NOT NULL,
    calls           INTEGER NOT NULL,
    errors          INTEGER NOT NULL,
    duration_sum_ns INTEGER NOT NULL,
    duration_max_ns INTEGER NOT NULL,
    buckets         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, hour, webhook_id)
) WITHOUT ROWID;

-- Named instants that maintenance keeps (the roll-up watermark), in unix
-- microseconds.
CREATE TABLE maintenance_state (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
