-- The console's generated operator password, kept so that it survives a
-- restart: a PBKDF2 verifier (never the password) and the random seed of
-- the console's session, CSRF and portal-link keys. One row at most (id is
-- always 1); absent while LMSHOOKS_ADMIN_PASSWORD is set from the start.
CREATE TABLE console_credentials (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    salt       BLOB    NOT NULL,
    iterations INTEGER NOT NULL CHECK (iterations > 0),
    verifier   BLOB    NOT NULL,
    key_seed   BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
