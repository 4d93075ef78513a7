package ed25519

import (
	"crypto/ecdh"
	"errors"
	"math/big"
)

// p is the field prime 2^255 - 19.
var p = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// checkOrder refuses a public key of small order. crypto/ed25519
// verifies cofactorless, so with A of small order (the identity, say),
// R = the identity and S = 0 a signature verifies for every message.
//
// No exported Edwards arithmetic is at hand, so the check goes through
// X25519: the Montgomery u = (1+y)/(1-y) of the key's point is fed to
// an X25519 exchange with a fixed scalar. X25519 clamps scalars to
// multiples of the cofactor 8, so the result is the all-zero value,
// which crypto/ecdh reports as an error, exactly when the point's order
// divides 8. y = 1 (the identity) has no u and is refused directly, and
// so is any non-canonical y >= p.
func checkOrder(pub []byte) error {
	var le [32]byte
	copy(le[:], pub)
	le[31] &= 0x7f // the top bit is the sign of x, not part of y
	y := new(big.Int).SetBytes(reversed(le[:]))
	if y.Cmp(p) >= 0 {
		return errors.New("ed25519: public key is not canonically encoded")
	}
	one := big.NewInt(1)
	den := new(big.Int).Sub(one, y)
	den.Mod(den, p)
	if den.Sign() == 0 {
		return errSmallOrder
	}
	u := new(big.Int).Add(one, y)
	u.Mul(u, den.ModInverse(den, p))
	u.Mod(u, p)
	var ub [32]byte
	u.FillBytes(ub[:])
	peer, err := ecdh.X25519().NewPublicKey(reversed(ub[:]))
	if err != nil {
		return errSmallOrder
	}
	scalar := [32]byte{1, 2, 3, 4, 5, 6, 7, 8, 9} // any scalar will do: clamping makes it a multiple of 8
	priv, err := ecdh.X25519().NewPrivateKey(scalar[:])
	if err != nil {
		return err
	}
	if _, err := priv.ECDH(peer); err != nil {
		return errSmallOrder
	}
	return nil
}

var errSmallOrder = errors.New("ed25519: public key has small order")

func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i, c := range b {
		r[len(b)-1-i] = c
	}
	return r
}
