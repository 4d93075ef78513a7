package signed

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/sealopt"
	"github.com/crumbkit/crumb/internal/wire"
	"github.com/crumbkit/crumb/keys"
)

// LabelHMAC is the purpose label bound into every HMAC-signed value.
const LabelHMAC = "crumb/v1/signed/hmac-sha256"

const tagLen = sha256.Size

// Sealer signs payloads with HMAC-SHA256 and a full 32-byte tag. The
// payload travels in the clear: the client can read it but not change
// it. It is safe for concurrent use.
type Sealer struct {
	byID map[uint32]*hmacKey
	prim *hmacKey
	o    sealopt.Options
}

type hmacKey struct {
	id      uint32
	primary bool
	// macs pools keyed HMAC states: hmac.New computes the padded key
	// once, and Reset restores it, so a pooled state signs without
	// allocating or re-deriving anything.
	macs sync.Pool
}

func (k *hmacKey) get() hash.Hash { return k.macs.Get().(hash.Hash) }
func (k *hmacKey) put(h hash.Hash) {
	h.Reset()
	k.macs.Put(h)
}

// New returns an HMAC Sealer over ring: the primary key signs, every key
// verifies. Each key's HMAC subkey is derived here, once. New panics if
// ring is nil.
func New(ring *keys.Ring, opts ...crumb.Option) *Sealer {
	if ring == nil || ring.Len() == 0 {
		panic("signed: New needs a ring from keys.NewRing or keys.ParseRing")
	}
	s := &Sealer{byID: make(map[uint32]*hmacKey, ring.Len()), o: sealopt.Resolve(opts)}
	for i, k := range ring.Keys() {
		sub := k.Derive(keys.PurposeHMAC)
		hk := &hmacKey{id: uint32(k.ID()), primary: i == 0}
		hk.macs.New = func() any { return hmac.New(sha256.New, sub) }
		s.byID[hk.id] = hk
		if i == 0 {
			s.prim = hk
		}
	}
	return s
}

// Seal signs payload for the cookie name, valid until expires. The
// value is header || payload || HMAC-SHA256(context || header || payload).
func (s *Sealer) Seal(name string, payload []byte, expires time.Time) (string, error) {
	if err := wire.CheckName(name); err != nil {
		return "", err
	}
	iat, exp, err := wire.SealTimes(s.o.Now(), expires)
	if err != nil {
		return "", err
	}
	ctxLen := wire.ContextLen(LabelHMAC, name)
	rawLen := wire.HeaderLen + len(payload) + tagLen
	raw, err := wire.NewBuffer(rawLen, ctxLen, s.o.MaxValueLen)
	if err != nil {
		return "", err
	}
	raw = raw[:wire.HeaderLen]
	wire.Header{Format: wire.FormatHMAC, KeyID: s.prim.id, NameTag: wire.NameTag(name), IssuedAt: iat, Expires: exp}.Put(raw)
	raw = append(raw, payload...)
	mac := s.prim.get()
	mac.Write(wire.AppendContext(wire.Scratch(raw, rawLen, ctxLen), LabelHMAC, name))
	mac.Write(raw)
	raw = mac.Sum(raw)
	s.prim.put(mac)
	return wire.Encode(raw), nil
}

// Open verifies value for the cookie name in constant time and returns
// its payload.
func (s *Sealer) Open(name, value string) (crumb.Opened, error) {
	if err := wire.CheckName(name); err != nil {
		return crumb.Opened{}, err
	}
	ctxLen := wire.ContextLen(LabelHMAC, name)
	raw, h, err := wire.Decode(value, s.o.MaxValueLen, wire.FormatHMAC, wire.HeaderLen+tagLen, max(ctxLen, tagLen))
	if err != nil {
		return crumb.Opened{}, err
	}
	k, ok := s.byID[h.KeyID]
	if !ok {
		return crumb.Opened{}, wire.Err(crumb.ErrUnknownKey, "no key in the ring has the value's key ID")
	}
	if h.NameTag != wire.NameTag(name) {
		return crumb.Opened{}, wire.Err(crumb.ErrWrongName, "value was sealed for another cookie name")
	}
	body, tag := raw[:len(raw)-tagLen], raw[len(raw)-tagLen:]
	mac := k.get()
	mac.Write(wire.AppendContext(wire.Scratch(raw, len(raw), ctxLen), LabelHMAC, name))
	mac.Write(body)
	want := mac.Sum(wire.Scratch(raw, len(raw), tagLen))
	k.put(mac)
	if !hmac.Equal(want, tag) {
		return crumb.Opened{}, wire.Err(crumb.ErrInvalid, "signature mismatch")
	}
	if err := wire.CheckTimes(h, s.o.Now(), s.o.Skew); err != nil {
		return crumb.Opened{}, err
	}
	return wire.Opened(body[wire.HeaderLen:], h, !k.primary), nil
}

var _ crumb.Sealer = (*Sealer)(nil)
