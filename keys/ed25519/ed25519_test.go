package ed25519_test

import (
	std "crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed25519"
	"github.com/crumbkit/crumb/keys/ed448"
)

func seed(i byte) []byte {
	s := sha256.Sum256([]byte{'e', 'd', i})
	return s[:]
}

func TestScheme(t *testing.T) {
	s := ed25519.Scheme()
	if s.Name() != "ed25519" || s.SeedSize() != 32 || s.PublicKeySize() != 32 || s.SignatureSize() != 64 {
		t.Fatalf("sizes: %s %d %d %d", s.Name(), s.SeedSize(), s.PublicKeySize(), s.SignatureSize())
	}
	k, err := keys.NewPrivateKey(s, seed(1))
	if err != nil {
		t.Fatal(err)
	}
	// The key is the standard library's key for that seed.
	stdKey := std.NewKeyFromSeed(seed(1))
	msg := []byte("crumb")
	sig := k.Sign(msg)
	if string(sig) != string(std.Sign(stdKey, msg)) {
		t.Error("signature differs from crypto/ed25519")
	}
	if !std.Verify(stdKey.Public().(std.PublicKey), msg, sig) || !k.Public().Verify(msg, sig) {
		t.Error("signature does not verify")
	}
	sig[0] ^= 1
	if k.Public().Verify(msg, sig) {
		t.Error("tampered signature verifies")
	}
	if _, err := s.NewVerifier(make([]byte, 31)); err == nil {
		t.Error("31-byte public key accepted")
	}
	if _, err := keys.NewPublicKey(s, make([]byte, 31)); !errors.Is(err, keys.ErrKeySize) {
		t.Errorf("NewPublicKey(31 bytes): %v", err)
	}
}

func TestRings(t *testing.T) {
	s := ed25519.Scheme()
	a, _ := keys.NewPrivateKey(s, seed(1))
	b, _ := keys.NewPrivateKey(s, seed(2))
	pr, err := keys.NewPrivateRing(a, b)
	if err != nil {
		t.Fatal(err)
	}
	text := pr.Export()
	if !strings.HasPrefix(text, "ed25519-private:") {
		t.Errorf("Export = %.20s...", text)
	}
	back, err := keys.ParsePrivateRing(s, text)
	if err != nil || back.String() != pr.String() {
		t.Fatalf("round trip: %v %v", back, err)
	}
	pub, err := keys.ParsePublicRing(s, pr.Public().Export())
	if err != nil || pub.Primary().ID() != a.ID() {
		t.Fatalf("public ring: %v %v", pub, err)
	}
	// An Ed25519 ring does not parse as Ed448, and vice versa.
	if _, err := keys.ParsePublicRing(ed448.Scheme(), pr.Public().Export()); !errors.Is(err, keys.ErrScheme) {
		t.Errorf("ed25519 text as ed448: %v", err)
	}
	for _, verb := range []string{"%v", "%s", "%x", "%d", "%#v"} {
		out := fmt.Sprintf(verb, []any{a, pr, *pr})
		if strings.Contains(out, fmt.Sprintf("%x", seed(1))[:16]) || strings.Contains(out, strings.TrimPrefix(a.Export(), "ed25519-private:")[:16]) {
			t.Errorf("%s prints the seed", verb)
		}
	}
}

func ExampleScheme() {
	// Ed25519 for services not built with TinyGo: 64-byte signatures.
	k, err := keys.GeneratePrivateKey(ed25519.Scheme(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ring, _ := keys.NewPrivateRing(k)
	fmt.Println(ring.Scheme().Name(), ring.Scheme().SignatureSize())
	fmt.Println(strings.HasPrefix(ring.Public().Export(), "ed25519-public:"))
	// Output:
	// ed25519 64
	// true
}

// TestSmallOrderKeysRefused: with a public key of small order,
// crypto/ed25519's cofactorless check accepts R = identity, S = 0 for
// every message. The scheme must refuse such keys, while real keys
// (including ones whose encoding has the x sign bit set) pass.
func TestSmallOrderKeysRefused(t *testing.T) {
	le := func(hexBE string) []byte { // the field element, little-endian
		b, err := hex.DecodeString(hexBE)
		if err != nil {
			t.Fatal(err)
		}
		for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
		return b
	}
	identity := make([]byte, 32)
	identity[0] = 1
	cases := map[string][]byte{
		"identity (y=1)":             identity,
		"order 2 (y=p-1)":            le("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec"),
		"order 4 (y=0)":              make([]byte, 32),
		"order 4, sign bit set":      append(make([]byte, 31), 0x80),
		"non-canonical y=p+1":        le("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffee"),
		"order 8 (libsodium list 1)": mustHex(t, "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
		"order 8 (libsodium list 2)": mustHex(t, "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
	}
	for name, pub := range cases {
		if _, err := ed25519.Scheme().NewVerifier(pub); err == nil {
			t.Errorf("%s: NewVerifier accepted a small-order key", name)
		}
		if _, err := keys.NewPublicKey(ed25519.Scheme(), pub); err == nil {
			t.Errorf("%s: NewPublicKey accepted a small-order key", name)
		}
	}
	// The forgery the check prevents, shown against the standard library.
	sig := append(append([]byte(nil), identity...), make([]byte, 32)...)
	if !std.Verify(std.PublicKey(identity), []byte("any message"), sig) {
		t.Log("crypto/ed25519 no longer accepts the identity forgery; the check is still right to refuse it")
	}
	for i := 0; i < 64; i++ {
		pub := std.NewKeyFromSeed(seed(byte(i))).Public().(std.PublicKey)
		if _, err := ed25519.Scheme().NewVerifier(pub); err != nil {
			t.Fatalf("the public key of seed %d was refused: %v", i, err)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOffCurveKeysRefused: a 32-byte string whose y has no x on the
// curve is not a public key, and keys.Scheme's contract says
// NewVerifier refuses it. X25519 alone accepts the matching u (it lies
// on the twist), so the check must be made on the Edwards curve.
func TestOffCurveKeysRefused(t *testing.T) {
	// y = 2 and y = 7 have no x on edwards25519; both have sign bit 0
	// and both encodings are canonical.
	for _, y := range []byte{2, 7} {
		pub := make([]byte, 32)
		pub[0] = y
		if _, err := ed25519.Scheme().NewVerifier(pub); err == nil || !strings.Contains(err.Error(), "not a point on the curve") {
			t.Errorf("y = %d: NewVerifier err = %v, want not a point on the curve", y, err)
		}
		if _, err := keys.ParsePublicRing(ed25519.Scheme(), "ed25519-public:"+base64.RawURLEncoding.EncodeToString(pub)); err == nil {
			t.Errorf("y = %d: ParsePublicRing accepted an off-curve key", y)
		}
	}
	// The identity with the sign bit set: x = 0 spelled as negative.
	pub := make([]byte, 32)
	pub[0], pub[31] = 1, 0x80
	if _, err := ed25519.Scheme().NewVerifier(pub); err == nil {
		t.Error("identity with the sign bit set accepted")
	}
	// Real keys still pass.
	for i := byte(1); i < 20; i++ {
		k, _ := keys.NewPrivateKey(ed25519.Scheme(), seed(i))
		if _, err := keys.ParsePublicRing(ed25519.Scheme(), k.Public().Export()); err != nil {
			t.Errorf("key %d refused: %v", i, err)
		}
	}
}
