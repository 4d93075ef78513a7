package wasm

import (
	"errors"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/signed"
)

// Mode selects the sealer an edge module runs. The numbers are part of
// the reactor ABI (the mode argument of crumb_configure).
type Mode uint32

// Modes. Ed448 is the only public-key scheme here because TinyGo cannot
// import crypto/ed25519. Package wasm/pubsealer builds the Ed448 modes'
// sealers; NewSymmetricSealer builds the others.
const (
	// ModeEncrypted: AES-256-GCM (package encrypted) over a symmetric
	// ring. Opens and seals.
	ModeEncrypted Mode = 1
	// ModeHMAC: HMAC-SHA256 (signed.New) over a symmetric ring. Opens
	// and seals.
	ModeHMAC Mode = 2
	// ModeEd448Verify: Ed448 signatures checked with a public ring
	// (signed.NewVerifier). Opens only; Seal fails with
	// signed.ErrVerifyOnly. The edge holds no secret.
	ModeEd448Verify Mode = 3
	// ModeEd448Sign: Ed448 with a private ring (signed.NewPublic). Opens
	// and seals.
	ModeEd448Sign Mode = 4
)

var modeNames = [...]string{
	ModeEncrypted:   "encrypted",
	ModeHMAC:        "hmac",
	ModeEd448Verify: "ed448-verify",
	ModeEd448Sign:   "ed448-sign",
}

// String returns the mode's name, as ParseMode reads it.
func (m Mode) String() string {
	if m == 0 || int(m) >= len(modeNames) {
		return "invalid"
	}
	return modeNames[m]
}

// ParseMode reads a mode name: "encrypted", "hmac", "ed448-verify" or
// "ed448-sign".
func ParseMode(s string) (Mode, bool) {
	for m, n := range modeNames {
		if n != "" && n == s {
			return Mode(m), true
		}
	}
	return 0, false
}

// ErrConfig is returned, wrapped, by NewSymmetricSealer,
// pubsealer.New and Reactor.Configure for
// an unknown mode or ring text that does not parse for the mode. The
// wrapped error comes from package keys and never holds key material.
var ErrConfig = errors.New("wasm: bad sealer configuration")

type configError struct{ err error }

func (e configError) Error() string {
	if e.err == nil {
		return ErrConfig.Error()
	}
	return ErrConfig.Error() + ": " + e.err.Error()
}

func (e configError) Unwrap() []error {
	if e.err == nil {
		return []error{ErrConfig}
	}
	return []error{ErrConfig, e.err}
}

// NewSymmetricSealer returns the sealer for ModeEncrypted or ModeHMAC
// over the symmetric ring in text, in the text form package keys reads;
// the Ed448 modes fail with ErrConfig. Package wasm links no public-key
// code (circl's Ed448 and, through it, encoding/asn1, fmt and
// math/big): a module that needs the Ed448 modes uses pubsealer.New
// (package github.com/crumbkit/crumb/wasm/pubsealer) instead, and pays
// about 150 KB gzip for them.
func NewSymmetricSealer(mode Mode, text string, opts ...crumb.Option) (crumb.Sealer, error) {
	switch mode {
	case ModeEncrypted, ModeHMAC:
		return newSymmetric(mode, text, opts)
	case ModeEd448Verify, ModeEd448Sign:
		return nil, configError{errPublicKeyNotLinked}
	}
	return nil, configError{}
}

func newSymmetric(mode Mode, text string, opts []crumb.Option) (crumb.Sealer, error) {
	ring, err := keys.ParseRing(text)
	if err != nil {
		return nil, configError{err}
	}
	if mode == ModeEncrypted {
		return encrypted.New(ring, opts...), nil
	}
	return signed.New(ring, opts...), nil
}

// errPublicKeyNotLinked explains an Ed448 mode given to
// NewSymmetricSealer.
var errPublicKeyNotLinked = errors.New("Ed448 modes need a build that uses pubsealer.New")
