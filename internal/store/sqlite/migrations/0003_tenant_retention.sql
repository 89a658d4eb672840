-- Per-tenant retention: days a tenant's events, deliveries and attempts are
-- kept; 0 means the server's --retention-days.
ALTER TABLE tenants ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 0
    CHECK (retention_days BETWEEN 0 AND 3650);
