package unsigned

import (
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/sealopt"
	"github.com/crumbkit/crumb/internal/wire"
)

// Sealer encodes payloads without any cryptography. It is safe for
// concurrent use.
type Sealer struct {
	validate func([]byte) error
	o        sealopt.Options
}

// New returns an unsigned Sealer. validate is called by Open on every
// payload, after the format and times check out, and must reject
// anything the application would not accept from an untrusted client,
// because the client can write anything into an unsigned cookie. New
// panics if validate is nil: an unsigned cookie without validation is a
// bug waiting to happen.
func New(validate func(payload []byte) error, opts ...crumb.Option) *Sealer {
	if validate == nil {
		panic("unsigned: New requires a validation function")
	}
	return &Sealer{validate: validate, o: sealopt.Resolve(opts)}
}

// Seal encodes payload for the cookie name, valid until expires. The
// value is base64url(header || payload); the key ID field is zero.
func (s *Sealer) Seal(name string, payload []byte, expires time.Time) (string, error) {
	if err := wire.CheckName(name); err != nil {
		return "", err
	}
	iat, exp, err := wire.SealTimes(s.o.Now(), expires)
	if err != nil {
		return "", err
	}
	raw, err := wire.NewBuffer(wire.HeaderLen+len(payload), 0, s.o.MaxValueLen)
	if err != nil {
		return "", err
	}
	raw = raw[:wire.HeaderLen]
	wire.Header{Format: wire.FormatUnsigned, NameTag: wire.NameTag(name), IssuedAt: iat, Expires: exp}.Put(raw)
	return wire.Encode(append(raw, payload...)), nil
}

// Open decodes value, checks its name tag and times, and runs the
// validation function. Nothing here is authenticated: the name and time
// checks catch mistakes, not attackers, and the validation function is
// the only defence against a hostile client. A payload it rejects gives
// an error wrapping crumb.ErrInvalid.
func (s *Sealer) Open(name, value string) (crumb.Opened, error) {
	if err := wire.CheckName(name); err != nil {
		return crumb.Opened{}, err
	}
	raw, h, err := wire.Decode(value, s.o.MaxValueLen, wire.FormatUnsigned, wire.HeaderLen, 0)
	if err != nil {
		return crumb.Opened{}, err
	}
	if h.KeyID != 0 {
		return crumb.Opened{}, wire.Err(crumb.ErrMalformed, "unsigned value with a key ID")
	}
	if h.NameTag != wire.NameTag(name) {
		return crumb.Opened{}, wire.Err(crumb.ErrWrongName, "value was made for another cookie name")
	}
	if err := wire.CheckTimes(h, s.o.Now(), s.o.Skew); err != nil {
		return crumb.Opened{}, err
	}
	payload := raw[wire.HeaderLen:]
	if err := s.validate(payload); err != nil {
		// The validator's own message may quote the payload, so it is
		// not passed on; the payload is the client's anyway.
		return crumb.Opened{}, wire.Err(crumb.ErrInvalid, "payload rejected by the validation function")
	}
	return wire.Opened(payload, h, false), nil
}

var _ crumb.Sealer = (*Sealer)(nil)
