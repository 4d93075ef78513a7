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
// import crypto/ed25519.
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

// ErrConfig is returned, wrapped, by NewSealer and Reactor.Configure for
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

// NewSymmetricSealer is NewSealer for ModeEncrypted and ModeHMAC only;
// the Ed448 modes fail with ErrConfig. A module that calls it and never
// NewSealer links no public-key code (circl's Ed448 and, through it,
// fmt and math/big): about 150 KB gzip less for a worker that only
// holds symmetric rings.
func NewSymmetricSealer(mode Mode, text string, opts ...crumb.Option) (crumb.Sealer, error) {
	switch mode {
	case ModeEncrypted, ModeHMAC:
		// Not through NewSealer: a call to it would link its Ed448
		// cases.
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
var errPublicKeyNotLinked = errors.New("Ed448 modes need a build that uses wasm.NewSealer")

// NewSealer returns the sealer for mode over the ring in text, in the
// text form package keys reads: symmetric keys for ModeEncrypted and
// ModeHMAC, "ed448-public:..." entries for ModeEd448Verify,
// "ed448-private:..." entries for ModeEd448Sign.
func NewSealer(mode Mode, text string, opts ...crumb.Option) (crumb.Sealer, error) {
	switch mode {
	case ModeEncrypted, ModeHMAC:
		return newSymmetric(mode, text, opts)
	case ModeEd448Verify:
		ring, err := keys.ParsePublicRing(keys.Ed448(), text)
		if err != nil {
			return nil, configError{err}
		}
		return signed.NewVerifier(ring, opts...), nil
	case ModeEd448Sign:
		ring, err := keys.ParsePrivateRing(keys.Ed448(), text)
		if err != nil {
			return nil, configError{err}
		}
		return signed.NewPublic(ring, opts...), nil
	}
	return nil, configError{}
}
