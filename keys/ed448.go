package keys

import (
	"crypto/rand"
	"errors"
	"io"

	"github.com/cloudflare/circl/ecc/goldilocks"
	"github.com/cloudflare/circl/sign/ed448"
)

// Ed448 returns the Ed448 signature scheme (RFC 8032), through
// github.com/cloudflare/circl. Unlike Ed25519 it is safe for TinyGo
// builds, which cannot import crypto/ed25519, so it is the scheme an
// edge worker can verify with. Signatures are 114 bytes.
func Ed448() Scheme { return ed448Scheme{} }

type ed448Scheme struct{}

func (ed448Scheme) Name() string       { return "ed448" }
func (ed448Scheme) SeedSize() int      { return ed448.SeedSize }
func (ed448Scheme) PublicKeySize() int { return ed448.PublicKeySize }
func (ed448Scheme) SignatureSize() int { return ed448.SignatureSize }

func (ed448Scheme) NewSigner(seed []byte) (Signer, error) {
	return ed448Signer{ed448.NewKeyFromSeed(seed)}, nil
}

func (ed448Scheme) NewVerifier(pub []byte) (Verifier, error) {
	if len(pub) != ed448.PublicKeySize {
		return nil, errors.New("keys: not an ed448 public key")
	}
	// A key of small order (the identity, or a point of order 2 or 4)
	// makes some signatures verify for every message: with A = identity,
	// R = identity and S = 0, the verification equation holds whatever
	// was signed. Refuse such keys, and encodings circl would not
	// produce, before they reach a ring.
	p, err := goldilocks.FromBytes(pub)
	if err != nil {
		return nil, errors.New("keys: ed448 public key is not a point on the curve")
	}
	var canon [ed448.PublicKeySize]byte
	if err := p.ToBytes(canon[:]); err != nil || string(canon[:]) != string(pub) {
		return nil, errors.New("keys: ed448 public key is not canonically encoded")
	}
	p.Double()
	p.Double() // 4P: the identity exactly when P's order divides the cofactor
	if p.IsIdentity() {
		return nil, errors.New("keys: ed448 public key has small order")
	}
	return ed448Verifier(append([]byte(nil), pub...)), nil
}

type ed448Signer struct{ k ed448.PrivateKey }

// Sign uses an empty Ed448 context string: crumb binds its own context
// (purpose label and cookie name) into the signed message.
func (s ed448Signer) Sign(msg []byte) []byte { return ed448.Sign(s.k, msg, "") }
func (s ed448Signer) PublicKey() []byte {
	return []byte(s.k.Public().(ed448.PublicKey))
}

type ed448Verifier []byte

func (v ed448Verifier) Verify(msg, sig []byte) bool {
	return ed448.Verify(ed448.PublicKey(v), msg, sig, "")
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func randReader() io.Reader { return rand.Reader }
