package signed

import (
	"errors"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/sealopt"
	"github.com/crumbkit/crumb/internal/wire"
	"github.com/crumbkit/crumb/keys"
)

// ErrVerifyOnly is returned by Seal on a sealer that holds only public
// keys: it can check sessions but never mint them.
var ErrVerifyOnly = errors.New("signed: sealer holds only public keys and cannot seal")

// PublicSealer signs with a private ring (Ed448 or Ed25519) and verifies
// with the public halves. A PublicSealer made by NewVerifier holds no
// secret at all: give it to edge workers and other services that must
// trust sessions without being able to forge them. Payloads travel in
// the clear. It is safe for concurrent use.
type PublicSealer struct {
	format  byte
	label   string
	sigLen  int
	public  *keys.PublicRing
	primary keys.PrivateKey // zero for a verify-only sealer
	o       sealopt.Options
}

// NewPublic returns a PublicSealer that signs with ring's primary key and
// verifies with every key's public half. It panics if ring is nil or of
// a scheme other than Ed448 or Ed25519.
func NewPublic(ring *keys.PrivateRing, opts ...crumb.Option) *PublicSealer {
	if ring == nil || ring.Len() == 0 {
		panic("signed: NewPublic needs a ring from package keys")
	}
	s := newPublic(ring.Public(), opts)
	s.primary = ring.Primary()
	return s
}

// NewVerifier returns a verify-only PublicSealer: Open works, Seal
// returns ErrVerifyOnly. It panics if ring is nil or of an unsupported
// scheme.
func NewVerifier(ring *keys.PublicRing, opts ...crumb.Option) *PublicSealer {
	if ring == nil || ring.Len() == 0 {
		panic("signed: NewVerifier needs a ring from package keys")
	}
	return newPublic(ring, opts)
}

func newPublic(ring *keys.PublicRing, opts []crumb.Option) *PublicSealer {
	s := &PublicSealer{public: ring, sigLen: ring.Scheme().SignatureSize(), o: sealopt.Resolve(opts)}
	switch ring.Scheme().Name() {
	case "ed448":
		s.format, s.label = wire.FormatEd448, "crumb/v1/signed/ed448"
	case "ed25519":
		s.format, s.label = wire.FormatEd25519, "crumb/v1/signed/ed25519"
	default:
		panic("signed: unsupported scheme " + ring.Scheme().Name())
	}
	return s
}

// CanSeal reports whether the sealer holds a private key.
func (s *PublicSealer) CanSeal() bool { return s.primary != (keys.PrivateKey{}) }

// Seal signs payload for the cookie name, valid until expires. The value
// is header || payload || signature over (context || header || payload).
func (s *PublicSealer) Seal(name string, payload []byte, expires time.Time) (string, error) {
	if !s.CanSeal() {
		return "", ErrVerifyOnly
	}
	if err := wire.CheckName(name); err != nil {
		return "", err
	}
	iat, exp, err := wire.SealTimes(s.o.Now(), expires)
	if err != nil {
		return "", err
	}
	raw, err := wire.NewBuffer(wire.HeaderLen+len(payload)+s.sigLen, 0, s.o.MaxValueLen)
	if err != nil {
		return "", err
	}
	raw = raw[:wire.HeaderLen]
	wire.Header{Format: s.format, KeyID: uint32(s.primary.ID()), NameTag: wire.NameTag(name), IssuedAt: iat, Expires: exp}.Put(raw)
	raw = append(raw, payload...)
	raw = append(raw, s.primary.Sign(s.message(name, raw))...)
	return wire.Encode(raw), nil
}

// message is the signed message: the context followed by the header and
// payload.
func (s *PublicSealer) message(name string, body []byte) []byte {
	m := make([]byte, 0, wire.ContextLen(s.label, name)+len(body))
	return append(wire.AppendContext(m, s.label, name), body...)
}

// Open verifies value for the cookie name and returns its payload.
func (s *PublicSealer) Open(name, value string) (crumb.Opened, error) {
	if err := wire.CheckName(name); err != nil {
		return crumb.Opened{}, err
	}
	raw, h, err := wire.Decode(value, s.o.MaxValueLen, s.format, wire.HeaderLen+s.sigLen, 0)
	if err != nil {
		return crumb.Opened{}, err
	}
	k, primary, ok := s.public.Lookup(keys.ID(h.KeyID))
	if !ok {
		return crumb.Opened{}, wire.Err(crumb.ErrUnknownKey, "no key in the ring has the value's key ID")
	}
	if h.NameTag != wire.NameTag(name) {
		return crumb.Opened{}, wire.Err(crumb.ErrWrongName, "value was sealed for another cookie name")
	}
	body, sig := raw[:len(raw)-s.sigLen], raw[len(raw)-s.sigLen:]
	if !k.Verify(s.message(name, body), sig) {
		return crumb.Opened{}, wire.Err(crumb.ErrInvalid, "signature mismatch")
	}
	if err := wire.CheckTimes(h, s.o.Now(), s.o.Skew); err != nil {
		return crumb.Opened{}, err
	}
	return wire.Opened(body[wire.HeaderLen:], h, !primary), nil
}

var _ crumb.Sealer = (*PublicSealer)(nil)
