package ed448

import (
	"errors"

	"github.com/cloudflare/circl/ecc/goldilocks"
	circl "github.com/cloudflare/circl/sign/ed448"

	"github.com/crumbkit/crumb/keys"
)

// Scheme returns the Ed448 scheme, for keys.GeneratePrivateKey,
// keys.ParsePrivateRing and keys.ParsePublicRing.
func Scheme() keys.Scheme { return scheme{} }

type scheme struct{}

func (scheme) Name() string       { return "ed448" }
func (scheme) SeedSize() int      { return circl.SeedSize }
func (scheme) PublicKeySize() int { return circl.PublicKeySize }
func (scheme) SignatureSize() int { return circl.SignatureSize }

func (scheme) NewSigner(seed []byte) (keys.Signer, error) {
	return signer{circl.NewKeyFromSeed(seed)}, nil
}

func (scheme) NewVerifier(pub []byte) (keys.Verifier, error) {
	if len(pub) != circl.PublicKeySize {
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
	var canon [circl.PublicKeySize]byte
	if err := p.ToBytes(canon[:]); err != nil || string(canon[:]) != string(pub) {
		return nil, errors.New("keys: ed448 public key is not canonically encoded")
	}
	p.Double()
	p.Double() // 4P: the identity exactly when P's order divides the cofactor
	if p.IsIdentity() {
		return nil, errors.New("keys: ed448 public key has small order")
	}
	return verifier(append([]byte(nil), pub...)), nil
}

type signer struct{ k circl.PrivateKey }

// Sign uses an empty Ed448 context string: crumb binds its own context
// (purpose label and cookie name) into the signed message.
func (s signer) Sign(msg []byte) []byte { return circl.Sign(s.k, msg, "") }
func (s signer) PublicKey() []byte {
	return []byte(s.k.Public().(circl.PublicKey))
}

type verifier []byte

func (v verifier) Verify(msg, sig []byte) bool {
	return circl.Verify(circl.PublicKey(v), msg, sig, "")
}
