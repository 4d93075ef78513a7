package ed25519

import (
	std "crypto/ed25519"
	"errors"

	"github.com/crumbkit/crumb/keys"
)

// Scheme returns the Ed25519 scheme, for keys.GeneratePrivateKey,
// keys.ParsePrivateRing and keys.ParsePublicRing.
func Scheme() keys.Scheme { return scheme{} }

type scheme struct{}

func (scheme) Name() string       { return "ed25519" }
func (scheme) SeedSize() int      { return std.SeedSize }
func (scheme) PublicKeySize() int { return std.PublicKeySize }
func (scheme) SignatureSize() int { return std.SignatureSize }

func (scheme) NewSigner(seed []byte) (keys.Signer, error) {
	return signer{std.NewKeyFromSeed(seed)}, nil
}

func (scheme) NewVerifier(pub []byte) (keys.Verifier, error) {
	if len(pub) != std.PublicKeySize {
		return nil, errors.New("ed25519: public key must be 32 bytes")
	}
	if err := checkOrder(pub); err != nil {
		return nil, err
	}
	return verifier(append([]byte(nil), pub...)), nil
}

type signer struct{ k std.PrivateKey }

func (s signer) Sign(msg []byte) []byte { return std.Sign(s.k, msg) }
func (s signer) PublicKey() []byte      { return []byte(s.k.Public().(std.PublicKey)) }

type verifier []byte

func (v verifier) Verify(msg, sig []byte) bool { return std.Verify(std.PublicKey(v), msg, sig) }
