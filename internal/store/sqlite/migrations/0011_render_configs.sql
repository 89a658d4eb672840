-- An attempt whose body rendering its event again gives back keeps, instead
-- of the body, the key of the render config it was rendered with and the
-- body's digest (see domain.BodyRef). A config is stored once, under the
-- first 16 bytes of its SHA-256, and never changes.
CREATE TABLE render_configs (
    key            BLOB PRIMARY KEY,
    webhook_id     TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    format         TEXT NOT NULL,
    format_options BLOB
) WITHOUT ROWID;
ALTER TABLE attempts ADD COLUMN render_config BLOB;
ALTER TABLE attempts ADD COLUMN request_body_sha BLOB;
