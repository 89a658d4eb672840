// Package testsupport holds the packages that only tests import: helpers
// shared by the tests of several packages, kept apart from the production
// packages so that the folder list shows what ships. No non-test file may
// import them (imports_test.go checks it).
//
//   - pgtest gives each test a PostgreSQL schema of its own.
//   - poll waits for a condition, with a deadline.
//   - syncbuf is a buffer that goroutines write while a test reads it.
//   - tinyproxy runs a real HTTP CONNECT proxy for the egress proxy tests.
package testsupport
