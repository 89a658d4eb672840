-- The console's generated operator password, kept so that it survives a
-- restart and every node accepts it: a PBKDF2 verifier (never the password)
-- and the random seed of the console's session, CSRF and portal-link keys.
-- One row at most (id is always 1), so that nodes starting together agree
-- on one; absent while LMSHOOKS_ADMIN_PASSWORD is set from the start.
CREATE TABLE console_credentials (
    id         smallint PRIMARY KEY CHECK (id = 1),
    salt       bytea       NOT NULL,
    iterations integer     NOT NULL CHECK (iterations > 0),
    verifier   bytea       NOT NULL,
    key_seed   bytea       NOT NULL,
    created_at timestamptz NOT NULL
);
