-- The console's dashboard counts a tenant's deliveries per state in each
-- hour or day of its chart: without this index every bar read all of the
-- tenant's deliveries (24 bars over 100,000 deliveries took seconds). It
-- covers the count, so no row is read.
CREATE INDEX deliveries_tenant_created ON deliveries (tenant_id, created_at, state);

-- Stats read a tenant's attempts of a window by start time, but only four
-- small columns of rows that also hold request and response bodies: an
-- index that carries them answers without reading the rows. It replaces
-- the narrower index on (tenant_id, started_at).
DROP INDEX attempts_tenant_started;
CREATE INDEX attempts_tenant_started ON attempts (tenant_id, started_at, webhook_id, duration_ns, success);
