// Package tinygogate holds the checks that keep crumb's edge packages
// building with TinyGo.
//
// TestTinyGoImportGraph is the fast one: it walks the import graph of
// the packages that edge workers compile with TinyGo and fails if any
// of them reaches a standard-library package TinyGo cannot import. The
// list of importable packages is testdata/stdlib-importable.txt, from
// TinyGo's documentation (TinyGo built against Go 1.23), corrected
// where a real TinyGo compile proved it wrong. Extend the gated set in
// gate_test.go (gated) when a new package is bound for TinyGo.
//
// The authoritative ones compile with real TinyGo (found through
// $CRUMB_TINYGO; skipped without it): TestTinyGoWASI builds each
// TinyGo-bound package's tests with `tinygo test -c -target=wasip1`
// (with go.tinygo.mod) and runs them under internal/cmd/wasirun, and
// TestTinyGoKVStoreWASI builds and runs a WASI program using kvstore.
package tinygogate
