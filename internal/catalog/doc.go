// Package catalog is the catalog of LMS event types that lmshooks knows:
// each type's name (<entity>.<action>), human title and description, the
// JSON Schema (draft 2020-12) of its data, a realistic example and the
// template variables an admin can use in form-encoded webhook parameters.
//
// The builtin types are data files embedded in the binary (data/types/*.json,
// one per entity, sharing sub-schemas from data/defs.json); Load compiles
// every schema once. Tenants can add their own types with WithCustom, which
// returns a view of the catalog that knows both. A Catalog is immutable and
// safe for concurrent use.
//
// Views (views.go) is the one stateful part: it keeps each tenant's view
// (builtin types plus the tenant's own, read from the store) in memory for
// a short time, so validating every published event does not read the
// database.
//
// docs/EVENTS.md is generated from this package by `go run ./cmd/gendocs`.
package catalog
