-- Ordered delivery (see docs/ORDERING.md). A webhook orders its deliveries
-- as a whole or per ordering key; each ordered delivery keeps the key it
-- was made under and its position in the key's order (ordering_seq, from
-- delivery_ordering_seq at insert; publishes with ordered deliveries
-- commit one at a time, so positions follow commits). holds_key is set
-- while the key's later deliveries must wait for this one; skipped_at
-- when an admin let them go. Columns added to the partitioned deliveries
-- and events reach every partition; so does the index.
ALTER TABLE webhooks ADD COLUMN ordering text NOT NULL DEFAULT 'none';
ALTER TABLE webhooks ADD COLUMN ordering_failure text NOT NULL DEFAULT 'block';
ALTER TABLE events ADD COLUMN ordering_key text NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN ordered boolean NOT NULL DEFAULT false;
ALTER TABLE deliveries ADD COLUMN ordering_key text NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN ordering_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN holds_key boolean NOT NULL DEFAULT false;
ALTER TABLE deliveries ADD COLUMN skipped_at timestamptz;
CREATE SEQUENCE delivery_ordering_seq;
-- The claim's turn check: per webhook and key, in order, the deliveries
-- that hold the key; and the ordered deliveries in flight. Unordered
-- deliveries are in neither, so these cost them nothing.
CREATE INDEX deliveries_key_order ON deliveries (webhook_id, ordering_key, ordering_seq) WHERE holds_key;
CREATE INDEX deliveries_key_leased ON deliveries (webhook_id, ordering_key) WHERE ordered AND lease_owner IS NOT NULL;
