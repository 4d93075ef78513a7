// Package bench measures crumb's sealers against gorilla/securecookie
// and against the bare primitives called by hand, on the same typical
// session.
//
// It is a module of its own (github.com/crumbkit/crumb/bench) so that
// gorilla/securecookie and gorilla/sessions never enter crumb's go.mod.
//
// Every subject does the whole job a session layer needs: it encodes a
// Session struct (about 200 bytes of JSON) and seals it into a cookie
// value, or opens a value and decodes the struct. crumb's sealers take
// bytes, so their subjects call json.Marshal and then Seal, and Open and
// then json.Unmarshal; gorilla's codec does its JSON inside Encode and
// Decode. The bare subjects are the least code that gives the same
// protection: JSON, one AEAD or HMAC call, one base64 pass.
//
// Run the comparison with
//
//	cd bench && go run ./cmd/benchtable
//
// which runs every case in one process with testing.Benchmark and prints
// a markdown table with the ratios from that single run. `go test ./...`
// here checks that every subject round-trips and rejects tampering; no
// test asserts on time.
//
// Security contract: none of its own. Keys are generated fresh for each
// run and never leave the process; nothing here is for production use.
package bench
