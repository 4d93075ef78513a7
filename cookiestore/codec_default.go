//go:build !crumb_nojson

package cookiestore

// defaultCodec is the Codec of a store whose Options name none. The
// crumb_nojson build tag replaces it (codec_nojson.go), so that a
// module with a Codec of its own links no encoding/json.
func defaultCodec() (Codec, bool) { return JSONCodec{}, true }
