-- Live nodes, so that dispatchers can share each webhook's concurrency and
-- rate limits: every dispatcher upserts its row every few seconds and
-- counts the rows with a fresh heartbeat.
CREATE TABLE nodes (
    id           text PRIMARY KEY,
    role         text NOT NULL,
    heartbeat_at timestamptz NOT NULL
);
