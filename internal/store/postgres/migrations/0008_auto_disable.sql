-- Auto-disable: when the webhook's current run of failed attempts began
-- (NULL while not failing), and each tenant's own period in hours (NULL:
-- the server's --auto-disable-after, -1: never).
ALTER TABLE webhooks ADD COLUMN failing_since timestamptz;
CREATE INDEX webhooks_failing ON webhooks (failing_since) WHERE failing_since IS NOT NULL;
ALTER TABLE tenants ADD COLUMN auto_disable_after_hours integer
    CHECK (auto_disable_after_hours IS NULL OR auto_disable_after_hours BETWEEN -1 AND 8760);
