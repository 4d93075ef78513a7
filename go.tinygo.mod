// go.tinygo.mod is the module file for TinyGo builds only
// (GOFLAGS=-modfile=go.tinygo.mod). TinyGo 0.34 accepts Go 1.19 to 1.23,
// while go.mod and the newest x/crypto, x/sys and circl need a newer Go:
// this file pins the newest versions that still build with Go 1.23 and
// lists only what the TinyGo-bound packages import. README.md, section
// "TinyGo", says more.
module github.com/crumbkit/crumb

go 1.23.0

require (
	github.com/cloudflare/circl v1.6.3
	golang.org/x/crypto v0.41.0
)

require golang.org/x/sys v0.35.0 // indirect
