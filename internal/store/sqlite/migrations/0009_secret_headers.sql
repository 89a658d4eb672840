-- The names of a webhook's headers that its admin flagged as secret (their
-- values are write-only and masked in the audit log), as a JSON array;
-- headers whose names say they hold a credential need no flag.
ALTER TABLE webhooks ADD COLUMN secret_headers TEXT NOT NULL DEFAULT '';
