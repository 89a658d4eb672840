// Package filter compiles and evaluates webhook payload filters: CEL
// expressions (https://cel.dev) that decide, per event, whether a webhook
// gets a delivery, such as
//
//	data.course.id in ["c_1", "c_2"]
//	data.user.email.endsWith("@acme.com")
//
// A filter sees four variables: data (the event's JSON object), type (the
// event type), tenant (the tenant id) and occurred_at (a timestamp). It must
// yield true or false.
//
// An Engine compiles filters once and keeps the compiled programs in a
// small cache, because fan-out evaluates a webhook's filter for every event.
// Every evaluation is bounded by CEL's cost limit, so a hostile filter
// cannot burn CPU. Program.Check is the save-time check against the
// schemas and examples of the event types a webhook subscribes to.
package filter
