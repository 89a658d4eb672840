-- The console's dashboard counts a tenant's deliveries per state in each
-- hour or day of its chart. Without this index each bar read all of the
-- tenant's deliveries; with it, only the window's index entries (state is
-- carried along, so the count needs no heap access once vacuumed).
CREATE INDEX deliveries_tenant_created ON deliveries (tenant_id, created_at) INCLUDE (state);

-- Stats read a tenant's attempts of a window by start time, but only four
-- small columns of rows that also hold request and response bodies: an
-- index that carries them answers with an index-only scan (attempts are
-- never updated, so the visibility map stays set). It replaces the
-- narrower index on (tenant_id, started_at).
DROP INDEX attempts_tenant_started;
CREATE INDEX attempts_tenant_started ON attempts (tenant_id, started_at) INCLUDE (webhook_id, duration_ns, success);
