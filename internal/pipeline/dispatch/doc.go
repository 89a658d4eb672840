// Package dispatch delivers webhooks. Fresh deliveries arrive in memory from
// ingest right after their commit (Handoff); due retries and orphaned work are
// claimed from the store by a poller with leases that expire, so work cut off
// by a crash is retried by whichever node is alive.
//
// Each webhook has its own queue, concurrency limit and rate limit, and its
// own workers: a slow or dead endpoint only ever occupies its own workers, so
// it cannot delay deliveries to other endpoints. Outcomes are written by one
// recorder goroutine in batches (one transaction per batch), so workers never
// wait for the database between requests.
package dispatch
