// Package tinygogate holds one test: it walks the import graph of the
// packages that edge workers compile with TinyGo and fails if any of
// them reaches a standard-library package TinyGo cannot import.
//
// The list of importable packages is testdata/stdlib-importable.txt,
// taken from TinyGo's documentation (TinyGo built against Go 1.23).
// Extend the gated set in gate_test.go (gated) when a new package is
// bound for TinyGo.
package tinygogate
