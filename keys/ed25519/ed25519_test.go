package ed25519_test

import (
	std "crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed25519"
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
	if _, err := keys.ParsePublicRing(keys.Ed448(), pr.Public().Export()); !errors.Is(err, keys.ErrScheme) {
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
