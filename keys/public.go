package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"strconv"
	"strings"
	"unsafe"
)

// Scheme is a signature algorithm for public-key signed sessions.
// Package keys/ed448 provides Ed448 (safe for TinyGo builds); package
// keys/ed25519 provides Ed25519 for builds that are not bound for TinyGo.
// Neither lives here, so a build that only uses symmetric keys links no
// public-key code.
type Scheme interface {
	// Name is the scheme's name in key text, such as "ed448".
	Name() string
	SeedSize() int
	PublicKeySize() int
	SignatureSize() int
	// NewSigner makes a signer from a private seed of SeedSize bytes.
	NewSigner(seed []byte) (Signer, error)
	// NewVerifier makes a verifier from a public key of PublicKeySize
	// bytes, refusing one that is not a valid point.
	NewVerifier(pub []byte) (Verifier, error)
}

// Signer signs messages with one private key.
type Signer interface {
	Sign(msg []byte) []byte
	PublicKey() []byte
}

// Verifier checks signatures for one public key.
type Verifier interface {
	Verify(msg, sig []byte) bool
}

type publicMaterial struct {
	scheme Scheme
	pub    []byte
	v      Verifier
	id     ID
}

// PublicKey verifies signatures. Public keys are not secret, but they
// still print as their ID only, to keep logs short.
type PublicKey struct{ m *publicMaterial }

type privateMaterial struct {
	seed   []byte
	signer Signer
	public PublicKey
}

// PrivateKey signs. Its seed never appears in formatting or errors: it
// sits behind an unsafe.Pointer for the reason given at Key.
type PrivateKey struct{ p unsafe.Pointer } // *privateMaterial

func (k PrivateKey) m() *privateMaterial { return (*privateMaterial)(k.p) }

// NewPublicKey makes a PublicKey of scheme s from its bytes.
func NewPublicKey(s Scheme, pub []byte) (PublicKey, error) {
	if len(pub) != s.PublicKeySize() {
		return PublicKey{}, errAt(ErrKeySize, s.Name()+" public key must be "+strconv.Itoa(s.PublicKeySize())+" bytes")
	}
	v, err := s.NewVerifier(pub)
	if err != nil {
		return PublicKey{}, err
	}
	p := append([]byte(nil), pub...)
	return PublicKey{&publicMaterial{scheme: s, pub: p, v: v, id: publicID(s, p)}}, nil
}

// NewPrivateKey makes a PrivateKey of scheme s from its seed.
func NewPrivateKey(s Scheme, seed []byte) (PrivateKey, error) {
	if len(seed) != s.SeedSize() {
		return PrivateKey{}, errAt(ErrKeySize, s.Name()+" seed must be "+strconv.Itoa(s.SeedSize())+" bytes")
	}
	if distinct(seed) < 8 {
		return PrivateKey{}, ErrWeakKey
	}
	seed = append([]byte(nil), seed...)
	signer, err := s.NewSigner(seed)
	if err != nil {
		return PrivateKey{}, err
	}
	pub, err := NewPublicKey(s, signer.PublicKey())
	if err != nil {
		return PrivateKey{}, err
	}
	return PrivateKey{unsafe.Pointer(&privateMaterial{seed: seed, signer: signer, public: pub})}, nil
}

// GeneratePrivateKey returns a fresh private key of scheme s, its seed
// read from r (crypto/rand when nil).
func GeneratePrivateKey(s Scheme, r io.Reader) (PrivateKey, error) {
	if r == nil {
		r = randReader()
	}
	seed := make([]byte, s.SeedSize())
	if _, err := io.ReadFull(r, seed); err != nil {
		return PrivateKey{}, errAt(ErrKeySize, "reading randomness failed")
	}
	return NewPrivateKey(s, seed)
}

// publicID hashes the scheme name and public key, so the same public key
// has the same ID in a private ring and in the public ring made from it.
func publicID(s Scheme, pub []byte) ID {
	h := sha256.New()
	h.Write([]byte("crumb/v1/key-id\x00" + s.Name() + "\x00"))
	h.Write(pub)
	return ID(binary.BigEndian.Uint32(h.Sum(nil)))
}

// ID returns the key's ID.
func (k PublicKey) ID() ID { return k.m.id }

// Scheme returns the key's scheme.
func (k PublicKey) Scheme() Scheme { return k.m.scheme }

// Verify reports whether sig is a valid signature of msg.
func (k PublicKey) Verify(msg, sig []byte) bool { return k.m.v.Verify(msg, sig) }

// Export returns the key's text form, "<scheme>-public:<base64url>".
func (k PublicKey) Export() string {
	return k.m.scheme.Name() + "-public:" + b64url.EncodeToString(k.m.pub)
}

// String shows the scheme and ID.
func (k PublicKey) String() string {
	if k.m == nil {
		return "keys.PublicKey(invalid)"
	}
	return "keys.PublicKey(" + k.m.scheme.Name() + " " + k.m.id.String() + ")"
}

// ID returns the ID of the key's public half.
func (k PrivateKey) ID() ID { return k.m().public.ID() }

// Public returns the public half.
func (k PrivateKey) Public() PublicKey { return k.m().public }

// Sign signs msg.
func (k PrivateKey) Sign(msg []byte) []byte { return k.m().signer.Sign(msg) }

// Export returns the key's text form, "<scheme>-private:<base64url seed>".
// Handle the result as a secret.
func (k PrivateKey) Export() string {
	return k.m().public.m.scheme.Name() + "-private:" + b64url.EncodeToString(k.m().seed)
}

// String redacts the key: scheme and ID only.
func (k PrivateKey) String() string {
	if k.m() == nil {
		return "keys.PrivateKey(invalid)"
	}
	return "keys.PrivateKey(" + k.m().public.m.scheme.Name() + " " + k.ID().String() + ", redacted)"
}

// GoString redacts the key for %#v.
func (k PrivateKey) GoString() string { return k.String() }

// PublicRing is an ordered list of public keys of one scheme: it opens
// (verifies) values but can never seal them.
type PublicRing struct {
	scheme Scheme
	keys   []PublicKey
	byID   map[ID]int
}

// NewPublicRing returns a ring of public keys, all of one scheme.
func NewPublicRing(ks ...PublicKey) (*PublicRing, error) {
	if len(ks) == 0 {
		return nil, ErrEmptyRing
	}
	for i, k := range ks {
		if k.m == nil {
			return nil, errAt(ErrKeySize, "key "+strconv.Itoa(i+1)+" is the zero PublicKey")
		}
	}
	r := &PublicRing{scheme: ks[0].Scheme(), byID: make(map[ID]int, len(ks))}
	for i, k := range ks {
		if k.Scheme().Name() != r.scheme.Name() {
			return nil, errAt(ErrScheme, "key "+strconv.Itoa(i+1)+" mixes schemes in one ring")
		}
		if _, dup := r.byID[k.ID()]; dup {
			return nil, errAt(ErrDuplicateKey, "key "+strconv.Itoa(i+1))
		}
		r.byID[k.ID()] = i
		r.keys = append(r.keys, k)
	}
	return r, nil
}

// ParsePublicRing reads "<scheme>-public:<base64>" entries separated by
// commas, with an optional NAME= prefix, as ParseRing does.
func ParsePublicRing(s Scheme, text string) (*PublicRing, error) {
	fields, err := splitRing(text)
	if err != nil {
		return nil, err
	}
	ks := make([]PublicKey, 0, len(fields))
	for i, f := range fields {
		b, err := decodeTagged(s, "public", f)
		if err != nil {
			return nil, errAt(err, "key "+strconv.Itoa(i+1))
		}
		k, err := NewPublicKey(s, b)
		if err != nil {
			return nil, errAt(err, "key "+strconv.Itoa(i+1))
		}
		ks = append(ks, k)
	}
	return NewPublicRing(ks...)
}

func decodeTagged(s Scheme, kind, f string) ([]byte, error) {
	prefix := s.Name() + "-" + kind + ":"
	if !strings.HasPrefix(f, prefix) {
		return nil, ErrScheme
	}
	return decodeKeyText(f[len(prefix):])
}

// Scheme returns the ring's scheme.
func (r *PublicRing) Scheme() Scheme { return r.scheme }

// Primary returns the first key.
func (r *PublicRing) Primary() PublicKey { return r.keys[0] }

// Lookup returns the key with the given ID and whether it is the first.
func (r *PublicRing) Lookup(id ID) (k PublicKey, primary, ok bool) {
	i, ok := r.byID[id]
	if !ok {
		return PublicKey{}, false, false
	}
	return r.keys[i], i == 0, true
}

// Len returns the number of keys.
func (r *PublicRing) Len() int { return len(r.keys) }

// Keys returns the keys, first (primary) first. The slice is a copy.
func (r *PublicRing) Keys() []PublicKey { return append([]PublicKey(nil), r.keys...) }

// Export returns the ring's text form.
func (r *PublicRing) Export() string {
	parts := make([]string, len(r.keys))
	for i, k := range r.keys {
		parts[i] = k.Export()
	}
	return strings.Join(parts, ",")
}

// String lists the scheme and key IDs.
func (r *PublicRing) String() string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.ID().String()
	}
	return "keys.PublicRing[" + r.scheme.Name() + " " + strings.Join(ids, " ") + "]"
}

// PrivateRing is an ordered list of private keys of one scheme: the first
// signs, and every key's public half verifies.
type PrivateRing struct {
	keys   []PrivateKey
	public *PublicRing
}

// NewPrivateRing returns a ring of private keys, all of one scheme.
func NewPrivateRing(ks ...PrivateKey) (*PrivateRing, error) {
	pubs := make([]PublicKey, len(ks))
	for i, k := range ks {
		if k.m() == nil {
			return nil, errAt(ErrKeySize, "key "+strconv.Itoa(i+1)+" is the zero PrivateKey")
		}
		pubs[i] = k.Public()
	}
	pr, err := NewPublicRing(pubs...)
	if err != nil {
		return nil, err
	}
	return &PrivateRing{keys: append([]PrivateKey(nil), ks...), public: pr}, nil
}

// ParsePrivateRing reads "<scheme>-private:<base64 seed>" entries
// separated by commas, with an optional NAME= prefix.
func ParsePrivateRing(s Scheme, text string) (*PrivateRing, error) {
	fields, err := splitRing(text)
	if err != nil {
		return nil, err
	}
	ks := make([]PrivateKey, 0, len(fields))
	for i, f := range fields {
		b, err := decodeTagged(s, "private", f)
		if err != nil {
			return nil, errAt(err, "key "+strconv.Itoa(i+1))
		}
		k, err := NewPrivateKey(s, b)
		if err != nil {
			return nil, errAt(err, "key "+strconv.Itoa(i+1))
		}
		ks = append(ks, k)
	}
	return NewPrivateRing(ks...)
}

// Scheme returns the ring's scheme.
func (r *PrivateRing) Scheme() Scheme { return r.public.scheme }

// Primary returns the key that signs.
func (r *PrivateRing) Primary() PrivateKey { return r.keys[0] }

// Public returns the ring of the public halves, in the same order: give
// it to services that must verify but never mint sessions.
func (r *PrivateRing) Public() *PublicRing { return r.public }

// Len returns the number of keys.
func (r *PrivateRing) Len() int { return len(r.keys) }

// Keys returns the keys, primary first. The slice is a copy.
func (r *PrivateRing) Keys() []PrivateKey { return append([]PrivateKey(nil), r.keys...) }

// Rotate returns a new ring with k as the primary, followed by at most
// keep keys of r. keep < 0 keeps them all.
func (r *PrivateRing) Rotate(k PrivateKey, keep int) (*PrivateRing, error) {
	old := r.keys
	if keep >= 0 && keep < len(old) {
		old = old[:keep]
	}
	return NewPrivateRing(append([]PrivateKey{k}, old...)...)
}

// Export returns the ring's text form. Handle the result as a secret.
func (r *PrivateRing) Export() string {
	parts := make([]string, len(r.keys))
	for i, k := range r.keys {
		parts[i] = k.Export()
	}
	return strings.Join(parts, ",")
}

// String redacts the ring: scheme and key IDs only.
func (r *PrivateRing) String() string {
	return "keys.PrivateRing" + strings.TrimPrefix(r.public.String(), "keys.PublicRing")
}

// GoString redacts the ring for %#v.
func (r *PrivateRing) GoString() string { return r.String() }

func randReader() io.Reader { return rand.Reader }
