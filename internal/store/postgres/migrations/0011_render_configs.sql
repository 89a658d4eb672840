-- An attempt whose body rendering its event again gives back keeps, instead
-- of the body, the key of the render config it was rendered with and the
-- body's digest (see domain.BodyRef). A config is stored once, under the
-- first 16 bytes of its SHA-256, and never changes.
CREATE TABLE render_configs (
    key            bytea PRIMARY KEY,
    webhook_id     text NOT NULL,
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    format         text NOT NULL,
    format_options bytea
);
ALTER TABLE attempts ADD COLUMN render_config bytea;
ALTER TABLE attempts ADD COLUMN request_body_sha bytea;
