// Package vectors reads crumb's test vectors, the JSON files under
// testdata/vectors at the module root, and builds the sealers they
// describe. testdata/vectors/README.md documents the schema.
//
// It exists for tests: crumb's own replay test, and the replays that
// run the same files through other builds (a WASM reactor, a JavaScript
// reader). No library package imports it, and it is not bound for
// TinyGo: it imports keys/ed25519.
package vectors

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed25519"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
	"github.com/crumbkit/crumb/unsigned"
)

// Sealer names, as they appear in the "sealer" field.
const (
	Unsigned = "unsigned"
	HMAC     = "hmac"
	Ed448    = "ed448"
	Ed25519  = "ed25519"
	AESGCM   = "aes-gcm"
)

// Sealers lists every sealer name, in format-byte order.
var Sealers = []string{Unsigned, HMAC, Ed448, Ed25519, AESGCM}

// File is one vector file: the vectors of one sealer.
type File struct {
	Sealer  string `json:"sealer"`
	Comment string `json:"comment,omitempty"`
	Good    []Good `json:"good"`
	Bad     []Bad  `json:"bad"`
	// BadPublicKeys are public rings a reader must refuse to load
	// (ed448 and ed25519 only).
	BadPublicKeys []BadPublicKey `json:"bad_public_keys,omitempty"`
}

// BadPublicKey is a public ring text that must not load: a key of small
// order, not canonically encoded, or not a point on the curve. A
// reader that loads one may accept forged values.
type BadPublicKey struct {
	ID       string `json:"id"`
	Desc     string `json:"desc,omitempty"`
	OpenKeys string `json:"open_keys"`
}

// Good is a value that seals to exactly Value and opens to the payload.
type Good struct {
	ID   string `json:"id"`
	Desc string `json:"desc,omitempty"`
	// SealKeys is the ring text that sealed the value (its first key
	// sealed); empty for the unsigned sealer.
	SealKeys string `json:"seal_keys"`
	// OpenKeys is the ring text to open with: a symmetric ring for
	// hmac and aes-gcm, a public ring for ed448 and ed25519.
	OpenKeys   string `json:"open_keys"`
	Name       string `json:"name"`
	PayloadHex string `json:"payload_hex"`
	// IssuedAt is the sealer's clock at Seal, Unix seconds; it is also
	// the issued-at time in the value.
	IssuedAt int64 `json:"iat"`
	Expires  int64 `json:"exp"`
	// RandHex is what the sealer read from its randomness source
	// (aes-gcm: 12 bytes of salt then 12 of nonce); empty otherwise.
	RandHex string `json:"rand_hex"`
	// Skew is the opener's allowed clock skew in seconds.
	Skew int64 `json:"skew"`
	// OpenAt is the opener's clock, Unix seconds.
	OpenAt  int64  `json:"open_at"`
	Value   string `json:"value"`
	Rotated bool   `json:"rotated"`
}

// Bad is a value that must fail to open with the named error.
type Bad struct {
	ID       string `json:"id"`
	Desc     string `json:"desc,omitempty"`
	OpenKeys string `json:"open_keys"`
	Name     string `json:"name"`
	Skew     int64  `json:"skew"`
	OpenAt   int64  `json:"open_at"`
	// MaxValueLen is the opener's value length limit; 0 means the
	// default, 16384.
	MaxValueLen int    `json:"max_value_len,omitempty"`
	Value       string `json:"value"`
	// Error names the sentinel: see Errors.
	Error string `json:"error"`
}

// Errors maps the "error" field of bad vectors to crumb's sentinels.
var Errors = map[string]error{
	"malformed":   crumb.ErrMalformed,
	"invalid":     crumb.ErrInvalid,
	"unknown_key": crumb.ErrUnknownKey,
	"expired":     crumb.ErrExpired,
	"wrong_name":  crumb.ErrWrongName,
	"too_large":   crumb.ErrTooLarge,
}

// ErrorName returns the "error" name of the sentinel err wraps, or ""
// when it wraps none of them.
func ErrorName(err error) string {
	names := make([]string, 0, len(Errors))
	for n := range Errors {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if errors.Is(err, Errors[n]) {
			return n
		}
	}
	return ""
}

// Load reads every *.json file in dir.
func Load(dir string) ([]File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("vectors: no *.json files in %s", dir)
	}
	var files []File
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var f File
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("vectors: %s: %w", filepath.Base(p), err)
		}
		files = append(files, f)
	}
	return files, nil
}

// ValidJSON is the validation function the unsigned sealer uses in the
// vectors: the payload must be well-formed JSON.
func ValidJSON(p []byte) error {
	if !json.Valid(p) {
		return errors.New("payload is not JSON")
	}
	return nil
}

// fixedClock returns a clock stopped at Unix second t.
func fixedClock(t int64) func() time.Time {
	return func() time.Time { return time.Unix(t, 0) }
}

// NewSealer builds the sealer that sealed a good vector: sealKeys, the
// clock stopped at iat, and randomness that yields exactly rnd.
func NewSealer(sealer, sealKeys string, iat int64, rnd []byte) (crumb.Sealer, error) {
	return build(sealer, sealKeys, true, crumb.WithClock(fixedClock(iat)), crumb.WithRand(bytes.NewReader(rnd)))
}

// NewOpener builds the sealer that opens a vector: openKeys (a public
// ring for ed448 and ed25519, so the opener is verify-only), the clock
// stopped at openAt, the skew in seconds, and maxLen (0 for the
// default).
func NewOpener(sealer, openKeys string, openAt, skew int64, maxLen int) (crumb.Sealer, error) {
	opts := []crumb.Option{crumb.WithClock(fixedClock(openAt)), crumb.WithSkew(time.Duration(skew) * time.Second)}
	if maxLen != 0 {
		opts = append(opts, crumb.WithMaxValueLen(maxLen))
	}
	return build(sealer, openKeys, false, opts...)
}

// build makes the named sealer over ring text; for the public-key
// sealers, private selects a signing ring over a verify-only public one.
func build(sealer, ringText string, private bool, opts ...crumb.Option) (crumb.Sealer, error) {
	switch sealer {
	case Unsigned:
		return unsigned.New(ValidJSON, opts...), nil
	case HMAC, AESGCM:
		r, err := keys.ParseRing(ringText)
		if err != nil {
			return nil, err
		}
		if sealer == HMAC {
			return signed.New(r, opts...), nil
		}
		return encrypted.New(r, opts...), nil
	case Ed448, Ed25519:
		if private {
			r, err := keys.ParsePrivateRing(Scheme(sealer), ringText)
			if err != nil {
				return nil, err
			}
			return signed.NewPublic(r, opts...), nil
		}
		r, err := keys.ParsePublicRing(Scheme(sealer), ringText)
		if err != nil {
			return nil, err
		}
		return signed.NewVerifier(r, opts...), nil
	}
	return nil, fmt.Errorf("vectors: unknown sealer %q", sealer)
}

// Scheme returns the signature scheme of a public-key sealer name.
func Scheme(sealer string) keys.Scheme {
	if sealer == Ed25519 {
		return ed25519.Scheme()
	}
	return ed448.Scheme()
}

// Hex decodes a hex field, treating "" as empty.
func Hex(s string) ([]byte, error) { return hex.DecodeString(s) }
