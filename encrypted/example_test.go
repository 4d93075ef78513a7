package encrypted_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

func ExampleNew() {
	// In production: keys.ParseRing(os.Getenv("SESSION_KEYS")). The
	// ring can be shared with a signed sealer: each derives its own
	// subkey.
	ring, err := keys.ParseRing("K0vx1XybWsc4iiA8r-kyTTeKv7gs2Ad9nFnd8dH-LIo")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := encrypted.New(ring)

	value, err := s.Seal("session", []byte(`{"email":"ada@example.com"}`), time.Now().Add(time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Contains(value, "ada")) // nothing readable

	opened, err := s.Open("session", value)
	fmt.Println(string(opened.Payload), err)

	// A value moved to another cookie name does not open there.
	_, err = s.Open("prefs", value)
	fmt.Println(errors.Is(err, crumb.ErrWrongName))
	// Output:
	// false
	// {"email":"ada@example.com"} <nil>
	// true
}

func ExampleWithOpenCache() {
	ring, err := keys.ParseRing("K0vx1XybWsc4iiA8r-kyTTeKv7gs2Ad9nFnd8dH-LIo")
	if err != nil {
		fmt.Println(err)
		return
	}
	// A busy origin keeps more values' AES-GCM state than the default
	// 1024 (each about 800 bytes); WithOpenCache(0) keeps none.
	s := encrypted.New(ring, encrypted.WithOpenCache(8192))

	value, err := s.Seal("session", []byte(`{"uid":7}`), time.Now().Add(time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The first Open derives the value's key and, once the value has
	// authenticated, keeps its state; the next skips the derivation.
	// Both authenticate the whole value.
	for range 2 {
		opened, err := s.Open("session", value)
		fmt.Println(string(opened.Payload), err)
	}
	// Output:
	// {"uid":7} <nil>
	// {"uid":7} <nil>
}
