package pubsealer

import (
	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
	"github.com/crumbkit/crumb/wasm"
)

// New returns the sealer for mode over the ring in text, in the text
// form package keys reads: symmetric keys for wasm.ModeEncrypted and
// wasm.ModeHMAC (as wasm.NewSymmetricSealer), "ed448-public:..." entries
// for wasm.ModeEd448Verify (signed.NewVerifier: opens only) and
// "ed448-private:..." entries for wasm.ModeEd448Sign (signed.NewPublic).
// An unknown mode, or text that does not parse for the mode, gives an
// error wrapping wasm.ErrConfig.
//
// Its signature matches gate.EnvOptions.NewSealer and wasm.NewReactor's
// argument.
func New(mode wasm.Mode, text string, opts ...crumb.Option) (crumb.Sealer, error) {
	switch mode {
	case wasm.ModeEd448Verify:
		ring, err := keys.ParsePublicRing(ed448.Scheme(), text)
		if err != nil {
			return nil, configError{err}
		}
		return signed.NewVerifier(ring, opts...), nil
	case wasm.ModeEd448Sign:
		ring, err := keys.ParsePrivateRing(ed448.Scheme(), text)
		if err != nil {
			return nil, configError{err}
		}
		return signed.NewPublic(ring, opts...), nil
	}
	return wasm.NewSymmetricSealer(mode, text, opts...)
}

// configError wraps a keys error in wasm.ErrConfig, as package wasm does.
type configError struct{ err error }

func (e configError) Error() string { return wasm.ErrConfig.Error() + ": " + e.err.Error() }

func (e configError) Unwrap() []error { return []error{wasm.ErrConfig, e.err} }
