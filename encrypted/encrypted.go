package encrypted

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"io"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/sealopt"
	"github.com/crumbkit/crumb/internal/wire"
	"github.com/crumbkit/crumb/keys"
)

// Label is the purpose label bound into every value's associated data.
const Label = "crumb/v1/encrypted/aes-256-gcm"

const (
	saltLen  = 12
	nonceLen = 12
	tagLen   = 16
	bodyOff  = wire.HeaderLen + saltLen + nonceLen
	minLen   = bodyOff + tagLen
	workLen  = 64 // derivation scratch, see aead
)

// Sealer seals payloads with AES-256-GCM under a per-value subkey. It is
// safe for concurrent use.
type Sealer struct {
	byID map[uint32]*entry
	prim *entry
	o    sealopt.Options
}

type entry struct {
	id      uint32
	primary bool
	// kdk is AES-256 keyed with the ring key's AES-GCM subkey; it only
	// ever encrypts derivation blocks, never data.
	kdk cipher.Block
}

// New returns a Sealer over ring: the primary key seals and every key
// opens. Per-key work (HKDF and the AES key schedule) happens here, once,
// so sealing and opening never run a KDF. New panics if ring is nil.
func New(ring *keys.Ring, opts ...crumb.Option) *Sealer {
	if ring == nil || ring.Len() == 0 {
		panic("encrypted: New needs a ring from keys.NewRing or keys.ParseRing")
	}
	s := &Sealer{byID: make(map[uint32]*entry, ring.Len()), o: sealopt.Resolve(opts)}
	for i, k := range ring.Keys() {
		b, err := aes.NewCipher(k.Derive(keys.PurposeAESGCM))
		if err != nil {
			panic("encrypted: " + err.Error()) // 32-byte keys cannot fail
		}
		e := &entry{id: uint32(k.ID()), primary: i == 0, kdk: b}
		s.byID[e.id] = e
		if i == 0 {
			s.prim = e
		}
	}
	return s
}

// aead derives the value's own AES-256-GCM key from its 12-byte salt:
// the first 8 bytes of AES(kdk, salt || counter) for counters 1 to 4,
// as AES-GCM-SIV derives its keys (RFC 8452, section 4). Truncating each
// block makes the derivation a PRF rather than a permutation.
//
// work is 64 bytes of scratch space from the value's own buffer: blocks
// passed to cipher.Block's interface methods escape, and stack arrays
// would cost two allocations per value.
func (e *entry) aead(salt, work []byte) cipher.AEAD {
	in, out, sub := work[0:16], work[16:32], work[32:64]
	copy(in[:saltLen], salt)
	for i := 0; i < 4; i++ {
		binary.BigEndian.PutUint32(in[saltLen:], uint32(i+1))
		e.kdk.Encrypt(out, in)
		copy(sub[i*8:], out[:8])
	}
	b, err := aes.NewCipher(sub)
	clear(work)
	if err != nil {
		panic("encrypted: " + err.Error())
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic("encrypted: " + err.Error())
	}
	return g
}

// Seal encrypts payload for the cookie name, valid until expires.
func (s *Sealer) Seal(name string, payload []byte, expires time.Time) (string, error) {
	if err := wire.CheckName(name); err != nil {
		return "", err
	}
	iat, exp, err := wire.SealTimes(s.o.Now(), expires)
	if err != nil {
		return "", err
	}
	rawLen := bodyOff + len(payload) + tagLen
	ctxLen := wire.ContextLen(Label, name) + wire.HeaderLen
	raw, err := wire.NewBuffer(rawLen, ctxLen+workLen, s.o.MaxValueLen)
	if err != nil {
		return "", err
	}
	raw = raw[:bodyOff]
	wire.Header{Format: wire.FormatAESGCM, KeyID: s.prim.id, NameTag: wire.NameTag(name), IssuedAt: iat, Expires: exp}.Put(raw)
	if _, err := io.ReadFull(s.o.Rand, raw[wire.HeaderLen:bodyOff]); err != nil {
		return "", errRandom
	}
	ad := append(wire.AppendContext(wire.Scratch(raw, rawLen, ctxLen), Label, name), raw[:wire.HeaderLen]...)
	g := s.prim.aead(raw[wire.HeaderLen:wire.HeaderLen+saltLen], wire.Scratch(raw, rawLen+ctxLen, workLen)[:workLen])
	// Seal appends the ciphertext after the header and nonce; the
	// context sits past rawLen, so it is read before Encode reuses it.
	raw = g.Seal(raw, raw[wire.HeaderLen+saltLen:bodyOff], payload, ad)
	return wire.Encode(raw), nil
}

// Open authenticates and decrypts value for the cookie name. The
// returned Payload aliases memory owned by the result alone.
func (s *Sealer) Open(name, value string) (crumb.Opened, error) {
	if err := wire.CheckName(name); err != nil {
		return crumb.Opened{}, err
	}
	ctxLen := wire.ContextLen(Label, name) + wire.HeaderLen
	raw, h, err := wire.Decode(value, s.o.MaxValueLen, wire.FormatAESGCM, minLen, ctxLen+workLen)
	if err != nil {
		return crumb.Opened{}, err
	}
	e, ok := s.byID[h.KeyID]
	if !ok {
		return crumb.Opened{}, wire.Err(crumb.ErrUnknownKey, "no key in the ring has the value's key ID")
	}
	if h.NameTag != wire.NameTag(name) {
		return crumb.Opened{}, wire.Err(crumb.ErrWrongName, "value was sealed for another cookie name")
	}
	ad := append(wire.AppendContext(wire.Scratch(raw, len(raw), ctxLen), Label, name), raw[:wire.HeaderLen]...)
	g := e.aead(raw[wire.HeaderLen:wire.HeaderLen+saltLen], wire.Scratch(raw, len(raw)+ctxLen, workLen)[:workLen])
	pt, err := g.Open(raw[bodyOff:bodyOff], raw[wire.HeaderLen+saltLen:bodyOff], raw[bodyOff:], ad)
	if err != nil {
		return crumb.Opened{}, wire.Err(crumb.ErrInvalid, "authentication failed")
	}
	if err := wire.CheckTimes(h, s.o.Now(), s.o.Skew); err != nil {
		return crumb.Opened{}, err
	}
	return wire.Opened(pt, h, !e.primary), nil
}

// errRandom is not one of crumb's sentinels on purpose: a broken
// randomness source is a fault of the machine, not of any value.
var errRandom = errors.New("encrypted: reading randomness for the nonce failed")

var _ crumb.Sealer = (*Sealer)(nil)
