-- Webhook payload filters and format options, and tenants' own event types.
ALTER TABLE webhooks ADD COLUMN filter TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN format_options TEXT NOT NULL DEFAULT '';

CREATE TABLE event_types (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type        TEXT    NOT NULL,
    title       TEXT    NOT NULL DEFAULT '',
    description TEXT    NOT NULL DEFAULT '',
    schema      TEXT    NOT NULL DEFAULT '',
    example     TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, type)
);
