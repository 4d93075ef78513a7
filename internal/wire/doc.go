// Package wire holds the byte layout that every crumb sealer shares: a
// 17-byte header, the authentication context, and the one base64url pass.
// docs/FORMAT.md describes the same layout for people writing readers in
// other languages.
//
//	offset size field
//	0      1    format byte (sealer and version)
//	1      4    key ID, big-endian (zero for unsigned)
//	5      4    name tag: FNV-1a 32 of the cookie name, big-endian
//	9      4    issued-at, Unix seconds, big-endian uint32
//	13     4    expires, Unix seconds, big-endian uint32
//	17     ...  sealer body
package wire
