-- Which process holds each node id, so that a node restarted with the same
-- id is told apart from a second process started with it by mistake (see
-- store.Membership). Rows written before this migration have none: their
-- node is taken over once it is dead, like any other.
ALTER TABLE nodes ADD COLUMN incarnation text NOT NULL DEFAULT '';
