package keys

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"unsafe"

	"golang.org/x/crypto/hkdf"
)

// KeySize is the size of a symmetric key in bytes.
const KeySize = 32

// Errors returned, wrapped, by this package. None of them ever holds key
// material; where it helps, the message gives the position of the bad
// entry in a ring's text.
var (
	ErrKeySize      = errors.New("keys: a key must be exactly 32 bytes")
	ErrWeakKey      = errors.New("keys: key has too little variety to be random")
	ErrEmptyRing    = errors.New("keys: ring has no keys")
	ErrDuplicateKey = errors.New("keys: duplicate key in ring")
	ErrNotBase64    = errors.New("keys: key text is not base64")
	ErrScheme       = errors.New("keys: key is for another scheme")
)

// ID identifies a key inside a ring. Sealed values carry it so Open can
// find the key with a map lookup.
type ID uint32

// String returns the ID as 8 hex digits.
func (id ID) String() string {
	s := strconv.FormatUint(uint64(id), 16)
	for len(s) < 8 {
		s = "0" + s
	}
	return s
}

// material sits behind an unsafe.Pointer so that fmt's reflection can
// only ever print an address. A typed pointer is not enough: fmt
// dereferences a pointer it meets under a verb it cannot apply (%s or %q
// on a struct that holds a Key in an unexported field), and would print
// the bytes.
type material struct {
	b  [KeySize]byte
	id ID
}

// Key is a 32-byte symmetric key. The zero Key is not valid; get keys
// from Generate, NewKey or ParseRing.
type Key struct{ p unsafe.Pointer } // *material

func (k Key) m() *material { return (*material)(k.p) }

// NewKey makes a Key from 32 bytes of key material, which it copies. It
// refuses the wrong size and material that is obviously not random
// (fewer than 8 distinct byte values, such as all zeros).
func NewKey(b []byte) (Key, error) {
	if len(b) != KeySize {
		return Key{}, errAt(ErrKeySize, "got "+strconv.Itoa(len(b))+" bytes")
	}
	if distinct(b) < 8 {
		return Key{}, ErrWeakKey
	}
	m := &material{}
	copy(m.b[:], b)
	m.id = symmetricID(m.b[:])
	return Key{unsafe.Pointer(m)}, nil
}

// Generate returns a fresh key read from r, or from crypto/rand when r is
// nil.
func Generate(r io.Reader) (Key, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [KeySize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return Key{}, errors.New("keys: reading randomness failed")
	}
	return NewKey(b[:])
}

func distinct(b []byte) int {
	var seen [256]bool
	n := 0
	for _, c := range b {
		if !seen[c] {
			seen[c] = true
			n++
		}
	}
	return n
}

// symmetricID is the first 4 bytes of HMAC-SHA256(key, label): a PRF
// output, so the ID reveals nothing about the key.
func symmetricID(k []byte) ID {
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte("crumb/v1/key-id"))
	return ID(binary.BigEndian.Uint32(mac.Sum(nil)))
}

// ID returns the key's ID.
func (k Key) ID() ID {
	if k.m() == nil {
		return 0
	}
	return k.m().id
}

// Valid reports whether k holds key material.
func (k Key) Valid() bool { return k.m() != nil }

// Equal reports whether two keys hold the same material, in constant
// time.
func (k Key) Equal(o Key) bool {
	if k.m() == nil || o.m() == nil {
		return k.m() == o.m()
	}
	return subtle.ConstantTimeCompare(k.m().b[:], o.m().b[:]) == 1
}

// Purpose labels for Derive. Each crumb component derives its own
// subkey, so a ring shared between components never reuses a key for
// two algorithms.
const (
	PurposeHMAC   = "crumb/v1/signed/hmac-sha256"
	PurposeAESGCM = "crumb/v1/encrypted/aes-256-gcm"
	PurposeKVID   = "crumb/v1/kvstore/session-id"
)

// Derive returns a 32-byte subkey for purpose, with HKDF-SHA256 (RFC
// 5869) keyed by k, no salt, and purpose as the info. Different purposes
// give independent subkeys.
func (k Key) Derive(purpose string) []byte {
	if k.m() == nil {
		panic("keys: Derive on the zero Key")
	}
	out := make([]byte, KeySize)
	if _, err := io.ReadFull(hkdf.New(sha256.New, k.m().b[:], nil, []byte(purpose)), out); err != nil {
		panic("keys: hkdf: " + err.Error()) // cannot happen for 32 bytes
	}
	return out
}

// Export returns the key as unpadded base64url text. It is the only way
// to get key material out of a Key; handle the result as a secret.
func (k Key) Export() string {
	if k.m() == nil {
		return ""
	}
	return b64url.EncodeToString(k.m().b[:])
}

// String redacts the key: it shows only the ID.
func (k Key) String() string {
	if k.m() == nil {
		return "keys.Key(invalid)"
	}
	return "keys.Key(" + k.m().id.String() + ", redacted)"
}

// GoString redacts the key for %#v.
func (k Key) GoString() string { return k.String() }
