package ed448_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
)

func ExampleScheme() {
	// At the origin: a private ring signs. GeneratePrivateKey reads
	// crypto/rand.
	k, err := keys.GeneratePrivateKey(ed448.Scheme(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	private, _ := keys.NewPrivateRing(k)
	value, _ := signed.NewPublic(private).Seal("session", []byte("alice"), time.Now().Add(time.Hour))

	// At the edge: only the public ring's text. It verifies sessions
	// but can never mint one.
	public, err := keys.ParsePublicRing(ed448.Scheme(), private.Public().Export())
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := signed.NewVerifier(public).Open("session", value)
	fmt.Println(string(o.Payload), err)
	// Output:
	// alice <nil>
}

func TestScheme(t *testing.T) {
	s := ed448.Scheme()
	if s.Name() != "ed448" || s.SeedSize() != 57 || s.PublicKeySize() != 57 || s.SignatureSize() != 114 {
		t.Fatalf("sizes: %s %d %d %d", s.Name(), s.SeedSize(), s.PublicKeySize(), s.SignatureSize())
	}
	signer, err := s.NewSigner(bytes.Repeat([]byte{7}, 57))
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("crumb")
	sig := signer.Sign(msg)
	if len(sig) != s.SignatureSize() {
		t.Fatalf("signature of %d bytes", len(sig))
	}
	v, err := s.NewVerifier(signer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if !v.Verify(msg, sig) {
		t.Fatal("a good signature does not verify")
	}
	for i := range len(sig) * 8 {
		bad := bytes.Clone(sig)
		bad[i/8] ^= 1 << (i % 8)
		if v.Verify(msg, bad) {
			t.Fatalf("a signature with bit %d flipped verifies", i)
		}
	}
	if v.Verify([]byte("crumc"), sig) {
		t.Fatal("a signature verifies another message")
	}
}

// TestNewVerifierRefuses: keys that are the wrong size, not on the
// curve, not canonically encoded or of small order never make a
// verifier, and the error names no key bytes.
func TestNewVerifierRefuses(t *testing.T) {
	s := ed448.Scheme()
	good, _ := s.NewSigner(bytes.Repeat([]byte{9}, 57))
	identity := make([]byte, 57)
	identity[0] = 1 // (0, 1), encoded as y = 1 with x's sign bit clear
	notOnCurve := bytes.Repeat([]byte{0xff}, 57)
	notOnCurve[56] = 0
	for _, tc := range []struct {
		name string
		pub  []byte
	}{
		{"short", good.PublicKey()[:56]},
		{"long", append(good.PublicKey(), 0)},
		{"identity (small order)", identity},
		{"not on the curve", notOnCurve},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.NewVerifier(tc.pub)
			if err == nil {
				t.Fatal("accepted")
			}
			if enc := base64.RawURLEncoding.EncodeToString(tc.pub); len(tc.pub) > 0 && strings.Contains(err.Error(), enc) {
				t.Fatalf("error holds the key: %v", err)
			}
		})
	}
	if _, err := keys.NewPublicKey(s, identity); err == nil {
		t.Fatalf("keys.NewPublicKey accepted the identity: %v", err)
	}
}
