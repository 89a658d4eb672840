-- Readiness probes (ProbeWrite): one row per node, upserted when the node
-- has to prove that the database still takes its commits.
CREATE TABLE write_probes (
    node_id   text PRIMARY KEY,
    probed_at timestamptz NOT NULL
);
