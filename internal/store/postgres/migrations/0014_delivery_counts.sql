-- The console's dashboard charts a tenant's deliveries per hour of their
-- creation by their current state. Counting them at read time walked every
-- delivery of the window (650,000 in a day for a busy tenant: a fifth of a
-- second); these counts are kept as deliveries are written instead, so the
-- chart reads a few rows an hour. Triggers keep them, so that no statement
-- that makes, changes or removes a delivery can forget to: an insert adds
-- to its hour's state, a change of state moves from the old state to the
-- new, a delete takes away. Dropping a day's partition fires no trigger:
-- retention subtracts the day's counts itself (retention.go).
--
-- The triggers run once per statement, over its transition tables, so a
-- group commit's multi-row statement costs one upsert per hour and state.
-- Each backend adds to rows of its own (backend = pg_backend_pid()), so
-- that concurrent transactions never wait for each other on a count (nor
-- deadlock); a row's n may go below zero there, the sum over backends is
-- the count. Retention folds the rows of past hours into backend 0.
CREATE TABLE delivery_counts (
    tenant_id text        NOT NULL,
    hour      timestamptz NOT NULL,
    state     text        NOT NULL,
    backend   integer     NOT NULL,
    n         bigint      NOT NULL,
    PRIMARY KEY (tenant_id, hour, state, backend)
);
-- The rows retention has yet to fold: the recent hours' few. Neither
-- column changes once a row exists, so the triggers' updates stay HOT.
CREATE INDEX delivery_counts_unfolded ON delivery_counts (hour) WHERE backend <> 0;

-- A delivery's hour: its creation time truncated to the hour in UTC,
-- whatever the session's time zone. Everything that counts deliveries
-- (these triggers, and retention when it drops a day) names it.
CREATE FUNCTION delivery_hour(created timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT date_trunc('hour', created AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$;

INSERT INTO delivery_counts (tenant_id, hour, state, backend, n)
    SELECT tenant_id, delivery_hour(created_at), state, 0, count(*)
    FROM deliveries GROUP BY 1, 2, 3;

CREATE FUNCTION delivery_counts_insert() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO delivery_counts AS c (tenant_id, hour, state, backend, n)
        SELECT tenant_id, delivery_hour(created_at), state, pg_backend_pid(), count(*)
        FROM new_rows GROUP BY 1, 2, 3
        ON CONFLICT (tenant_id, hour, state, backend) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

-- Claims and lease renewals update deliveries too: their statements find
-- no change of state and write nothing. Each changed delivery is found by
-- one join of the transition tables and counted twice (-1 for the state
-- it left, +1 for the one it entered): two joins, one per sign, cost the
-- publish-and-record benchmark a tenth of PostgreSQL's CPU.
CREATE FUNCTION delivery_counts_update() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO delivery_counts AS c (tenant_id, hour, state, backend, n)
        SELECT moved.tenant_id, moved.hour, side.state, pg_backend_pid(), sum(side.d) FROM (
            SELECT o.tenant_id, delivery_hour(o.created_at) AS hour,
                o.state AS was, nw.state AS became
                FROM old_rows o JOIN new_rows nw ON nw.id = o.id WHERE nw.state <> o.state
        ) moved CROSS JOIN LATERAL (VALUES (moved.was, -1), (moved.became, 1)) side (state, d)
        GROUP BY 1, 2, 3
        ON CONFLICT (tenant_id, hour, state, backend) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE FUNCTION delivery_counts_delete() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO delivery_counts AS c (tenant_id, hour, state, backend, n)
        SELECT tenant_id, delivery_hour(created_at), state, pg_backend_pid(), -count(*)
        FROM old_rows GROUP BY 1, 2, 3
        ON CONFLICT (tenant_id, hour, state, backend) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE TRIGGER delivery_counts_insert AFTER INSERT ON deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_insert();
CREATE TRIGGER delivery_counts_update AFTER UPDATE ON deliveries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_update();
CREATE TRIGGER delivery_counts_delete AFTER DELETE ON deliveries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION delivery_counts_delete();
