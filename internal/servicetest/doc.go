// Package servicetest starts the real components that crumb's integration
// tests drive (Redis, Webdis, the Upstash REST server, dynalite, workerd,
// Chromium) on free loopback ports, and stops them when the test ends.
//
// A component that is not installed makes the test skip with a clear
// message, so `go test ./...` passes on a bare machine. When the
// environment variable CRUMB_REQUIRE_SERVICES is 1, as it is under the
// README's test command, a missing component fails the test instead.
package servicetest
