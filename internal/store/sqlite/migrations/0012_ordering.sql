-- Ordered delivery (see docs/ORDERING.md). A webhook orders its deliveries
-- as a whole or per ordering key; each ordered delivery keeps the key it
-- was made under and its position in the key's order (ordering_seq, given
-- by the writer in commit order). holds_key is set while the key's later
-- deliveries must wait for this one; skipped_at when an admin let them go.
ALTER TABLE webhooks ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none';
ALTER TABLE webhooks ADD COLUMN ordering_failure TEXT NOT NULL DEFAULT 'block';
ALTER TABLE events ADD COLUMN ordering_key TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN ordered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN ordering_key TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN ordering_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN holds_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN skipped_at INTEGER NOT NULL DEFAULT 0;
-- The claim's turn check: per webhook and key, in order, the deliveries
-- that hold the key; and the ordered deliveries in flight. Unordered
-- deliveries are in neither, so these cost them nothing.
CREATE INDEX deliveries_key_order ON deliveries (webhook_id, ordering_key, ordering_seq) WHERE holds_key = 1;
CREATE INDEX deliveries_key_leased ON deliveries (webhook_id, ordering_key) WHERE ordered = 1 AND lease_owner <> '';
-- The last position given, read once by the writer when it starts.
CREATE INDEX deliveries_ordering_seq ON deliveries (ordering_seq) WHERE ordered = 1;
