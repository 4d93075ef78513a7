package signed_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
)

func ExampleNew() {
	// In production: keys.ParseRing(os.Getenv("SESSION_KEYS")).
	ring, err := keys.ParseRing("K0vx1XybWsc4iiA8r-kyTTeKv7gs2Ad9nFnd8dH-LIo")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := signed.New(ring)

	value, err := s.Seal("session", []byte(`{"uid":42}`), time.Now().Add(time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	opened, err := s.Open("session", value)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The client can read the payload (it is only base64url), but any
	// change to the value fails.
	fmt.Println(string(opened.Payload), opened.Rotated)
	_, err = s.Open("session", value[:len(value)-2]+"AA")
	fmt.Println(errors.Is(err, crumb.ErrInvalid))
	// Output:
	// {"uid":42} false
	// true
}

func ExampleNewPublic() {
	// The origin signs with a private Ed448 ring (keygen prints one).
	priv, err := keys.GeneratePrivateKey(ed448.Scheme(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	privRing, _ := keys.NewPrivateRing(priv)
	origin := signed.NewPublic(privRing)
	value, _ := origin.Seal("session", []byte(`{"uid":42}`), time.Now().Add(time.Hour))

	// The edge holds only the public ring's text, and can verify but
	// never mint.
	pubRing, _ := keys.ParsePublicRing(ed448.Scheme(), privRing.Public().Export())
	edge := signed.NewVerifier(pubRing)
	opened, err := edge.Open("session", value)
	fmt.Println(string(opened.Payload), err)
	_, err = edge.Seal("session", []byte(`{"uid":1}`), time.Now().Add(time.Hour))
	fmt.Println(errors.Is(err, signed.ErrVerifyOnly))
	// Output:
	// {"uid":42} <nil>
	// true
}
