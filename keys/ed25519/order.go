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
// so are any non-canonical y >= p, x = 0 with the sign bit set, and a y
// that is not on the curve.
func checkOrder(pub []byte) error {
	var le [32]byte
	copy(le[:], pub)
	le[31] &= 0x7f // the top bit is the sign of x, not part of y
	y := new(big.Int).SetBytes(reversed(le[:]))
	if y.Cmp(p) >= 0 {
		return errors.New("ed25519: public key is not canonically encoded")
	}
	one := big.NewInt(1)
	// On the curve -x^2 + y^2 = 1 + d x^2 y^2 exactly when
	// x^2 = (y^2 - 1) / (d y^2 + 1) has a square root. A y without one
	// is not a point at all; X25519 below would accept its u, which then
	// lies on the twist.
	y2 := new(big.Int).Mul(y, y)
	num := new(big.Int).Sub(y2, one)
	num.Mod(num, p)
	den0 := new(big.Int).Mul(d, y2)
	den0.Add(den0, one)
	den0.Mod(den0, p)
	x2 := new(big.Int).Mul(num, den0.ModInverse(den0, p))
	x2.Mod(x2, p)
	if x2.Sign() == 0 {
		if pub[31]&0x80 != 0 {
			// x = 0 has no negative: the sign bit makes a second
			// spelling of the same point.
			return errors.New("ed25519: public key is not canonically encoded")
		}
	} else if new(big.Int).ModSqrt(x2, p) == nil {
		return errNotOnCurve
	}
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

var (
	errSmallOrder = errors.New("ed25519: public key has small order")
	errNotOnCurve = errors.New("ed25519: public key is not a point on the curve")
)

// d is the curve constant -121665/121666 mod p.
var d = func() *big.Int {
	n := new(big.Int).Sub(p, big.NewInt(121665))
	inv := new(big.Int).ModInverse(big.NewInt(121666), p)
	return n.Mul(n, inv).Mod(n, p)
}()

func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i, c := range b {
		r[len(b)-1-i] = c
	}
	return r
}
