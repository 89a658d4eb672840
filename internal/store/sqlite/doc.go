// Package sqlite is the embedded SQLite implementation of store.Store, the
// default database of lmshooks: one file, nothing to install, pure Go
// (modernc.org/sqlite, no cgo).
//
// # One process
//
// A SQLite database serves exactly one lmshooks process. Open takes an
// exclusive flock on "<path>.lock" and fails with a clear error if another
// process holds it; the kernel releases the lock when the process dies, even
// by kill -9. Because no other process can hold a delivery lease, Open
// clears every lease it finds: they belong to a previous run that died, and
// their work becomes claimable at once. Crash recovery is immediate after a
// restart instead of waiting for leases to expire. To run several nodes,
// use PostgreSQL.
//
// # Durability and group commit
//
// The database runs in WAL mode with synchronous=FULL: when a write returns,
// its transaction is fsync'd, so an event answered with 2xx survives a kill
// -9 or a power loss. An fsync costs far more than the statements, so every
// write goes through one writer goroutine that takes all the operations
// queued at that moment (up to Options.MaxBatch), runs each in its own
// SAVEPOINT inside one transaction, commits once, and then answers every
// caller. An operation that fails is rolled back to its savepoint and gets
// its own error; the others commit. Under load, batches grow by themselves
// while the previous commit syncs, which is what gives thousands of durable
// writes per second on a small machine.
//
// Reads use a separate pool of connections, which WAL lets read the last
// committed state while the writer works.
//
// # Maintenance
//
// The store implements every capability of store.Store, those that
// coordinate nodes for one node (oneprocess.go): it always leads (the lock
// file already makes this process the only user), counts one dispatcher,
// hears from no other node, and has no partitions nor roll-ups (its
// statistics summarize every attempt, exactly). Its maintenance is
// retention: ApplyRetention deletes expired rows in small chunks, each its
// own write, so that it never holds the writer for long (see retention.go).
//
// # Storage
//
// Times are INTEGER unix microseconds (UTC), 0 for none; durations INTEGER
// nanoseconds; header maps and lists JSON text. The schema lives in numbered
// migrations (migrations/NNNN_name.sql), each applied at Open in its own
// transaction and recorded in schema_migrations.
package sqlite
