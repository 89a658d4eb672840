-- The console's dashboard charts a tenant's deliveries per hour of their
-- creation by their current state. Counting them at read time walked every
-- delivery of the window (650,000 in a day for a busy tenant: a third of a
-- second); these counts are kept as deliveries are written instead, so the
-- chart reads at most four rows an hour. Triggers keep them, so that no
-- statement that makes, changes or removes a delivery can forget to: an
-- insert adds one to its hour's state, a change of state moves one from
-- the old state to the new, a delete takes one away. hour is the creation
-- time truncated to the hour, in unix microseconds like created_at.
CREATE TABLE delivery_counts (
    tenant_id TEXT    NOT NULL,
    hour      INTEGER NOT NULL,
    state     TEXT    NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, hour, state)
) WITHOUT ROWID;

INSERT INTO delivery_counts (tenant_id, hour, state, n)
    SELECT tenant_id, created_at / 3600000000 * 3600000000, state, COUNT(*)
    FROM deliveries GROUP BY 1, 2, 3;

CREATE TRIGGER delivery_counts_insert AFTER INSERT ON deliveries BEGIN
    INSERT INTO delivery_counts (tenant_id, hour, state, n)
        VALUES (NEW.tenant_id, NEW.created_at / 3600000000 * 3600000000, NEW.state, 1)
        ON CONFLICT (tenant_id, hour, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER delivery_counts_state AFTER UPDATE OF state ON deliveries
WHEN OLD.state <> NEW.state BEGIN
    UPDATE delivery_counts SET n = n - 1
        WHERE tenant_id = OLD.tenant_id AND hour = OLD.created_at / 3600000000 * 3600000000 AND state = OLD.state;
    INSERT INTO delivery_counts (tenant_id, hour, state, n)
        VALUES (NEW.tenant_id, NEW.created_at / 3600000000 * 3600000000, NEW.state, 1)
        ON CONFLICT (tenant_id, hour, state) DO UPDATE SET n = n + 1;
END;

-- A delete also drops the hour's rows that came to zero, those of states
-- deliveries left before as well: once retention has taken an hour's
-- deliveries, nothing of the hour is left.
CREATE TRIGGER delivery_counts_delete AFTER DELETE ON deliveries BEGIN
    UPDATE delivery_counts SET n = n - 1
        WHERE tenant_id = OLD.tenant_id AND hour = OLD.created_at / 3600000000 * 3600000000 AND state = OLD.state;
    DELETE FROM delivery_counts
        WHERE tenant_id = OLD.tenant_id AND hour = OLD.created_at / 3600000000 * 3600000000 AND n = 0;
END;
