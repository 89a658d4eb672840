-- Portal links and sessions carry their tenant's portal epoch and work only
-- while it is the tenant's: a random value per tenant, replaced when the
-- operator revokes the tenant's portal access. Tenants made before this
-- migration get one here, so links and sessions issued before it (which
-- carry none) stop working.
ALTER TABLE tenants ADD COLUMN portal_epoch text NOT NULL DEFAULT '';
UPDATE tenants SET portal_epoch = md5(random()::text || clock_timestamp()::text || id);

-- The portal links that have opened their one session, kept until they
-- expire (an expired link is refused anyway) and then pruned.
CREATE TABLE used_portal_links (
    id         text        PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX used_portal_links_expiry ON used_portal_links (expires_at);
